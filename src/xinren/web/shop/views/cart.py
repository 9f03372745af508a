"""The cart, the address book, checkout and the combined payment (合并支付) of a consumer."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.consumers import is_consumer
from xinren.accounts.models import User
from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.core.errors import DomainError, NotFound
from xinren.orders import selectors, services
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.services.addresses import MAX_ADDRESSES, address_get

from ..device import device_of
from ..forms import AddressForm, CartAddForm, CartQuantityForm, CheckoutForm
from ..session import form_error, render_shop, shop_view

# -- cart -------------------------------------------------------------------------------------------------------------


@require_safe
@shop_view
def cart(request: HttpRequest, consumer: User) -> HttpResponse:
    groups = selectors.cart_groups(consumer=consumer)
    context = {
        "groups": groups,
        "total_fen": sum(group.subtotal_fen for group in groups),
        "units": sum(line.quantity for group in groups for line in group.lines),
    }
    return render_shop(request, "shop/cart.html", context)


@require_POST
def cart_add(request: HttpRequest, product_id: int) -> HttpResponse:
    """From the product page: 加入购物车 (back to the product) or 立即购买 (on to checkout with this product)."""
    if not is_consumer(request.user):
        return redirect_to_login(
            reverse("shop:product_detail", kwargs={"product_id": product_id}), login_url=reverse("shop:signin")
        )
    consumer = request.user
    assert isinstance(consumer, User)
    form = CartAddForm(request.POST)
    back = redirect("shop:product_detail", product_id=product_id)
    if not form.is_valid():
        messages.error(request, _("请填写 1–99 之间的数量"))
        return back
    try:
        line = services.cart_add(consumer=consumer, product_id=product_id, quantity=form.cleaned_data["quantity"])
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return back
    if form.cleaned_data["buy"]:
        return redirect(f"{reverse('shop:checkout')}?lines={line.pk}")
    messages.success(request, _("已加入购物车"))
    return back


@require_POST
@shop_view
def cart_line_update(request: HttpRequest, consumer: User, line_id: int) -> HttpResponse:
    form = CartQuantityForm(request.POST)
    quantity = 0 if "remove" in request.POST else (form.cleaned_data["quantity"] if form.is_valid() else None)
    if quantity is None:
        messages.error(request, _("请填写 1–99 之间的数量"))
        return redirect("shop:cart")
    try:
        services.cart_line_update(consumer=consumer, line_id=line_id, quantity=quantity)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已从购物车移除") if quantity == 0 else _("数量已更新"))
    return redirect("shop:cart")


# -- addresses ---------------------------------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/shop/") and not target.startswith("//") else reverse("shop:address_list")


@shop_view
def address_list(request: HttpRequest, consumer: User) -> HttpResponse:
    """The address book, with the form to add one (the owner's own page: phones shown in full)."""
    form = AddressForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.address_create(consumer=consumer, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("地址已保存"))
                return redirect(_next_url(request))
    context = {
        "addresses": list(selectors.address_list(consumer=consumer)),
        "form": form,
        "max_addresses": MAX_ADDRESSES,
        "next": _next_url(request) if (request.GET.get("next") or request.POST.get("next")) else "",
    }
    return render_shop(request, "shop/address_list.html", context, status=status)


@shop_view
def address_edit(request: HttpRequest, consumer: User, address_id: int) -> HttpResponse:
    address = address_get(consumer=consumer, address_id=address_id)
    initial = {
        "recipient_name": address.recipient_name,
        "recipient_phone": address.recipient_phone,
        "region": address.region,
        "detail": address.detail,
        "is_default": address.is_default,
    }
    form = AddressForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.address_update(consumer=consumer, address_id=address_id, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("地址已更新"))
                return redirect("shop:address_list")
    return render_shop(request, "shop/address_form.html", {"form": form, "address": address}, status=status)


@require_POST
@shop_view
def address_delete(request: HttpRequest, consumer: User, address_id: int) -> HttpResponse:
    services.address_delete(consumer=consumer, address_id=address_id)
    messages.success(request, _("地址已删除，已下的订单不受影响"))
    return redirect("shop:address_list")


@require_POST
@shop_view
def address_default(request: HttpRequest, consumer: User, address_id: int) -> HttpResponse:
    services.address_default_set(consumer=consumer, address_id=address_id)
    messages.success(request, _("已设为默认地址"))
    return redirect("shop:address_list")


# -- checkout and the combined payment --------------------------------------------------------------------------------


@shop_view
def checkout(request: HttpRequest, consumer: User) -> HttpResponse:
    addresses = list(selectors.address_list(consumer=consumer))
    chosen = request.GET.get("lines", "")
    form = CheckoutForm(
        request.POST or None,
        initial={
            "token": secrets.token_urlsafe(16),
            "address": addresses[0].pk if addresses else None,
            "lines": chosen,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                group = services.cart_checkout(
                    consumer=consumer,
                    address_id=form.cleaned_data["address"],
                    client_token=form.cleaned_data["token"],
                    line_ids=form.cleaned_data["lines"],
                    note=form.cleaned_data["note"],
                    return_exclusion_confirmed=bool(form.cleaned_data.get("return_exclusion")),
                    device=device_of(request),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                return redirect("shop:group_detail", reference=group.reference)
    line_ids = {int(part) for part in (form["lines"].value() or "").split(",") if part.strip().isdigit()}
    groups = selectors.cart_groups(consumer=consumer)
    if line_ids:
        groups = [
            selectors.CartGroup(
                merchant=group.merchant,
                lines=[line for line in group.lines if line.pk in line_ids],
                subtotal_fen=sum(line.offer.price_fen * line.quantity for line in group.lines if line.pk in line_ids),
            )
            for group in groups
        ]
        groups = [group for group in groups if group.lines]
    context = {
        "form": form,
        "addresses": addresses,
        "groups": groups,
        "total_fen": sum(group.subtotal_fen for group in groups),
        "perishable": any(
            line.offer.product.category in PERISHABLE_CATEGORIES for group in groups for line in group.lines
        ),
    }
    return render_shop(request, "shop/checkout.html", context, status=status)


@require_safe
@shop_view
def group_detail(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    group = selectors.payment_group_get(consumer=consumer, reference=reference)
    orders = list(group.orders.all())
    context = {
        "group": group,
        "orders": orders,
        "can_pay": group.status == PaymentStatus.CREATED
        and all(order.status == OrderStatus.PENDING_PAYMENT for order in orders),
        "closed": group.status in (PaymentStatus.VOIDED, PaymentStatus.FAILED),
    }
    return render_shop(request, "shop/group_detail.html", context)


@require_POST
@shop_view
def group_pay(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    return_url = reverse("shop:group_return", kwargs={"reference": reference})
    try:
        group = services.payment_group_start(consumer=consumer, reference=reference, return_url=return_url)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
        return redirect("shop:group_detail", reference=reference)
    if group.status == PaymentStatus.CREATED and group.checkout_url:
        return redirect(group.checkout_url)
    messages.info(request, _("支付正在处理中，请稍候刷新"))
    return redirect("shop:group_detail", reference=reference)


@require_safe
@shop_view
def group_return(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    group = services.payment_group_return(consumer=consumer, reference=reference)
    if group.status == PaymentStatus.CAPTURED:
        messages.success(request, _("支付成功，各商家发货后可在订单里查看每一件单品的溯源信息"))
    elif group.status == PaymentStatus.FAILED:
        messages.error(request, _("合并支付未成功，钱款未被扣除；可以在各订单页逐个支付"))
    else:
        messages.info(request, _("支付结果确认中，请稍后刷新"))
    return redirect("shop:group_detail", reference=reference)

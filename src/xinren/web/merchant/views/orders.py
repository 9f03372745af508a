"""Selling in the console: offers (price and stock), orders, shipping with named items, refunds, and — for
logistics organizations — confirming deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.catalog.grants import grants_in_force
from xinren.catalog.selectors import product_get
from xinren.core.errors import DomainError
from xinren.core.money import fen_to_yuan, yuan_to_fen
from xinren.costs.selectors import cost_breakdown_current
from xinren.orders import selectors, services
from xinren.orders.choices import PAYMENT_SETTLED, OrderStatus
from xinren.orders.models import Order
from xinren.orders.stock import availability_for
from xinren.orders.tracking import order_tracking

from ...shop.views.orders import order_filters
from ..console import console_view, form_error, render_console
from ..exports import orders_csv

PAGE_SIZE = 50
ITEMS_OFFERED = 60  # checkboxes per line; more can be scanned or pasted
CARRIERS = ["顺丰速运", "京东物流", "中国邮政 EMS", "中通快递", "圆通速递", "韵达快递", "申通快递", "德邦快递"]
LOGISTICS = [OrganizationKind.LOGISTICS]


class YuanField(forms.CharField):
    """An amount typed in yuan ("128" or "128.50"), cleaned to integer fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(max_length=12, **kwargs)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            return yuan_to_fen(text)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class OfferForm(forms.Form):
    price = YuanField(label=gettext_lazy("单价（元）"))
    stock = forms.IntegerField(label=gettext_lazy("可售库存"), min_value=0, max_value=1_000_000)
    active = forms.BooleanField(label=gettext_lazy("上架销售"), required=False, initial=True)

    domain_error_fields = {"price_fen": "price"}


class ShipForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=gettext_lazy("选择发出的单品"), required=False, widget=forms.CheckboxSelectMultiple
    )
    scanned = forms.CharField(
        label=gettext_lazy("或扫描/粘贴溯源码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("每行一个：单品溯源码链接，或序列号"),
    )
    carrier = forms.CharField(
        label=gettext_lazy("承运商"), max_length=64, widget=forms.TextInput(attrs={"list": "carriers"})
    )
    tracking_number = forms.CharField(label=gettext_lazy("运单号"), max_length=64)
    carrier_organization = forms.ChoiceField(
        label=gettext_lazy("由平台上的物流机构确认签收"), required=False,
        help_text=gettext_lazy("可选：只能选择你已授权的物流机构"),
    )
    shipped_at = forms.DateTimeField(
        label=gettext_lazy("发货时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"], help_text=gettext_lazy("留空即为现在（北京时间）"),
    )

    def __init__(self, *args: Any, item_choices: list[tuple[str, str]], partners: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items_field = self.fields["items"]
        partner_field = self.fields["carrier_organization"]
        assert isinstance(items_field, forms.MultipleChoiceField)
        assert isinstance(partner_field, forms.ChoiceField)
        items_field.choices = item_choices
        partner_field.choices = [("", "—"), *partners]

    def codes(self) -> list[str]:
        scanned = [line.strip() for line in self.cleaned_data["scanned"].splitlines() if line.strip()]
        return [*self.cleaned_data["items"], *scanned]

    def shipped_at_aware(self) -> datetime | None:
        value: datetime | None = self.cleaned_data["shipped_at"]
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        return value


class RefundForm(forms.Form):
    amount = YuanField(label=gettext_lazy("退款金额（元）"))
    reason = forms.CharField(label=gettext_lazy("退款原因"), max_length=200)

    domain_error_fields = {"amount_fen": "amount"}


class MerchantCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("取消原因（会告知消费者）"), max_length=200)


def _error(form: forms.Form, exc: DomainError) -> int:
    fields = getattr(form, "domain_error_fields", {})
    field = fields.get(str(exc.details.get("field", "")))
    if field:
        form.add_error(field, str(exc.message))
        return exc.status
    return form_error(form, exc)


# -- offers ------------------------------------------------------------------------------------------------------------


@console_view(kinds=CATALOG_KINDS)
def offer_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    pairs = selectors.product_list_with_offers(actor=actor)
    available = availability_for([offer for _product, offer in pairs if offer is not None])
    rows = [(product, offer, available.get(offer.pk) if offer else None) for product, offer in pairs]
    return render_console(request, actor, "merchant/orders/offer_list.html", {"rows": rows})


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def offer_edit(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = product_get(actor=actor, product_id=product_id)
    current = selectors.offer_for_product(actor=actor, product_id=product.pk)
    initial = (
        {"price": fen_to_yuan(current.price_fen), "stock": current.stock, "active": current.active}
        if current is not None else {"active": True}
    )
    form = OfferForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                offer = services.offer_save(
                    actor=actor, product_id=product.pk, price_fen=form.cleaned_data["price"],
                    stock=form.cleaned_data["stock"], active=form.cleaned_data["active"],
                )
            except DomainError as exc:
                status = _error(form, exc)
            else:
                messages.success(request, _("“%(name)s”的价格和库存已保存") % {"name": product.name})
                costs = cost_breakdown_current(product=product, current_price_fen=offer.price_fen)
                if costs is not None and costs["price_state"] == "stale":  # ADR 0035
                    messages.error(request, _("成本构成按售价 ¥%(old)s 公布，与新售价 ¥%(new)s 不符：消费者页面会标明"
                                              "“与现价不符”，请到“成本透明”按现价重新发布") % {
                        "old": costs["price_yuan"], "new": costs["current_price_yuan"]})
                return redirect("merchant:offer_list")
    context = {"form": form, "product": product, "offer": current}
    return render_console(request, actor, "merchant/orders/offer_form.html", context, status=status)


# -- orders ------------------------------------------------------------------------------------------------------------


@console_view(kinds=CATALOG_KINDS)
def order_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form, search, query = order_filters(request)
    orders = selectors.merchant_order_list(actor=actor, search=search)
    if request.GET.get("format") == "csv":
        return orders_csv(orders, organization=actor.organization.slug)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "status": search.status, "statuses": OrderStatus.choices, "filters": form, "search": search,
        "query": query,
    }
    return render_console(request, actor, "merchant/orders/order_list.html", context)


def _order_page(
    request: HttpRequest, actor: Actor, order: Order, *, refund_form: RefundForm | None = None,
    cancel_form: MerchantCancelForm | None = None, status: int = 200,
) -> HttpResponse:
    shipment = getattr(order, "shipment", None) if hasattr(order, "shipment") else None
    items_by_line: dict[int, list[Any]] = {}
    if shipment is not None:
        for row in shipment.items.all():
            items_by_line.setdefault(row.line_id, []).append(row.item)
    payments = list(order.payments.all())
    context = {
        "order": order,
        "lines": [(line, items_by_line.get(line.pk, [])) for line in order.lines.all()],
        "payments": payments,
        "shipment": shipment,
        "tracking": order_tracking(order=order),
        "history": list(order.status_changes.all()),
        "can_ship": order.status == OrderStatus.PAID,
        "can_cancel": order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        "can_refund": any(payment.status in PAYMENT_SETTLED for payment in payments)
        and order.status != OrderStatus.CANCELLED,
        "refund_form": refund_form or RefundForm(),
        "cancel_form": cancel_form or MerchantCancelForm(),
    }
    return render_console(request, actor, "merchant/orders/order_detail.html", context, status=status)


@console_view(kinds=CATALOG_KINDS)
def order_detail(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    return _order_page(request, actor, selectors.merchant_order_get(actor=actor, order_number=number))


def _ship_form(request: HttpRequest, actor: Actor, order: Order) -> tuple[ShipForm, list[Any]]:
    groups = []
    choices: list[tuple[str, str]] = []
    for line in order.lines.all():
        available = list(selectors.items_available_for_line(actor=actor, line=line)[:ITEMS_OFFERED])
        groups.append((line, available))
        choices += [(item.digital_link.path, item.serial) for item in available]
    # One choice per logistics partner with a grant in force (grants are per product or lot: several per partner).
    partners = list(
        {
            grant.partner.slug: (grant.partner.slug, grant.partner.name)
            for grant in grants_in_force()
            .filter(owner=actor.organization, partner__kind=OrganizationKind.LOGISTICS)
            .select_related("partner")
            .order_by("partner__name", "partner_id")
        }.values()
    )
    form = ShipForm(request.POST or None, item_choices=choices, partners=partners)
    return form, groups


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def order_ship(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    order = selectors.merchant_order_get(actor=actor, order_number=number)
    form, groups = _ship_form(request, actor, order)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.order_ship(
                    actor=actor,
                    order_number=order.number,
                    codes=form.codes(),
                    carrier=form.cleaned_data["carrier"],
                    tracking_number=form.cleaned_data["tracking_number"],
                    carrier_organization_slug=form.cleaned_data["carrier_organization"],
                    shipped_at=form.shipped_at_aware(),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("已发货，所发单品的溯源页已记录这次发货"))
                return redirect("merchant:order_detail", number=order.number)
    context = {"order": order, "form": form, "groups": groups, "carriers": CARRIERS,
               "chosen": set(form["items"].value() or [])}
    return render_console(request, actor, "merchant/orders/order_ship.html", context, status=status)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def order_cancel(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    order = selectors.merchant_order_get(actor=actor, order_number=number)
    form = MerchantCancelForm(request.POST)
    if form.is_valid():
        try:
            services.order_cancel_by_merchant(
                actor=actor, order_number=order.number, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("订单已取消，已付款项将全额退回"))
            return redirect("merchant:order_detail", number=order.number)
    else:
        status = 422
    order = selectors.merchant_order_get(actor=actor, order_number=number)
    return _order_page(request, actor, order, cancel_form=form, status=status)


@require_POST
@console_view(role=Role.ADMIN, kinds=CATALOG_KINDS)
def order_refund(request: HttpRequest, actor: Actor, number: str) -> HttpResponse:
    order = selectors.merchant_order_get(actor=actor, order_number=number)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = services.refund_request(
                actor=actor, order_number=order.number, amount_fen=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            status = _error(form, exc)
        else:
            if refund.status == "failed":
                messages.error(request, _("支付渠道拒绝了退款（%(code)s），请稍后重试") % {"code": refund.failure_code})
            else:
                messages.success(request, _("已退款 ¥%(amount)s") % {"amount": fen_to_yuan(refund.amount_fen)})
            return redirect("merchant:order_detail", number=order.number)
    else:
        status = 422
    order = selectors.merchant_order_get(actor=actor, order_number=number)
    return _order_page(request, actor, order, refund_form=form, status=status)


# -- deliveries (logistics organizations) --------------------------------------------------------------------------


@console_view(kinds=LOGISTICS)
def delivery_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    shipments = selectors.partner_shipment_list(actor=actor).prefetch_related("items")
    page = Paginator(shipments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/orders/delivery_list.html", {"page": page})


@require_POST
@console_view(role=Role.STAFF, kinds=LOGISTICS)
def delivery_confirm(request: HttpRequest, actor: Actor, shipment_id: int) -> HttpResponse:
    shipment = selectors.partner_shipment_get(actor=actor, shipment_id=shipment_id)
    try:
        services.shipment_deliver_by_partner(actor=actor, shipment_id=shipment.pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("运单 %(number)s 已确认签收") % {"number": shipment.tracking_number})
    return redirect("merchant:delivery_list")

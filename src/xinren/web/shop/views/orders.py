"""A consumer's orders: list, detail with the items that were shipped, pay, cancel, confirm delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.models import User
from xinren.core.errors import DomainError
from xinren.orders import selectors, services
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.models import Order, Payment
from xinren.orders.tracking import order_tracking
from xinren.reviews.models import Review

from ..forms import CancelForm, OrderFilterForm
from ..session import render_shop, shop_view

PAGE_SIZE = 20
# What a consumer is told when a payment fails, by the provider's (or platform's) failure code.
PAYMENT_FAILURES = {
    "card_declined": gettext_lazy("银行拒绝了这笔支付，请换一种方式再试"),
    "insufficient_funds": gettext_lazy("余额不足，请换一种方式再试"),
    "processing_error": gettext_lazy("支付渠道处理失败，钱款未被扣除，请再试一次"),
    "amount_too_large": gettext_lazy("超过单笔支付限额"),
    "payment.amount_mismatch": gettext_lazy("支付金额与订单不符，已自动退回"),
}
PROVIDER_LABELS = {"sandbox": gettext_lazy("沙箱支付（测试渠道，不真实扣款）")}


def _failure(payment: Payment | None) -> str:
    if payment is None or not payment.failure_code:
        return ""
    return str(PAYMENT_FAILURES.get(payment.failure_code, _("支付未成功，请再试一次")))


def order_filters(request: HttpRequest) -> tuple[OrderFilterForm, selectors.OrderSearch, str]:
    """The search and filters of an order list from the query string (invalid parts are ignored), and the query
    string to keep while paging."""
    form = OrderFilterForm(request.GET or None, statuses=OrderStatus.choices)
    search = selectors.OrderSearch()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        search = selectors.OrderSearch(
            q=data["q"], status=data["status"], date_from=data["date_from"], date_to=data["date_to"]
        )
    keep = request.GET.copy()
    keep.pop("page", None)
    return form, search, keep.urlencode()


@require_safe
@shop_view
def order_list(request: HttpRequest, consumer: User) -> HttpResponse:
    form, search, query = order_filters(request)
    orders = selectors.consumer_order_list(consumer=consumer, search=search)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_shop(
        request, "shop/order_list.html", {"page": page, "filters": form, "search": search, "query": query}
    )


def _detail_context(order: Order) -> dict[str, object]:
    payments = list(order.payments.all())
    latest = payments[-1] if payments else None
    shipment = getattr(order, "shipment", None) if hasattr(order, "shipment") else None
    items_by_line: dict[int, list[object]] = {}
    if shipment is not None:
        for row in shipment.items.all():
            items_by_line.setdefault(row.line_id, []).append(row.item)
    reviews = {review.line_id: review for review in Review.objects.filter(line__order=order).only("pk", "line_id")}
    return {
        "order": order,
        "lines": [(line, items_by_line.get(line.pk, []), reviews.get(line.pk)) for line in order.lines.all()],
        "can_review": order.status == OrderStatus.DELIVERED,
        "payment": latest,
        "provider_label": PROVIDER_LABELS.get(latest.provider, latest.provider) if latest else "",
        "payment_failure": _failure(latest),
        "refunded_fen": sum(p.refunded_fen for p in payments),
        "shipment": shipment,
        "tracking": order_tracking(order=order),
        "history": list(order.status_changes.all()),
        "can_pay": order.status == OrderStatus.PENDING_PAYMENT,
        "can_cancel": order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
        "can_confirm": order.status == OrderStatus.SHIPPED,
        "cancel_form": CancelForm(),
    }


@require_safe
@shop_view
def order_detail(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    order = selectors.consumer_order_get(consumer=consumer, order_number=number)
    return render_shop(request, "shop/order_detail.html", _detail_context(order))


@require_POST
@shop_view
def order_pay(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    """Off to the provider's hosted checkout; it sends the consumer back to `order_return`."""
    return_url = reverse("shop:order_return", kwargs={"number": number})
    try:
        payment = services.payment_start(consumer=consumer, order_number=number, return_url=return_url)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
        return redirect("shop:order_detail", number=number)
    if payment.status == PaymentStatus.CREATED and payment.checkout_url:
        return redirect(payment.checkout_url)
    messages.info(request, _("支付正在处理中，请稍候刷新"))
    return redirect("shop:order_detail", number=number)


@require_safe
@shop_view
def order_return(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    """Back from the hosted checkout: ask the provider what happened (the webhook may not have arrived yet)."""
    order = services.payment_return(consumer=consumer, order_number=number)
    latest = order.payments.order_by("-id").first()
    if order.status == OrderStatus.PAID:
        messages.success(request, _("支付成功，商家发货后可在这里查看每一件单品的溯源信息"))
    elif latest is None or latest.status != PaymentStatus.FAILED:  # a failure is shown on the order page itself
        messages.info(request, _("支付结果确认中，请稍后刷新"))
    return redirect("shop:order_detail", number=number)


@require_POST
@shop_view
def order_cancel(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        order = services.order_cancel_by_consumer(consumer=consumer, order_number=number, reason=reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        refunded = order.payments.filter(status__in=[PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED])
        messages.success(request, _("订单已取消，货款将原路退回") if refunded.exists() else _("订单已取消"))
    return redirect("shop:order_detail", number=number)


@require_POST
@shop_view
def order_confirm(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    try:
        services.order_delivery_confirm(consumer=consumer, order_number=number)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已确认收货。扫一扫单品上的溯源码，看看它一路走来的记录"))
    return redirect("shop:order_detail", number=number)

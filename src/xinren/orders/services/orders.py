"""Placing, cancelling and expiring orders. Stock is reserved when an order is placed and returned when it is
cancelled; both are atomic updates on offer rows locked in ascending id order (see services/payments.py for the
lock order of the whole context)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import interceptions_kept, screen_require
from xinren.accounts.choices import CATALOG_KINDS, OrganizationStatus, Role
from xinren.accounts.consumers import consumer_require, phone_normalize
from xinren.accounts.keyed import keyed_hash
from xinren.accounts.models import Organization, User
from xinren.catalog.choices import PERISHABLE_CATEGORIES, ProductStatus
from xinren.catalog.suspensions import product_is_suspended, suspension_open
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.tasks import task_enqueue
from xinren.orders import errors, events
from xinren.orders.choices import PAYMENT_OPEN, PAYMENT_SETTLED, OrderStatus, PaymentStatus
from xinren.orders.daily_limit import daily_orders_check
from xinren.orders.models import Offer, Order, OrderLine, OrderStatusChange, PaymentGroup
from xinren.orders.stock import availability_of, stock_require

from .offer_pages import offer_pages_after_return, offer_pages_after_take
from .payments import payment_refresh, payment_void
from .refunds import refund_create_for_cancellation, refund_execute
from .status import order_status_move

MAX_LINES = 20
MAX_QUANTITY = 99
# Orders one consumer may place per hour (settings.XINREN_ORDERS_PER_HOUR overrides).
ORDERS_PER_HOUR = 10
# Minutes an order waits for payment before it is cancelled and its stock returned.
PAYMENT_WINDOW_MINUTES = 30
# The expiry task runs this long after the deadline, so its own clock reading is past it.
EXPIRY_MARGIN = timedelta(seconds=1)


@dataclass(frozen=True)
class LineRequest:
    """One product and how many of it."""

    product_id: int
    quantity: int


def _order_number(now: datetime) -> str:
    """18 digits: the local date, then 10 random digits (unguessable, so numbers reveal no sales volume)."""
    day = timezone.localtime(now).strftime("%Y%m%d")
    for _attempt in range(5):
        number = f"{day}{secrets.randbelow(10**10):010d}"
        if not Order.objects.filter(number=number).exists():
            return number
    raise Conflict(errors.ORDER_INVALID, _("订单号冲突，请重试"))


def _clean_text(value: str, *, field: str, minimum: int, maximum: int, message: str | Promise) -> str:
    value = " ".join(value.split())
    if not minimum <= len(value) <= maximum:
        raise InvalidInput(errors.ORDER_INVALID, message, details={"field": field})
    return value


@interceptions_kept
@transaction.atomic
def order_place(
    *,
    consumer: User,
    lines: Sequence[LineRequest],
    recipient_name: str,
    recipient_phone: str,
    shipping_address: str,
    note: str = "",
    client_token: str = "",
    return_exclusion_confirmed: bool = False,
    device: str = "",
) -> Order:
    """Place an order for products of one merchant; reserves the stock. A repeated `client_token` returns the
    order it first made. Each consumer may place ORDERS_PER_HOUR orders per hour. `return_exclusion_confirmed`:
    the consumer confirmed that the perishable lines are excluded from seven-day no-reason returns (without it,
    they keep that right). `device`: the browser's device id (web/shop/device.py), screened with the buyer's phone
    and the merchant's USCC against the blacklist."""
    consumer = consumer_require(consumer)
    if not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(errors.ORDER_INVALID, _("订单须包含 1–20 种商品"), details={"field": "lines"})
    if len({line.product_id for line in lines}) != len(lines):
        raise InvalidInput(errors.ORDER_INVALID, _("同一商品只能出现一次"), details={"field": "lines"})
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidInput(
                errors.ORDER_INVALID, _("每种商品的数量须为 1–99"), details={"field": "quantity"}
            )
    recipient_name = _clean_text(
        recipient_name, field="recipient_name", minimum=1, maximum=32, message=_("请填写收货人（不超过 32 字）")
    )
    try:
        recipient_phone = phone_normalize(recipient_phone)
    except InvalidInput as exc:
        raise InvalidInput(exc.code, exc.message, details={"field": "recipient_phone"}) from exc
    shipping_address = _clean_text(
        shipping_address, field="shipping_address", minimum=5, maximum=200,
        message=_("请填写详细的收货地址（5–200 字）"),
    )
    note = _clean_text(note, field="note", minimum=0, maximum=200, message=_("备注不能超过 200 字"))
    client_token = client_token.strip()[:64]

    existing = _consumer_lock(consumer=consumer, client_token=client_token)
    if existing is not None:
        return existing
    now = clock.now()
    orders_rate_check(consumer=consumer, now=now, adding=1)

    offers = {
        offer.product_id: offer
        for offer in offers_lock(Q(product_id__in=[line.product_id for line in lines], active=True))
    }
    for line in lines:
        offer = offers.get(line.product_id)
        if offer is not None and offer_suspended(offer):
            raise Conflict(
                errors.OFFER_SUSPENDED, _("该商品暂停销售（商家的资质待更新），暂时不能下单"),
                details={"field": "lines", "product_id": line.product_id},
            )
        if offer is None or not offer_sellable(offer):
            raise Conflict(
                errors.OFFER_UNAVAILABLE, _("该商品暂不销售"), details={"field": "lines", "product_id": line.product_id}
            )
    merchants = {offer.merchant_id for offer in offers.values()}
    if len(merchants) != 1:
        raise InvalidInput(
            errors.ORDER_MIXED_MERCHANTS, _("一个订单只能包含同一商家的商品"), details={"field": "lines"}
        )
    merchant = next(iter(offers.values())).merchant
    order_screen(consumer=consumer, merchants=[merchant], device=device, recipient_phones=[recipient_phone])
    for line in sorted(lines, key=lambda line: offers[line.product_id].pk):
        stock_take(offer=offers[line.product_id], quantity=line.quantity, at=now)

    merchant = next(iter(offers.values())).merchant
    order = order_create(
        consumer=consumer,
        merchant=merchant,
        lines=[(offers[line.product_id], line.quantity) for line in lines],
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        shipping_address=shipping_address,
        note=note,
        client_token=client_token,
        now=now,
        return_exclusion_confirmed=return_exclusion_confirmed,
        device=device,
    )
    daily_orders_check(merchants=[merchant], now=now)
    return order


# -- shared by order_place and the cart checkout (services/checkout.py) ------------------------------------------------


def order_screen(
    *, consumer: User, merchants: Sequence[Organization], device: str, recipient_phones: Sequence[str] = ()
) -> None:
    """Refuse (`Intercepted`) an order whose buyer's phone, recipient's phone, device or merchant's USCC is on the
    blacklist; before anything is written. The logged subject names the merchant, not the buyer."""
    screen_require(
        stage="order",
        entities={
            "phone": [consumer.phone or "", *recipient_phones],
            "device": device,
            "uscc": [merchant.uscc or "" for merchant in merchants],
        },
        subject=",".join(f"merchant:{merchant.pk}" for merchant in merchants),
    )


def _consumer_lock(*, consumer: User, client_token: str) -> Order | None:
    """Lock the consumer's row (serialising their orders, so the rate limit and one-time tokens hold under
    concurrency); the order an earlier submission with this token made, if any."""
    list(User.objects.select_for_update().filter(pk=consumer.pk).values_list("pk", flat=True))
    if client_token:
        return Order.objects.filter(consumer=consumer, client_token=client_token).first()
    return None


def consumer_lock(*, consumer: User) -> None:
    """Lock the consumer's row: the first lock of any order-placing transaction (see the module docstring)."""
    _consumer_lock(consumer=consumer, client_token="")


def orders_rate_check(*, consumer: User, now: datetime, adding: int) -> None:
    """Refuse when `adding` more orders would exceed the consumer's hourly limit (call with the consumer locked)."""
    limit = int(getattr(settings, "XINREN_ORDERS_PER_HOUR", ORDERS_PER_HOUR))
    placed = Order.objects.filter(consumer=consumer, placed_at__gte=now - timedelta(hours=1)).count()
    if placed + adding > limit:
        raise DomainError(
            errors.ORDER_RATE_LIMITED, _("下单过于频繁，请稍后再试"), details={"limit_per_hour": limit}, status=429
        )


def offers_lock(offers: Q) -> list[Offer]:
    """Lock the matching offers in ascending id order (the context's lock order), with product and merchant.

    FOR NO KEY UPDATE: it serialises stock changes but does not block rows that merely refer to the offer (a
    cart line being added, which takes a key-share lock), so adding to a cart never waits behind a checkout."""
    locked = Offer.objects.select_for_update(of=("self",), no_key=True).filter(offers).select_related(
        "product", "merchant"
    ).annotate(product_suspended=suspension_open("product"))
    return list(locked.order_by("pk"))


def offer_suspended(offer: Offer) -> bool:
    """Whether governance suspended the offer's product (read from `offers_lock`'s annotation when there is one)."""
    known = getattr(offer, "product_suspended", None)
    return bool(known) if known is not None else product_is_suspended(product_id=offer.product_id)


def offer_sellable(offer: Offer) -> bool:
    """Whether an offer may be bought now: active, of a published product not suspended, and an active merchant."""
    return (
        offer.active
        and offer.product.status == ProductStatus.ACTIVE
        and offer.merchant.status == OrganizationStatus.ACTIVE
        and not offer_suspended(offer)
    )


def offer_available(offer: Offer, *, at: datetime | None = None) -> int:
    """How many units of an offer can be sold now: its stock, the items that can still ship and their shelf life
    (orders/stock.py). The one stock count of every way to buy."""
    return availability_of(offer, at=at or clock.now()).sellable


def stock_take(*, offer: Offer, quantity: int, at: datetime | None = None, written: bool = False) -> None:
    """Reserve `quantity` of a locked offer, or refuse naming the product and what is left (or that its lots are
    past their shelf life: orders/stock.py `stock_require`). `written`: the order lines are already written."""
    available = stock_require(offer=offer, quantity=quantity, at=at or clock.now(), written=written)
    Offer.objects.filter(pk=offer.pk).update(stock=F("stock") - quantity)
    offer.stock -= quantity
    offer_pages_after_take(offer=offer, sellable_before=available.sellable, quantity=quantity)


def order_create(
    *,
    consumer: User,
    merchant: Organization,
    lines: Sequence[tuple[Offer, int]],
    recipient_name: str,
    recipient_phone: str,
    shipping_address: str,
    note: str,
    client_token: str,
    now: datetime,
    payment_group: PaymentGroup | None = None,
    return_exclusion_confirmed: bool = False,
    device: str = "",
) -> Order:
    """Write an order whose stock is already taken: its lines, first status row, audit entry and expiry task.

    A perishable line records the moment the consumer confirmed that it is excluded from seven-day no-reason
    returns (the 2017 measures exclude such goods only where the consumer confirmed it at purchase); without that
    confirmation the line keeps the right (docs/aftersales.md)."""
    order = Order.objects.create(
        number=_order_number(now),
        consumer=consumer,
        merchant=merchant,
        total_fen=sum(offer.price_fen * quantity for offer, quantity in lines),
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        shipping_address=shipping_address,
        note=note,
        client_token=client_token,
        placed_at=now,
        payment_group=payment_group,
        device_hash=keyed_hash("device", device) if device else "",
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=offer.product,
                offer=offer,
                product_name=offer.product.name,
                gtin=offer.product.gtin,
                unit_price_fen=offer.price_fen,
                quantity=quantity,
                total_fen=offer.price_fen * quantity,
                return_exclusion_confirmed_at=(
                    now if return_exclusion_confirmed and offer.product.category in PERISHABLE_CATEGORIES else None
                ),
            )
            for offer, quantity in lines
        ]
    )
    OrderStatusChange.objects.create(order=order, to_status=OrderStatus.PENDING_PAYMENT, at=now, by_user=consumer)
    audit_record(
        actor=consumer, organization=merchant, action="order.place", target=order,
        data={"total_fen": order.total_fen, "lines": [[offer.product_id, quantity] for offer, quantity in lines]},
    )
    # Cancelled at its deadline by a task queued with the order (orders_expire sweeps up any that task misses).
    from xinren.orders.tasks import order_expire_task  # tasks.py wraps these services

    task_enqueue(order_expire_task.using(run_after=order_payment_deadline(order) + EXPIRY_MARGIN), order_id=order.pk)
    return order


# -- cancelling -------------------------------------------------------------------------------------------------------


@dataclass
class _Cancellation:
    order_id: int
    void_payment_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)


@transaction.atomic
def _cancel(
    *,
    orders: Q,
    reason: str,
    by_user: User | None,
    by_organization: Organization | None,
    only_from: str | None = None,
) -> _Cancellation | None:
    """Cancel the order, return its stock and record what the provider must undo. None when `only_from` no
    longer holds (the order moved on meanwhile)."""
    order = Order.objects.select_for_update(of=("self",)).select_related("merchant").filter(orders).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    if only_from is not None and order.status != only_from:
        return None
    now = clock.now()
    order_status_move(
        order=order, target=OrderStatus.CANCELLED, at=now, by_user=by_user, by_organization=by_organization,
        note=reason,
    )
    order.cancel_reason = reason[:200]
    order.save(update_fields=["cancel_reason"])
    events.ORDER_CANCELLED.announce(order_id=order.pk)
    returned: dict[int, int] = {}
    for line in order.lines.order_by("offer_id"):
        Offer.objects.filter(pk=line.offer_id).update(stock=F("stock") + line.quantity)
        returned[line.offer_id] = returned.get(line.offer_id, 0) + line.quantity
    offer_pages_after_return(returned=returned)
    plan = _Cancellation(order_id=order.pk)
    for payment in order.payments.select_for_update().order_by("id"):
        if payment.status in PAYMENT_OPEN:
            plan.void_payment_ids.append(payment.pk)
        elif payment.status in PAYMENT_SETTLED:
            refund = refund_create_for_cancellation(payment=payment, reason=reason, by_user=by_user)
            if refund is not None:
                plan.refund_ids.append(refund.pk)
    audit_record(
        actor=by_user, organization=order.merchant, action="order.cancel", target=order,
        data={"reason": reason[:200], "refunds": len(plan.refund_ids)},
    )
    return plan


def _undo_payments(plan: _Cancellation) -> Order:
    for payment_id in plan.void_payment_ids:
        payment_void(payment_id=payment_id)
    for refund_id in plan.refund_ids:
        refund_execute(refund_id=refund_id)
    return Order.objects.get(pk=plan.order_id)


def order_cancel_by_consumer(*, consumer: User, order_number: str, reason: str = "") -> Order:
    """The consumer cancels an order that has not shipped; anything paid is refunded in full."""
    consumer = consumer_require(consumer)
    plan = _cancel(
        orders=Q(consumer=consumer, number=order_number),
        reason=reason.strip() or str(_("消费者取消订单")),
        by_user=consumer,
        by_organization=None,
    )
    assert plan is not None
    return _undo_payments(plan)


def order_cancel_by_merchant(*, actor: Actor, order_number: str, reason: str) -> Order:
    """The merchant cancels an order it cannot fulfil (before shipping); anything paid is refunded in full."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(errors.ORDER_INVALID, _("请填写取消原因"), details={"field": "reason"})
    plan = _cancel(
        orders=Q(merchant=actor.organization, number=order_number),
        reason=reason,
        by_user=actor.user,
        by_organization=actor.organization,
    )
    assert plan is not None
    return _undo_payments(plan)


def order_payment_deadline(order: Order) -> datetime:
    """When an unpaid order is cancelled: XINREN_ORDER_PAYMENT_MINUTES after it was placed."""
    minutes = int(getattr(settings, "XINREN_ORDER_PAYMENT_MINUTES", PAYMENT_WINDOW_MINUTES))
    return order.placed_at + timedelta(minutes=minutes)


def order_expire(*, order_id: int, now: datetime | None = None) -> bool:
    """Cancel the order and return its stock if it is still unpaid past its deadline; whether it was cancelled."""
    now = now or clock.now()
    order = Order.objects.filter(pk=order_id, status=OrderStatus.PENDING_PAYMENT).first()
    if order is None or order_payment_deadline(order) >= now:
        return False
    # The consumer may have paid a moment ago while the webhook is still on its way: ask first.
    open_payments = order.payments.filter(status__in=PAYMENT_OPEN).exclude(provider_ref="")
    for payment_id in open_payments.values_list("pk", flat=True):
        payment_refresh(payment_id=payment_id)
    if order.payments.filter(status=PaymentStatus.AUTHORISED).exists():
        return False
    plan = _cancel(
        orders=Q(pk=order_id),
        reason=str(_("超时未付款，订单自动取消")),
        by_user=None,
        by_organization=None,
        only_from=OrderStatus.PENDING_PAYMENT,
    )
    if plan is None:
        return False
    _undo_payments(plan)
    return True


def orders_expire(*, now: datetime | None = None) -> int:
    """Cancel orders left unpaid past the payment window and return their stock; returns how many."""
    now = now or clock.now()
    minutes = int(getattr(settings, "XINREN_ORDER_PAYMENT_MINUTES", PAYMENT_WINDOW_MINUTES))
    overdue = Order.objects.filter(
        status=OrderStatus.PENDING_PAYMENT, placed_at__lt=now - timedelta(minutes=minutes)
    ).values_list("pk", flat=True)
    return sum(order_expire(order_id=order_id, now=now) for order_id in list(overdue))

"""合并支付: one provider payment for the orders of a cart checkout (ADR 0021, cart-combined-payment).

The provider sees one payment: the group's `reference` (out_trade_no) and amount. Each order has its own
`Payment` row in the group (its share), which follows the group's state: when the provider reports the group
authorised, captured, voided or failed, every share moves the same way under `_payment_move`, so each order is
marked paid exactly as a single payment would mark it, and a share whose order was cancelled meanwhile is
refunded automatically. Refunds stay per order: they are partial refunds of the group's charge, bounded by the
share (services/refunds.py works unchanged on the share).

Cancelling one order before the group is paid voids the combined payment (the provider cannot shrink an open
checkout): every share is voided, the other orders stay 待付款 and are paid one by one from their order pages.
A failed combined payment is not retried as a whole either: the orders are paid one by one.

Same three-step pattern as services/payments.py. Lock order: Orders of the group by ascending id → the group →
its shares by ascending id → Refunds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, NotFound
from xinren.core.transitions import transition_allowed
from xinren.orders import errors
from xinren.orders.choices import PAYMENT_OPEN, PAYMENT_TRANSITIONS, OrderStatus, PaymentStatus
from xinren.orders.models import Order, Payment, PaymentGroup
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import ProviderError, ProviderPayment, ProviderStatus, ProviderUnavailable

from .payments import _FROM_PROVIDER, _payment_move, _provider_unavailable
from .refunds import refund_execute


@dataclass(frozen=True)
class GroupFollowup:
    """What must happen at the provider once the applied state is committed."""

    kind: str = ""  # "", "capture" or "void"
    refund_ids: tuple[int, ...] = field(default_factory=tuple)


def payment_group_get(*, consumer: User, reference: str) -> PaymentGroup:
    group = PaymentGroup.objects.filter(consumer=consumer, reference=reference).first()
    if group is None:
        raise NotFound(errors.PAYMENT_GROUP_NOT_FOUND, _("找不到该合并支付"))
    return group


# -- starting ------------------------------------------------------------------------------------------------------


def payment_group_start(*, consumer: User, reference: str, return_url: str) -> PaymentGroup:
    """Open the combined checkout at the provider (or return the one already open)."""
    consumer = consumer_require(consumer)
    group = payment_group_get(consumer=consumer, reference=reference)
    if group.status in (PaymentStatus.VOIDED, PaymentStatus.FAILED):
        raise Conflict(
            errors.PAYMENT_GROUP_CLOSED,
            _("合并支付已关闭，请在订单页逐个支付未付款的订单"),
            details={"status": group.status},
        )
    if group.checkout_url or group.status != PaymentStatus.CREATED:
        return group
    orders = group.orders.count()
    try:
        session = provider_get(group.provider).checkout_create(
            reference=group.reference,
            amount_fen=group.amount_fen,
            currency=group.currency,
            description=str(_("信任合并支付（%(count)d 个订单）") % {"count": orders}),
            return_url=return_url,
            idempotency_key=group.idempotency_key,
        )
    except ProviderUnavailable as exc:
        raise _provider_unavailable(exc) from exc
    except ProviderError as exc:
        payment_group_follow(
            group_id=group.pk,
            followup=_group_sync(
                group_id=group.pk,
                remote=ProviderPayment(
                    provider_ref="", reference=group.reference, status=ProviderStatus.FAILED,
                    amount_fen=group.amount_fen, failure_code=exc.code, failure_message=exc.message[:256],
                ),
            ),
        )
        raise Conflict(
            errors.PAYMENT_PROVIDER, _("支付渠道拒绝了这笔支付"), details={"provider_code": exc.code}
        ) from exc
    with transaction.atomic():
        PaymentGroup.objects.filter(pk=group.pk).update(
            provider_ref=session.payment.provider_ref, checkout_url=session.redirect_url
        )
        Payment.objects.filter(group=group, status=PaymentStatus.CREATED).update(
            provider_ref=session.payment.provider_ref, checkout_url=session.redirect_url
        )
    return PaymentGroup.objects.get(pk=group.pk)


# -- what the provider says ----------------------------------------------------------------------------------------


def payment_group_return(*, consumer: User, reference: str) -> PaymentGroup:
    """The consumer is back from the hosted page: ask the provider about the combined payment."""
    consumer = consumer_require(consumer)
    group = payment_group_get(consumer=consumer, reference=reference)
    return payment_group_refresh(group_id=group.pk)


def payment_group_refresh(*, group_id: int) -> PaymentGroup:
    group = PaymentGroup.objects.get(pk=group_id)
    if not group.provider_ref:
        return group
    try:
        remote = provider_get(group.provider).payment_retrieve(provider_ref=group.provider_ref)
    except ProviderUnavailable:
        return group
    payment_group_follow(group_id=group_id, followup=_group_sync(group_id=group_id, remote=remote))
    return PaymentGroup.objects.get(pk=group_id)


def payment_group_sync(*, group_id: int, remote: ProviderPayment) -> GroupFollowup:
    """Apply the provider's state to the group and its shares (webhooks call this)."""
    return _group_sync(group_id=group_id, remote=remote)


def _group_sync(*, group_id: int, remote: ProviderPayment) -> GroupFollowup:
    """Forward moves only, one transaction; the captured money is allocated to the shares in id order, so a
    short capture pays what it covers and refunds the rest (never an order marked paid on too little)."""
    with transaction.atomic():
        orders = {
            order.pk: order
            for order in Order.objects.select_for_update(of=("self",))
            .select_related("merchant")
            .filter(payment_group_id=group_id)
            .order_by("pk")
        }
        group = PaymentGroup.objects.select_for_update().get(pk=group_id)
        shares = list(Payment.objects.select_for_update().filter(group=group).order_by("pk"))
        if remote.reference != group.reference or (
            group.provider_ref and remote.provider_ref and remote.provider_ref != group.provider_ref
        ):
            raise Conflict(errors.PAYMENT_PROVIDER, _("支付渠道返回的交易与本地记录不符"))
        target = _FROM_PROVIDER.get(remote.status)
        refunds: list[int] = []
        if target is not None and target != group.status and transition_allowed(
            PAYMENT_TRANSITIONS, group.status, target
        ):
            previous = group.status
            group.status = PaymentStatus(target)
            group.provider_ref = group.provider_ref or remote.provider_ref
            if target == PaymentStatus.FAILED:
                group.failure_code = remote.failure_code[:64]
                group.failure_message = remote.failure_message[:256]
            if target == PaymentStatus.CAPTURED:
                group.captured_fen = max(0, min(remote.captured_fen, group.amount_fen))
                if remote.captured_fen != group.amount_fen or remote.currency != group.currency:
                    group.failure_code = errors.PAYMENT_AMOUNT_MISMATCH
            group.save()
            left = group.captured_fen if remote.currency == group.currency else 0
            for share in shares:
                if share.status == target or not transition_allowed(PAYMENT_TRANSITIONS, share.status, target):
                    continue
                allocated = min(share.amount_fen, left)
                left -= allocated if target == PaymentStatus.CAPTURED else 0
                followup = _payment_move(
                    order=orders[share.order_id],
                    payment=share,
                    target=target,
                    remote=ProviderPayment(
                        provider_ref=remote.provider_ref,
                        reference=share.reference,
                        status=remote.status,
                        amount_fen=share.amount_fen,
                        captured_fen=allocated,
                        currency=group.currency,
                        failure_code=remote.failure_code,
                        failure_message=remote.failure_message,
                    ),
                )
                if followup.kind == "refund" and followup.refund_id is not None:
                    refunds.append(followup.refund_id)
            audit_record(
                actor=None, organization=None, action=f"payment_group.{target}", target=group,
                data={"from": previous, "captured_fen": group.captured_fen, "orders": len(orders)},
            )
        kind = ""
        if group.status == PaymentStatus.AUTHORISED:
            pending = any(order.status == OrderStatus.PENDING_PAYMENT for order in orders.values())
            kind = "capture" if pending else "void"
        return GroupFollowup(kind, tuple(refunds))


def payment_group_follow(*, group_id: int, followup: GroupFollowup, skip: frozenset[str] = frozenset()) -> None:
    if followup.kind == "capture" and "capture" not in skip:
        payment_group_capture(group_id=group_id)
    elif followup.kind == "void" and "void" not in skip:
        payment_group_void(group_id=group_id)
    for refund_id in followup.refund_ids:
        refund_execute(refund_id=refund_id)


# -- capture and void ----------------------------------------------------------------------------------------------


def payment_group_capture(*, group_id: int) -> PaymentGroup:
    """Take the money of an authorised combined payment (all of it; shares of orders cancelled meanwhile are
    refunded by the sync). Safe to repeat."""
    group = PaymentGroup.objects.get(pk=group_id)
    if group.status != PaymentStatus.AUTHORISED:
        return group
    provider = provider_get(group.provider)
    try:
        remote = provider.capture(
            provider_ref=group.provider_ref, amount_fen=group.amount_fen, idempotency_key=f"capture:{group.reference}"
        )
    except ProviderUnavailable:
        return group
    except ProviderError:
        remote = provider.payment_retrieve(provider_ref=group.provider_ref)
    payment_group_follow(
        group_id=group_id, followup=_group_sync(group_id=group_id, remote=remote), skip=frozenset({"capture"})
    )
    return PaymentGroup.objects.get(pk=group_id)


def payment_group_void(*, group_id: int) -> PaymentGroup:
    """Close the combined checkout (an order of the group was cancelled or expired before it was paid)."""
    group = PaymentGroup.objects.get(pk=group_id)
    if group.status not in PAYMENT_OPEN:
        return group
    if not group.provider_ref:
        with transaction.atomic():
            closed = PaymentGroup.objects.filter(pk=group_id, status=PaymentStatus.CREATED, provider_ref="").update(
                status=PaymentStatus.VOIDED
            )
            if closed:
                Payment.objects.filter(group_id=group_id, status=PaymentStatus.CREATED, provider_ref="").update(
                    status=PaymentStatus.VOIDED
                )
        return PaymentGroup.objects.get(pk=group_id)
    provider = provider_get(group.provider)
    try:
        remote = provider.void(provider_ref=group.provider_ref, idempotency_key=f"void:{group.reference}")
    except ProviderUnavailable:
        return group
    except ProviderError:
        remote = provider.payment_retrieve(provider_ref=group.provider_ref)
    payment_group_follow(
        group_id=group_id, followup=_group_sync(group_id=group_id, remote=remote), skip=frozenset({"capture", "void"})
    )
    return PaymentGroup.objects.get(pk=group_id)

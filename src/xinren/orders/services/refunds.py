"""Refunds: recorded with an idempotency key, paid out by the provider, applied under row locks.

See services/payments.py for the three-step pattern and the lock order.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.audit import audit_record, audit_record_many
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.money import fen_to_yuan
from xinren.core.transitions import transition_check
from xinren.orders import errors, events
from xinren.orders.choices import (
    PAYMENT_SETTLED,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
)
from xinren.orders.models import Order, Payment, Refund
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import ProviderError, ProviderRefund, ProviderRefundStatus, ProviderUnavailable


def refund_request(
    *, actor: Actor, order_number: str, amount_fen: int, reason: str, idempotency_key: str = ""
) -> Refund:
    """Refund part or all of a paid order (a merchant admin's act). A repeated key returns the first refund."""
    actor.require(role=Role.ADMIN, kinds=CATALOG_KINDS)
    refund = _refund_reserve(
        order_number=order_number,
        merchant=actor.organization,
        amount_fen=amount_fen,
        reason=reason,
        key=f"m{actor.organization.pk}:{idempotency_key}" if idempotency_key else "",
        by_user=actor.user,
    )
    return refund_execute(refund_id=refund.pk)


@transaction.atomic
def _refund_reserve(
    *, order_number: str, merchant: Organization, amount_fen: int, reason: str, key: str, by_user: User | None
) -> Refund:
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise InvalidInput(errors.REFUND_INVALID, _("请填写退款原因（不超过 200 字）"), details={"field": "reason"})
    if amount_fen <= 0:
        raise InvalidInput(errors.REFUND_INVALID, _("退款金额必须大于 0"), details={"field": "amount_fen"})
    order = Order.objects.select_for_update().filter(merchant=merchant, number=order_number).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    if key:
        existing = Refund.objects.filter(idempotency_key=key).select_related("payment").first()
        if existing is not None:
            if existing.payment.order_id != order.pk or existing.amount_fen != amount_fen:
                raise Conflict(
                    errors.REFUND_KEY_REUSED, _("该幂等键已用于另一笔退款"), details={"field": "idempotency_key"}
                )
            return existing
    if order.status not in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise Conflict(errors.ORDER_TRANSITION, _("该订单当前不能退款"), details={"status": order.status})
    available_total = 0
    for payment in order.payments.select_for_update().filter(status__in=PAYMENT_SETTLED).order_by("id"):
        available = _refundable(payment)
        available_total += available
        if amount_fen <= available:
            refund = Refund.objects.create(
                payment=payment,
                amount_fen=amount_fen,
                reason=reason,
                idempotency_key=key or f"refund:{secrets.token_hex(12)}",
                requested_by=by_user,
                requested_by_organization=merchant,
            )
            audit_record(
                actor=by_user, organization=merchant, action="refund.request", target=refund,
                data={"order": order.number, "amount_fen": amount_fen},
            )
            return refund
    raise Conflict(
        errors.REFUND_EXCEEDS,
        _("退款金额超过可退金额（%(yuan)s 元）") % {"yuan": fen_to_yuan(available_total)},
        details={"field": "amount_fen", "available_fen": available_total},
    )


def _refundable(payment: Payment) -> int:
    """Captured money not yet refunded nor promised to a refund in flight (call with the payment locked)."""
    pending = payment.refunds.filter(status=RefundStatus.PENDING).aggregate(total=Sum("amount_fen"))["total"] or 0
    return payment.captured_fen - payment.refunded_fen - pending


def refund_create_for_cancellation(*, payment: Payment, reason: str, by_user: User | None) -> Refund | None:
    """Within a cancellation's transaction (payment locked): a refund of everything still refundable."""
    amount = _refundable(payment)
    if amount <= 0:
        return None
    return Refund.objects.create(
        payment=payment,
        amount_fen=amount,
        reason=reason[:200],
        idempotency_key=f"cancel:{payment.reference}",
        requested_by=by_user if by_user is not None and by_user.is_authenticated else None,
    )


def order_refundable_fen(order: Order) -> int:
    """What can still be refunded on the order: captured, less refunded and refunds in flight."""
    return orders_refundable_fen([order.pk]).get(order.pk, 0)


def orders_refundable_fen(order_ids: Sequence[int]) -> dict[int, int]:
    """`order_refundable_fen` of many orders in one query: order id → fen (an order with nothing settled: absent)."""
    out: dict[int, int] = {}
    payments = Payment.objects.filter(order_id__in=order_ids, status__in=PAYMENT_SETTLED).annotate(
        pending=Coalesce(Sum("refunds__amount_fen", filter=Q(refunds__status=RefundStatus.PENDING)), 0),
    ).values_list("order_id", "captured_fen", "refunded_fen", "pending")
    for order_id, captured, refunded, pending in payments:
        out[order_id] = out.get(order_id, 0) + captured - refunded - pending
    return out


def refund_create_for_aftersale(
    *, order: Order, amount_fen: int, key: str, reason: str, by_user: User | None,
    by_organization: Organization | None,
) -> Refund:
    """Within an after-sale decision's transaction (the order locked): record a refund of `amount_fen` from one
    settled payment. Idempotent by `key` (the same key returns the first refund); never beyond what was paid."""
    result = refunds_create_for_aftersales([RefundWanted(
        order=order, amount_fen=amount_fen, key=key, reason=reason, by_organization=by_organization,
        by_user=by_user if by_user is not None and by_user.is_authenticated else None,
    )])[key]
    if isinstance(result, DomainError):
        raise result
    return result


@dataclass(frozen=True)
class RefundWanted:
    """One refund an after-sale decision records (see `refunds_create_for_aftersales`)."""

    order: Order
    amount_fen: int
    key: str
    reason: str
    by_organization: Organization | None = None
    by_user: User | None = None


def refunds_create_for_aftersales(wanted: Sequence[RefundWanted]) -> dict[str, Refund | DomainError]:
    """Refunds for a batch of after-sale decisions, in a few statements: the orders' settled payments
    locked at once (in id order), what each can still refund read in one query, the refunds inserted in one. Each
    key gets its refund (the first one again for a repeated key) or the refusal it would have got alone; one
    refusal does not stop the others."""
    out: dict[str, Refund | DomainError] = {}
    existing = {refund.idempotency_key: refund for refund in
                Refund.objects.filter(idempotency_key__in=[w.key for w in wanted]).select_related("payment")}
    payments: dict[int, list[Payment]] = {}
    in_flight = Refund.objects.filter(payment=OuterRef("pk"), status=RefundStatus.PENDING).values("payment")
    for payment in Payment.objects.select_for_update().filter(
            order_id__in={w.order.pk for w in wanted}, status__in=PAYMENT_SETTLED).annotate(
            pending=Coalesce(Subquery(in_flight.annotate(total=Sum("amount_fen")).values("total")), 0)).order_by("id"):
        payments.setdefault(payment.order_id, []).append(payment)
    available = {p.pk: p.captured_fen - p.refunded_fen - p.pending  # type: ignore[attr-defined]
                 for ps in payments.values() for p in ps}
    new: list[Refund] = []
    for item in wanted:
        found = existing.get(item.key)
        if found is not None:
            same = (found.payment.order_id, found.amount_fen) == (item.order.pk, item.amount_fen)
            out[item.key] = found if same else Conflict(errors.REFUND_KEY_REUSED, _("该幂等键已用于另一笔退款"),
                                                        details={"field": "idempotency_key"})
            continue
        if item.amount_fen <= 0:
            out[item.key] = InvalidInput(errors.REFUND_INVALID, _("退款金额必须大于 0"),
                                         details={"field": "amount_fen"})
            continue
        chosen = next((p for p in payments.get(item.order.pk, []) if item.amount_fen <= available[p.pk]), None)
        if chosen is None:
            total = sum(available[p.pk] for p in payments.get(item.order.pk, []))
            out[item.key] = Conflict(errors.REFUND_EXCEEDS, _("退款金额超过可退金额（%(yuan)s 元）") % {
                "yuan": fen_to_yuan(total)}, details={"field": "amount_fen", "available_fen": total})
            continue
        available[chosen.pk] -= item.amount_fen
        refund = Refund(payment=chosen, amount_fen=item.amount_fen, reason=item.reason[:200], idempotency_key=item.key,
                        requested_by=item.by_user, requested_by_organization=item.by_organization)
        new.append(refund)
        out[item.key] = refund
    Refund.objects.bulk_create(new)
    by_key = {w.key: w for w in wanted}
    audit_record_many([(by_key[r.idempotency_key].by_user, by_key[r.idempotency_key].order.merchant,
                        "refund.aftersale", r, {"order": by_key[r.idempotency_key].order.number,
                                                "amount_fen": r.amount_fen}) for r in new])
    return out


def refund_execute(*, refund_id: int) -> Refund:
    """Ask the provider to pay a recorded refund out, and apply its answer. Safe to repeat."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    provider = provider_get(refund.payment.provider)
    try:
        remote = provider.refund(
            provider_ref=refund.payment.provider_ref,
            amount_fen=refund.amount_fen,
            reference=refund.idempotency_key,
            reason=refund.reason,
            idempotency_key=refund.idempotency_key,
        )
    except ProviderUnavailable:
        return refund  # stays pending; `manage.py payments_reconcile` or a later call retries it
    except ProviderError as exc:
        remote = ProviderRefund(
            refund_ref="", provider_ref=refund.payment.provider_ref, reference=refund.idempotency_key,
            status=ProviderRefundStatus.FAILED, amount_fen=refund.amount_fen, failure_code=exc.code,
        )
    return _refund_apply(refund_id=refund.pk, remote=remote)


@transaction.atomic
def _refund_apply(*, refund_id: int, remote: ProviderRefund) -> Refund:
    payment_id, order_id = Refund.objects.filter(pk=refund_id).values_list("payment_id", "payment__order_id").get()
    order = Order.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or remote.status == ProviderRefundStatus.PENDING:
        return refund
    succeeded = remote.status == ProviderRefundStatus.SUCCEEDED and remote.amount_fen == refund.amount_fen
    outcome = RefundStatus.SUCCEEDED if succeeded else RefundStatus.FAILED
    transition_check(REFUND_TRANSITIONS, refund.status, outcome, code=errors.REFUND_TRANSITION, labels=RefundStatus)
    if succeeded:
        refunded = payment.refunded_fen + refund.amount_fen
        target = PaymentStatus.REFUNDED if refunded == payment.captured_fen else PaymentStatus.PARTIALLY_REFUNDED
        transition_check(
            PAYMENT_TRANSITIONS, payment.status, target, code=errors.PAYMENT_TRANSITION, labels=PaymentStatus
        )
        payment.refunded_fen = refunded
        payment.status = target
        payment.save(update_fields=["refunded_fen", "status", "updated_at"])
        events.REFUND_DONE.announce(refund_id=refund_id)
    else:
        refund.failure_code = (remote.failure_code or "amount_mismatch")[:64]
    refund.status = outcome
    refund.provider_ref = remote.refund_ref
    refund.completed_at = clock.now()
    refund.save()
    audit_record(
        actor=None, organization=order.merchant, action=f"refund.{refund.status}", target=refund,
        data={"amount_fen": refund.amount_fen, "failure_code": refund.failure_code},
    )
    return refund

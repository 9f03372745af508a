"""Payments through the configured provider: checkout, what the provider says happened, capture and void.

Refunds are in refunds.py, webhooks in webhooks.py; all three follow the pattern below.

The provider is another system, so these services are not one transaction end to end: each step is. First the
intent is recorded with an idempotency key (a Payment or Refund row), then the provider is called outside any
transaction of ours, then its answer is applied under row locks. Retrying any step repeats the provider call with
the same key, which the provider answers with its first answer, so money never moves twice. Webhooks and the
consumer's return from the hosted page feed the same `_payment_sync`, which only moves a payment forward along
PAYMENT_TRANSITIONS: late or repeated news changes nothing.

Lock order (everywhere in this context): consumer User → Offer rows by ascending id → Order → PaymentGroup →
Payment → Refund (payment_groups.py locks a group's orders by ascending id first).
A webhook first inserts its PaymentWebhookEvent row, whose unique key makes a concurrent redelivery wait and then
drop out. See docs/payments.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.keyed import identity_key
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, NotFound
from xinren.core.transitions import transition_allowed
from xinren.orders import errors, events
from xinren.orders.choices import (
    PAYMENT_OPEN,
    PAYMENT_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
)
from xinren.orders.models import Order, Payment, PaymentGroup, Refund
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import (
    ProviderError,
    ProviderPayment,
    ProviderStatus,
    ProviderUnavailable,
)

from .refunds import refund_execute
from .status import order_status_move

# Checkout attempts per order (declined cards included) before the consumer must place a new order.
MAX_PAYMENT_ATTEMPTS = 5

_FROM_PROVIDER = {
    ProviderStatus.REQUIRES_AUTHORISATION: PaymentStatus.CREATED,
    ProviderStatus.AUTHORISED: PaymentStatus.AUTHORISED,
    ProviderStatus.CAPTURED: PaymentStatus.CAPTURED,
    ProviderStatus.VOIDED: PaymentStatus.VOIDED,
    ProviderStatus.FAILED: PaymentStatus.FAILED,
}


@dataclass(frozen=True)
class _Followup:
    """What must happen at the provider once the applied state is committed."""

    kind: str = ""  # "", "capture", "void" or "refund"
    refund_id: int | None = None


def _provider_unavailable(exc: ProviderError) -> DomainError:
    return DomainError(
        errors.PAYMENT_PROVIDER, _("支付渠道暂时不可用，请稍后重试"), details={"provider_code": exc.code}, status=503
    )


# -- starting a payment ----------------------------------------------------------------------------------------------


def payment_start(*, consumer: User, order_number: str, return_url: str) -> Payment:
    """Open a checkout at the provider for an order awaiting payment, or return the attempt already open."""
    consumer = consumer_require(consumer)
    provider = provider_get()
    payment = _payment_open(consumer=consumer, order_number=order_number, provider_name=provider.name)
    if payment.group_id is not None:  # the order's share of a combined payment: open the combined checkout
        from .payment_groups import payment_group_start

        reference = PaymentGroup.objects.values_list("reference", flat=True).get(pk=payment.group_id)
        payment_group_start(consumer=consumer, reference=reference, return_url=return_url)
        return Payment.objects.get(pk=payment.pk)
    if payment.checkout_url or payment.status != PaymentStatus.CREATED:
        return payment
    provider = provider_get(payment.provider)
    try:
        session = provider.checkout_create(
            reference=payment.reference,
            amount_fen=payment.amount_fen,
            currency=payment.currency,
            description=str(_("信任订单 %(number)s") % {"number": order_number}),
            return_url=return_url,
            idempotency_key=payment.idempotency_key,
        )
    except ProviderUnavailable as exc:
        raise _provider_unavailable(exc) from exc
    except ProviderError as exc:
        _payment_sync(
            payment_id=payment.pk,
            remote=ProviderPayment(
                provider_ref="", reference=payment.reference, status=ProviderStatus.FAILED,
                amount_fen=payment.amount_fen, failure_code=exc.code, failure_message=exc.message[:256],
            ),
        )
        raise Conflict(
            errors.PAYMENT_PROVIDER, _("支付渠道拒绝了这笔支付"), details={"provider_code": exc.code}
        ) from exc
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            provider_ref=session.payment.provider_ref, checkout_url=session.redirect_url
        )
    return Payment.objects.get(pk=payment.pk)


@transaction.atomic
def _payment_open(*, consumer: User, order_number: str, provider_name: str) -> Payment:
    order = Order.objects.select_for_update().filter(consumer=consumer, number=order_number).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict(errors.ORDER_TRANSITION, _("该订单不在待付款状态"), details={"status": order.status})
    payment = order.payments.filter(status__in=PAYMENT_OPEN).first()
    if payment is not None:
        return payment
    if order.payments.count() >= MAX_PAYMENT_ATTEMPTS:
        raise DomainError(
            errors.PAYMENT_ATTEMPTS,
            _("支付尝试次数过多，请重新下单"),
            details={"limit": MAX_PAYMENT_ATTEMPTS},
            status=429,
        )
    reference = f"pay_{secrets.token_hex(10)}"
    payment = Payment.objects.create(
        order=order,
        provider=provider_name,
        reference=reference,
        idempotency_key=f"checkout:{reference}",
        amount_fen=order.total_fen,
        currency=order.currency,
    )
    audit_record(
        actor=consumer, organization=order.merchant, action="payment.start", target=payment,
        data={"provider": provider_name, "amount_fen": payment.amount_fen},
    )
    return payment


# -- learning what happened at the provider ----------------------------------------------------------------------


def payment_return(*, consumer: User, order_number: str) -> Order:
    """The consumer is back from the hosted page: ask the provider about the order's open payments."""
    consumer = consumer_require(consumer)
    order = Order.objects.filter(consumer=consumer, number=order_number).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    for payment_id in order.payments.filter(status__in=PAYMENT_OPEN).exclude(provider_ref="").values_list(
        "pk", flat=True
    ):
        payment_refresh(payment_id=payment_id)
    return Order.objects.get(pk=order.pk)


def payment_refresh(*, payment_id: int) -> Payment:
    """Bring a payment up to date with the provider's view of it (and capture it if it is now authorised)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.group_id is not None:
        from .payment_groups import payment_group_refresh

        payment_group_refresh(group_id=payment.group_id)
        return Payment.objects.get(pk=payment_id)
    if not payment.provider_ref:
        return payment
    try:
        remote = provider_get(payment.provider).payment_retrieve(provider_ref=payment.provider_ref)
    except ProviderUnavailable:
        return payment
    _follow(payment_id=payment_id, followup=_payment_sync(payment_id=payment_id, remote=remote))
    return Payment.objects.get(pk=payment_id)


def _payment_sync(*, payment_id: int, remote: ProviderPayment) -> _Followup:
    """Apply the provider's state to a payment (forward moves only) and to its order. One transaction."""
    with transaction.atomic():
        order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).get()
        order = Order.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if remote.reference != payment.reference or (
            payment.provider_ref and remote.provider_ref and remote.provider_ref != payment.provider_ref
        ):
            raise Conflict(errors.PAYMENT_PROVIDER, _("支付渠道返回的交易与本地记录不符"))
        target = _FROM_PROVIDER.get(remote.status)
        followup = _Followup()
        if target is not None and target != payment.status and transition_allowed(
            PAYMENT_TRANSITIONS, payment.status, target
        ):
            followup = _payment_move(order=order, payment=payment, target=target, remote=remote)
        if payment.status == PaymentStatus.AUTHORISED:
            followup = _Followup("capture" if order.status == OrderStatus.PENDING_PAYMENT else "void")
        return followup


def payer_hash(*, provider: str, payer: str) -> str:
    """The keyed hash of a provider's payer account id (accounts/keyed.py's key, under its own prefix): equal for
    the same account, never reversible without the key. The brushing-ring detector links buyers by it."""
    message = f"payer:{provider}:{payer.strip()}".encode()
    return hmac.new(identity_key(), message, hashlib.sha256).hexdigest()


def _payment_move(*, order: Order, payment: Payment, target: str, remote: ProviderPayment) -> _Followup:
    now = clock.now()
    previous = payment.status
    payment.status = PaymentStatus(target)
    payment.provider_ref = payment.provider_ref or remote.provider_ref
    if target in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED) and payment.authorised_at is None:
        payment.authorised_at = now
    if target == PaymentStatus.FAILED:
        payment.failure_code = remote.failure_code[:64]
        payment.failure_message = remote.failure_message[:256]
    needs_refund = False
    if remote.payer and not order.payment_hash and target in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED):
        order.payment_hash = payer_hash(provider=payment.provider, payer=remote.payer)
        order.save(update_fields=["payment_hash"])
    if target == PaymentStatus.CAPTURED:
        payment.captured_at = now
        payment.captured_fen = min(remote.captured_fen, payment.amount_fen)
        if remote.captured_fen != payment.amount_fen or remote.currency != payment.currency:
            # Never mark an order paid on a different amount; what was taken goes back.
            payment.failure_code = errors.PAYMENT_AMOUNT_MISMATCH
            needs_refund = True
        elif order.status == OrderStatus.PENDING_PAYMENT:
            order_status_move(order=order, target=OrderStatus.PAID, at=now, note=payment.reference)
            events.ORDER_PAID.announce(order_id=order.pk)
        else:
            # The order was cancelled meanwhile, or another payment already paid it.
            needs_refund = True
    payment.save()
    followup = _Followup()
    if needs_refund and payment.captured_fen > 0:
        refund = Refund.objects.create(
            payment=payment,
            amount_fen=payment.captured_fen,
            reason=str(_("订单无需此笔付款，自动退回")),
            idempotency_key=f"auto:{payment.reference}",
        )
        followup = _Followup("refund", refund.pk)
    audit_record(
        actor=None, organization=order.merchant, action=f"payment.{target}", target=payment,
        data={"from": previous, "provider_status": remote.status, "captured_fen": payment.captured_fen},
    )
    return followup


def _follow(*, payment_id: int, followup: _Followup, skip: frozenset[str] = frozenset()) -> None:
    if followup.kind in skip:
        return
    if followup.kind == "capture":
        payment_capture(payment_id=payment_id)
    elif followup.kind == "void":
        payment_void(payment_id=payment_id)
    elif followup.kind == "refund" and followup.refund_id is not None:
        refund_execute(refund_id=followup.refund_id)


# -- capture and void ------------------------------------------------------------------------------------------------


def payment_capture(*, payment_id: int) -> Payment:
    """Take the money of an authorised payment. Safe to call twice, or from two places at once."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.group_id is not None:
        from .payment_groups import payment_group_capture

        payment_group_capture(group_id=payment.group_id)
        return Payment.objects.get(pk=payment_id)
    if payment.status != PaymentStatus.AUTHORISED:
        return payment
    provider = provider_get(payment.provider)
    try:
        remote = provider.capture(
            provider_ref=payment.provider_ref,
            amount_fen=payment.amount_fen,
            idempotency_key=f"capture:{payment.reference}",
        )
    except ProviderUnavailable:
        return payment  # still authorised: the next webhook or refresh tries again
    except ProviderError:
        remote = provider.payment_retrieve(provider_ref=payment.provider_ref)
    _follow(
        payment_id=payment_id,
        followup=_payment_sync(payment_id=payment_id, remote=remote),
        skip=frozenset({"capture"}),
    )
    return Payment.objects.get(pk=payment_id)


def payment_void(*, payment_id: int) -> Payment:
    """Release an authorisation or close an unfinished checkout (the order no longer needs it)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.group_id is not None:  # a combined payment is voided as a whole (services/payment_groups.py)
        from .payment_groups import payment_group_void

        payment_group_void(group_id=payment.group_id)
        return Payment.objects.get(pk=payment_id)
    if payment.status not in PAYMENT_OPEN:
        return payment
    if not payment.provider_ref:
        with transaction.atomic():
            Payment.objects.filter(pk=payment_id, status=PaymentStatus.CREATED, provider_ref="").update(
                status=PaymentStatus.VOIDED
            )
        return Payment.objects.get(pk=payment_id)
    provider = provider_get(payment.provider)
    try:
        remote = provider.void(provider_ref=payment.provider_ref, idempotency_key=f"void:{payment.reference}")
    except ProviderUnavailable:
        return payment
    except ProviderError:
        remote = provider.payment_retrieve(provider_ref=payment.provider_ref)
    _follow(
        payment_id=payment_id,
        followup=_payment_sync(payment_id=payment_id, remote=remote),
        skip=frozenset({"capture", "void"}),
    )
    return Payment.objects.get(pk=payment_id)


# -- catching up with the provider -------------------------------------------------------------------------------------

# Leave the consumer a moment on the hosted page before asking the provider.
RECONCILE_GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class Reconciliation:
    """What one catch-up with the provider did."""

    webhooks_delivered: int
    payments_refreshed: int
    refunds_retried: int


def payments_reconcile(*, now: datetime | None = None) -> Reconciliation:
    """Redeliver the sandbox's undelivered webhooks, ask the provider about payments still open and retry refunds
    it could not be reached for. Every step is idempotent."""
    # Only the built-in sandbox keeps undelivered webhooks here; a real provider redelivers its own.
    from xinren.orders.payments.sandbox import webhooks_deliver_pending

    delivered = webhooks_deliver_pending()
    before = (now or clock.now()) - RECONCILE_GRACE
    open_payments = Payment.objects.filter(status__in=PAYMENT_OPEN, updated_at__lt=before).exclude(provider_ref="")
    refreshed = [payment_refresh(payment_id=pk) for pk in open_payments.values_list("pk", flat=True)]
    pending = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=before)
    retried = [refund_execute(refund_id=pk) for pk in pending.values_list("pk", flat=True)]
    return Reconciliation(
        webhooks_delivered=delivered, payments_refreshed=len(refreshed), refunds_retried=len(retried)
    )

"""Provider webhooks: verified over the raw body, recorded once per event id, applied like any other news."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import DomainError
from xinren.orders import errors
from xinren.orders.models import Payment, PaymentGroup, PaymentWebhookEvent, Refund
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import ProviderPayment, WebhookEvent, WebhookVerificationError

from .payment_groups import GroupFollowup, payment_group_follow, payment_group_sync
from .payments import _follow, _Followup, _payment_sync
from .refunds import _refund_apply

_MESSAGES = {
    errors.WEBHOOK_SIGNATURE: _("回调签名无效"),
    errors.WEBHOOK_REPLAYED: _("回调时间戳超出允许范围"),
    errors.WEBHOOK_INVALID: _("回调内容无效"),
}

def payment_webhook_receive(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify a provider's webhook over its raw body, record it once, and apply it. Returns what was done."""
    provider = provider_get(provider_name)
    try:
        event = provider.webhook_verify(body=body, headers=headers)
    except WebhookVerificationError as exc:
        message = _MESSAGES.get(exc.code, _MESSAGES[errors.WEBHOOK_SIGNATURE])
        raise DomainError(exc.code, message, status=400) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentWebhookEvent.objects.create(
                    provider=provider.name, event_id=event.event_id, event_type=event.event_type, payload=event.payload
                )
        except IntegrityError:
            return "duplicate"
        outcome, payment_id, followup = _webhook_apply(provider_name=provider.name, event=event)
        group_after = None
        if outcome == "unknown_payment" and event.payment is not None:
            outcome, group_after = _webhook_apply_group(provider_name=provider.name, remote=event.payment)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    if payment_id is not None:
        _follow(payment_id=payment_id, followup=followup)
    if group_after is not None:
        payment_group_follow(group_id=group_after[0], followup=group_after[1])
    return outcome


def _webhook_apply_group(
    *, provider_name: str, remote: ProviderPayment
) -> tuple[str, tuple[int, GroupFollowup] | None]:
    """A combined payment's news (its reference is the group's, not any single payment's)."""
    group = PaymentGroup.objects.filter(provider=provider_name, reference=remote.reference).first()
    if group is None:
        return "unknown_payment", None
    followup = payment_group_sync(group_id=group.pk, remote=remote)
    status = PaymentGroup.objects.filter(pk=group.pk).values_list("status", flat=True).get()
    return f"payment_group_{status}", (group.pk, followup)


def _webhook_apply(*, provider_name: str, event: WebhookEvent) -> tuple[str, int | None, _Followup]:
    if event.refund is not None:
        refund = Refund.objects.filter(
            idempotency_key=event.refund.reference, payment__provider=provider_name
        ).first()
        if refund is None:
            return "unknown_refund", None, _Followup()
        applied = _refund_apply(refund_id=refund.pk, remote=event.refund)
        return f"refund_{applied.status}", None, _Followup()
    if event.payment is not None:
        payment = Payment.objects.filter(provider=provider_name, reference=event.payment.reference).first()
        if payment is None:
            return "unknown_payment", None, _Followup()
        followup = _payment_sync(payment_id=payment.pk, remote=event.payment)
        status = Payment.objects.filter(pk=payment.pk).values_list("status", flat=True).get()
        return f"payment_{status}", payment.pk, followup
    return "ignored", None, _Followup()

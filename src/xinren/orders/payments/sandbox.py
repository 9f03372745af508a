"""The built-in payment provider, named "sandbox": it behaves like a real one but no money moves.

It keeps its own tables (sandbox_models.py) as a real provider keeps its own ledger, refuses what a real one
refuses (capturing twice, refunding more than was captured, reusing an idempotency key for a different request),
and reports every change by a signed webhook. Which outcome a payment gets is decided by the payment token the
consumer picks on the sandbox's hosted page, or by the amount; docs/payments.md lists the triggers.

Webhooks are delivered by a background task queued in the sandbox's own transaction (`webhook_deliver_task`,
retried with backoff), as the exact bytes and signature header an HTTP POST would carry; what is still undelivered
after that is redelivered by `payments_reconcile` (every five minutes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.tasks import background, task_enqueue
from xinren.orders import errors

from .provider import (
    CheckoutSession,
    ProviderError,
    ProviderPayment,
    ProviderRefund,
    ProviderRefundStatus,
    ProviderStatus,
    ProviderTransfer,
    ProviderTransferKind,
    ProviderTransferStatus,
    WebhookEvent,
    WebhookVerificationError,
)
from .sandbox_models import (
    SandboxCharge,
    SandboxIdempotencyKey,
    SandboxRefund,
    SandboxTransfer,
    SandboxWebhookEvent,
)
from .signatures import (
    SIGNATURE_HEADER,
    header_get,
    webhook_secrets,
    webhook_sign,
    webhook_signature_verify,
    webhook_tolerance,
)

logger = logging.getLogger(__name__)

SANDBOX = "sandbox"
# The sandbox's hosted checkout page; the web layer serves it at this path (web/shop).
CHECKOUT_PATH = "/shop/sandbox/pay/{ref}/"
# Any payment above this amount (50,000.00 yuan) is declined with `amount_too_large`.
AMOUNT_LIMIT_FEN = 5_000_000
CURRENCIES = frozenset({"CNY"})
# A payout whose amount ends in 13 fen fails at the payee's side (frozen wallet), reported by its webhook.
PAYOUT_FAIL_FEN_SUFFIX = 13
# Where transfer webhooks go: the platform's receiver, as the notify_url registered with a real provider.
TRANSFER_RECEIVER = "xinren.aftersales.fund.callbacks.transfer_webhook_receive"


class Token:
    """Payment tokens that decide the outcome, as test card numbers do at real providers."""

    SUCCESS = "tok_success"
    WALLET = "tok_wallet"
    DECLINE = "tok_decline"
    INSUFFICIENT_FUNDS = "tok_insufficient_funds"
    CAPTURE_FAIL = "tok_capture_fail"
    REFUND_FAIL = "tok_refund_fail"


TOKEN_LABELS = {
    Token.SUCCESS: _("支付成功（先授权，后收款）"),
    Token.WALLET: _("钱包支付成功（授权并立即收款）"),
    Token.DECLINE: _("银行拒绝"),
    Token.INSUFFICIENT_FUNDS: _("余额不足"),
    Token.CAPTURE_FAIL: _("授权成功，但收款失败"),
    Token.REFUND_FAIL: _("支付成功，但之后的退款会失败"),
}


def _ref(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _payment_dict(charge: SandboxCharge) -> dict[str, Any]:
    return {
        "id": charge.ref,
        "reference": charge.reference,
        "status": charge.status,
        "amount_fen": charge.amount_fen,
        "captured_fen": charge.captured_fen,
        "refunded_fen": charge.refunded_fen,
        "currency": charge.currency,
        "failure_code": charge.failure_code,
        "failure_message": charge.failure_message,
    }


def _refund_dict(refund: SandboxRefund) -> dict[str, Any]:
    return {
        "id": refund.ref,
        "payment": refund.charge.ref,
        "reference": refund.reference,
        "status": refund.status,
        "amount_fen": refund.amount_fen,
        "failure_code": refund.failure_code,
    }


def _transfer_dict(transfer: SandboxTransfer, *, status: str | None = None) -> dict[str, Any]:
    return {
        "id": transfer.ref,
        "reference": transfer.reference,
        "kind": transfer.kind,
        "party": transfer.party,
        "amount_fen": transfer.amount_fen,
        "status": status or transfer.status,
        "currency": transfer.currency,
        "failure_code": transfer.failure_code if (status or transfer.status) == ProviderTransferStatus.FAILED else "",
    }


def _transfer_from(data: Mapping[str, Any]) -> ProviderTransfer:
    return ProviderTransfer(
        transfer_ref=str(data["id"]),
        reference=str(data["reference"]),
        kind=str(data["kind"]),
        party=str(data["party"]),
        amount_fen=int(data["amount_fen"]),
        status=str(data["status"]),
        currency=str(data.get("currency", "CNY")),
        failure_code=str(data.get("failure_code", "")),
    )


def _payment_from(data: Mapping[str, Any]) -> ProviderPayment:
    return ProviderPayment(
        provider_ref=str(data["id"]),
        reference=str(data["reference"]),
        status=str(data["status"]),
        amount_fen=int(data["amount_fen"]),
        captured_fen=int(data["captured_fen"]),
        refunded_fen=int(data["refunded_fen"]),
        currency=str(data["currency"]),
        failure_code=str(data.get("failure_code", "")),
        failure_message=str(data.get("failure_message", "")),
    )


def _refund_from(data: Mapping[str, Any]) -> ProviderRefund:
    return ProviderRefund(
        refund_ref=str(data["id"]),
        provider_ref=str(data["payment"]),
        reference=str(data["reference"]),
        status=str(data["status"]),
        amount_fen=int(data["amount_fen"]),
        failure_code=str(data.get("failure_code", "")),
    )


class SandboxPaymentProvider:
    """The named sandbox provider (see the module docstring)."""

    name = SANDBOX

    # -- the PaymentProvider interface -------------------------------------------------------------------------

    def checkout_create(
        self,
        *,
        reference: str,
        amount_fen: int,
        currency: str,
        description: str,
        return_url: str,
        idempotency_key: str,
    ) -> CheckoutSession:
        if amount_fen <= 0:
            raise ProviderError("amount_invalid", "amount must be a positive number of fen")
        if currency not in CURRENCIES:
            raise ProviderError("currency_unsupported", f"currency {currency} is not supported")

        def run(_charge: SandboxCharge | None) -> dict[str, Any]:
            charge = SandboxCharge.objects.create(
                ref=_ref("sbx_pay"),
                reference=reference,
                amount_fen=amount_fen,
                currency=currency,
                description=description[:128],
                status=ProviderStatus.REQUIRES_AUTHORISATION,
                return_url=return_url,
            )
            return {"payment": _payment_dict(charge), "redirect_url": CHECKOUT_PATH.format(ref=charge.ref)}

        params = {"reference": reference, "amount_fen": amount_fen, "currency": currency, "return_url": return_url}
        response = self._idempotent(key=idempotency_key, operation="checkout_create", params=params, run=run)
        return CheckoutSession(payment=_payment_from(response["payment"]), redirect_url=str(response["redirect_url"]))

    def authorise(self, *, provider_ref: str, payment_token: str, idempotency_key: str) -> ProviderPayment:
        def run(charge: SandboxCharge | None) -> dict[str, Any]:
            assert charge is not None
            if charge.status != ProviderStatus.REQUIRES_AUTHORISATION:
                raise ProviderError("payment_not_authorisable", f"payment is {charge.status}")
            if payment_token not in TOKEN_LABELS:
                raise ProviderError("payment_token_invalid", "unknown payment token")
            charge.payment_token = payment_token
            if charge.amount_fen > AMOUNT_LIMIT_FEN:
                self._fail(charge, "amount_too_large", "The amount exceeds the single-payment limit.")
            elif payment_token == Token.DECLINE:
                self._fail(charge, "card_declined", "The payment was declined by the bank.")
            elif payment_token == Token.INSUFFICIENT_FUNDS:
                self._fail(charge, "insufficient_funds", "The account has insufficient funds.")
            elif payment_token == Token.WALLET:
                charge.status = ProviderStatus.CAPTURED
                charge.captured_fen = charge.amount_fen
            else:
                charge.status = ProviderStatus.AUTHORISED
            charge.save()
            self._event_queue(f"payment.{charge.status}", charge=charge)
            return _payment_dict(charge)

        params = {"payment": provider_ref, "token": payment_token}
        return _payment_from(
            self._idempotent(key=idempotency_key, operation="authorise", params=params, run=run, ref=provider_ref)
        )

    def capture(self, *, provider_ref: str, amount_fen: int, idempotency_key: str) -> ProviderPayment:
        def run(charge: SandboxCharge | None) -> dict[str, Any]:
            assert charge is not None
            if charge.status != ProviderStatus.AUTHORISED:
                raise ProviderError("payment_not_capturable", f"payment is {charge.status}")
            if not 0 < amount_fen <= charge.amount_fen:
                raise ProviderError("amount_invalid", "capture amount exceeds the authorised amount")
            if charge.payment_token == Token.CAPTURE_FAIL:
                self._fail(charge, "processing_error", "The capture could not be processed.")
            else:
                charge.status = ProviderStatus.CAPTURED
                charge.captured_fen = amount_fen
            charge.save()
            self._event_queue(f"payment.{charge.status}", charge=charge)
            return _payment_dict(charge)

        params = {"payment": provider_ref, "amount_fen": amount_fen}
        return _payment_from(
            self._idempotent(key=idempotency_key, operation="capture", params=params, run=run, ref=provider_ref)
        )

    def void(self, *, provider_ref: str, idempotency_key: str) -> ProviderPayment:
        def run(charge: SandboxCharge | None) -> dict[str, Any]:
            assert charge is not None
            if charge.status not in (ProviderStatus.REQUIRES_AUTHORISATION, ProviderStatus.AUTHORISED):
                raise ProviderError("payment_not_voidable", f"payment is {charge.status}")
            charge.status = ProviderStatus.VOIDED
            charge.save()
            self._event_queue("payment.voided", charge=charge)
            return _payment_dict(charge)

        return _payment_from(
            self._idempotent(
                key=idempotency_key, operation="void", params={"payment": provider_ref}, run=run, ref=provider_ref
            )
        )

    def refund(
        self, *, provider_ref: str, amount_fen: int, reference: str, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        def run(charge: SandboxCharge | None) -> dict[str, Any]:
            assert charge is not None
            if charge.status != ProviderStatus.CAPTURED:
                raise ProviderError("payment_not_refundable", f"payment is {charge.status}")
            if not 0 < amount_fen <= charge.captured_fen - charge.refunded_fen:
                raise ProviderError("amount_exceeds_refundable", "refund exceeds the captured amount not yet refunded")
            if charge.payment_token == Token.REFUND_FAIL:
                refund = SandboxRefund.objects.create(
                    ref=_ref("sbx_re"), charge=charge, reference=reference, amount_fen=amount_fen,
                    status=ProviderRefundStatus.FAILED, failure_code="refund_declined",
                )
            else:
                SandboxCharge.objects.filter(pk=charge.pk).update(refunded_fen=F("refunded_fen") + amount_fen)
                charge.refresh_from_db()
                refund = SandboxRefund.objects.create(
                    ref=_ref("sbx_re"), charge=charge, reference=reference, amount_fen=amount_fen,
                    status=ProviderRefundStatus.SUCCEEDED,
                )
            self._event_queue(f"refund.{refund.status}", charge=charge, refund=refund)
            return {"refund": _refund_dict(refund)}

        params = {"payment": provider_ref, "amount_fen": amount_fen, "reference": reference}
        response = self._idempotent(key=idempotency_key, operation="refund", params=params, run=run, ref=provider_ref)
        return _refund_from(response["refund"])

    def payment_retrieve(self, *, provider_ref: str) -> ProviderPayment:
        charge = SandboxCharge.objects.filter(ref=provider_ref).first()
        if charge is None:
            raise ProviderError("payment_not_found", "no such payment")
        return _payment_from(_payment_dict(charge))

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        webhook_signature_verify(
            body=body,
            header=header_get(headers, SIGNATURE_HEADER),
            secrets=webhook_secrets(),
            now=int(clock.now().timestamp()),
            tolerance=webhook_tolerance(),
        )
        try:
            payload = json.loads(body)
            data = payload["data"]
            return WebhookEvent(
                event_id=str(payload["id"]),
                event_type=str(payload["type"]),
                created=datetime.fromtimestamp(int(payload["created"]), tz=UTC),
                payment=_payment_from(data["payment"]) if "payment" in data else None,
                refund=_refund_from(data["refund"]) if "refund" in data else None,
                transfer=_transfer_from(data["transfer"]) if "transfer" in data else None,
                payload=payload,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WebhookVerificationError(errors.WEBHOOK_INVALID) from exc

    # -- the EscrowProvider interface (escrow and profit-sharing) ----------------------------------------------

    def escrow_collect(
        self, *, reference: str, payer: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        return self._transfer(kind=ProviderTransferKind.ESCROW_COLLECT, reference=reference, party=payer,
                              amount_fen=amount_fen, description=description, idempotency_key=idempotency_key)

    def payout_transfer(
        self, *, reference: str, payee: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        return self._transfer(kind=ProviderTransferKind.PAYOUT, reference=reference, party=payee,
                              amount_fen=amount_fen, description=description, idempotency_key=idempotency_key)

    def settlement_deduct(
        self, *, reference: str, merchant: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        return self._transfer(kind=ProviderTransferKind.SETTLEMENT_DEDUCT, reference=reference, party=merchant,
                              amount_fen=amount_fen, description=description, idempotency_key=idempotency_key)

    def transfer_list(self) -> list[ProviderTransfer]:
        escrow = SandboxTransfer.objects.exclude(kind=ProviderTransferKind.MERCHANT_SETTLE).order_by("id")
        return [_transfer_from(_transfer_dict(transfer)) for transfer in escrow]

    def merchant_settle(
        self, *, reference: str, merchant: str, account_hash: str, amount_fen: int, description: str,
        idempotency_key: str,
    ) -> ProviderTransfer:
        """Settles at once; an amount ending in PAYOUT_FAIL_FEN_SUFFIX fen fails (`payee_account_abnormal`)."""
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ProviderError("amount_invalid", "amount must be a positive number of fen")
        if not merchant or not reference or not account_hash:
            raise ProviderError("party_required", "a merchant, its account and a reference are required")

        def run(_charge: SandboxCharge | None) -> dict[str, Any]:
            failed = amount_fen % 100 == PAYOUT_FAIL_FEN_SUFFIX
            outcome = ProviderTransferStatus.FAILED if failed else ProviderTransferStatus.SUCCEEDED
            transfer = SandboxTransfer.objects.create(
                ref=_ref("sbx_st"), reference=reference, kind=ProviderTransferKind.MERCHANT_SETTLE, party=merchant,
                amount_fen=amount_fen, description=description[:128], outcome=outcome, status=outcome,
                failure_code="payee_account_abnormal" if failed else "",
            )
            return {"transfer": _transfer_dict(transfer)}

        params = {"reference": reference, "merchant": merchant, "account": account_hash, "amount_fen": amount_fen}
        response = self._idempotent(key=idempotency_key, operation=ProviderTransferKind.MERCHANT_SETTLE,
                                    params=params, run=run)
        return _transfer_from(response["transfer"])

    def _transfer(
        self, *, kind: str, reference: str, party: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        """Collections and deductions succeed at once; a payout is `processing` until its webhook is sent."""
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ProviderError("amount_invalid", "amount must be a positive number of fen")
        if amount_fen > AMOUNT_LIMIT_FEN:
            raise ProviderError("amount_too_large", "The amount exceeds the single-transfer limit.")
        if not party or not reference:
            raise ProviderError("party_required", "a payer or payee and a reference are required")

        def run(_charge: SandboxCharge | None) -> dict[str, Any]:
            failed = kind == ProviderTransferKind.PAYOUT and amount_fen % 100 == PAYOUT_FAIL_FEN_SUFFIX
            outcome = ProviderTransferStatus.FAILED if failed else ProviderTransferStatus.SUCCEEDED
            transfer = SandboxTransfer.objects.create(
                ref=_ref("sbx_tr"), reference=reference, kind=kind, party=party, amount_fen=amount_fen,
                description=description[:128], outcome=outcome,
                status=ProviderTransferStatus.PROCESSING if kind == ProviderTransferKind.PAYOUT else outcome,
                failure_code="payee_account_abnormal" if failed else "",
            )
            self._transfer_event_queue(transfer)
            return {"transfer": _transfer_dict(transfer)}

        params = {"kind": kind, "reference": reference, "party": party, "amount_fen": amount_fen}
        response = self._idempotent(key=idempotency_key, operation=kind, params=params, run=run)
        return _transfer_from(response["transfer"])

    @staticmethod
    def _transfer_event_queue(transfer: SandboxTransfer) -> None:
        event_id = _ref("evt")
        body = json.dumps(
            {"id": event_id, "type": f"transfer.{transfer.outcome}", "created": int(clock.now().timestamp()),
             "data": {"transfer": _transfer_dict(transfer, status=transfer.outcome)}},
            separators=(",", ":"),
            sort_keys=True,
        )
        SandboxWebhookEvent.objects.create(event_id=event_id, event_type=f"transfer.{transfer.outcome}", body=body)
        task_enqueue(webhook_deliver_task, event_id=event_id)

    # -- the hosted checkout page (sandbox only) ----------------------------------------------------------------

    def checkout_get(self, *, provider_ref: str) -> SandboxCharge | None:
        """The payment the hosted page shows."""
        return SandboxCharge.objects.filter(ref=provider_ref).first()

    def checkout_complete(self, *, provider_ref: str, payment_token: str) -> ProviderPayment:
        """The consumer chose an outcome on the hosted page; submitting the same choice twice changes nothing."""
        return self.authorise(
            provider_ref=provider_ref, payment_token=payment_token, idempotency_key=f"hosted:{provider_ref}"
        )

    # -- internals ----------------------------------------------------------------------------------------------

    @staticmethod
    def _fail(charge: SandboxCharge, code: str, message: str) -> None:
        charge.status = ProviderStatus.FAILED
        charge.failure_code = code
        charge.failure_message = message

    @staticmethod
    def _replay(record: SandboxIdempotencyKey, operation: str, fingerprint: str) -> dict[str, Any]:
        if record.operation != operation or record.fingerprint != fingerprint:
            raise ProviderError("idempotency_key_reused", "this key was used for a different request")
        return dict(record.response)

    def _idempotent(
        self,
        *,
        key: str,
        operation: str,
        params: Mapping[str, Any],
        run: Callable[[SandboxCharge | None], dict[str, Any]],
        ref: str | None = None,
    ) -> dict[str, Any]:
        """Run `run` once per key. The payment row is locked first, so a concurrent request with the same key
        waits and then finds the stored answer; for a new payment the key's unique index plays that part."""
        if not key:
            raise ProviderError("idempotency_key_required", "an idempotency key is required")
        fingerprint = hashlib.sha256(json.dumps([operation, dict(params)], sort_keys=True).encode()).hexdigest()
        with transaction.atomic():
            charge = None
            if ref is not None:
                charge = SandboxCharge.objects.select_for_update().filter(ref=ref).first()
                if charge is None:
                    raise ProviderError("payment_not_found", "no such payment")
            record = SandboxIdempotencyKey.objects.filter(key=key).first()
            if record is not None:
                return self._replay(record, operation, fingerprint)
            try:
                with transaction.atomic():
                    response = run(charge)
                    SandboxIdempotencyKey.objects.create(
                        key=key, operation=operation, fingerprint=fingerprint, response=response
                    )
            except IntegrityError:
                record = SandboxIdempotencyKey.objects.filter(key=key).first()
                if record is None:
                    raise
                return self._replay(record, operation, fingerprint)
            return response

    @staticmethod
    def _event_queue(event_type: str, *, charge: SandboxCharge, refund: SandboxRefund | None = None) -> None:
        data: dict[str, Any] = {"payment": _payment_dict(charge)}
        if refund is not None:
            data["refund"] = _refund_dict(refund)
        event_id = _ref("evt")
        body = json.dumps(
            {"id": event_id, "type": event_type, "created": int(clock.now().timestamp()), "data": data},
            separators=(",", ":"),
            sort_keys=True,
        )
        SandboxWebhookEvent.objects.create(event_id=event_id, event_type=event_type, body=body)
        task_enqueue(webhook_deliver_task, event_id=event_id)


def webhook_deliver(*, event_id: str) -> bool:
    """Send one event to the platform's webhook receiver: the same bytes and signature an HTTP POST would carry."""
    event = SandboxWebhookEvent.objects.filter(event_id=event_id, delivered_at__isnull=True).first()
    if event is None:
        return False
    body = event.body.encode()
    headers = {
        SIGNATURE_HEADER: webhook_sign(
            body=body, timestamp=int(clock.now().timestamp()), secrets=webhook_secrets()[:1]
        )
    }
    # The receiving end of the "HTTP" call; imported here because the platform sits on top of its providers.
    from xinren.orders.services.webhooks import payment_webhook_receive

    receive = payment_webhook_receive
    if event.event_type.startswith("transfer."):
        # A transfer ends when the provider reports it; its notice goes to the fund's receiver (the notify_url).
        transfer_complete(body=body)
        receive = import_string(getattr(settings, "XINREN_PAYMENT_TRANSFER_WEBHOOK_RECEIVER", TRANSFER_RECEIVER))
    try:
        receive(provider_name=SANDBOX, body=body, headers=headers)
    except Exception as exc:  # a failed delivery is retried later, as a real provider would
        logger.warning("sandbox webhook %s not delivered: %s", event_id, exc)
        SandboxWebhookEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:256])
        return False
    SandboxWebhookEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1, delivered_at=clock.now())
    return True


def transfer_complete(*, body: bytes) -> None:
    """Give a processing transfer the outcome its webhook announces (the sandbox's bank finishing the job)."""
    data = json.loads(body)["data"]["transfer"]
    SandboxTransfer.objects.filter(ref=data["id"], status=ProviderTransferStatus.PROCESSING).update(
        status=F("outcome")
    )


class WebhookUndelivered(Exception):
    """The platform did not accept a webhook (the task is retried)."""


@background(attempts=6)
def webhook_deliver_task(*, event_id: str) -> bool:
    """Deliver one event; raises while it stays undelivered, so it is tried again later. Whether this run
    delivered it (False when it had been delivered already)."""
    if webhook_deliver(event_id=event_id):
        return True
    event = SandboxWebhookEvent.objects.filter(event_id=event_id, delivered_at__isnull=True).first()
    if event is not None:
        raise WebhookUndelivered(f"{event_id}: {event.last_error}")
    return False


def webhooks_deliver_pending(*, limit: int = 100) -> int:
    """Retry undelivered events, oldest first; returns how many were delivered."""
    pending = SandboxWebhookEvent.objects.filter(delivered_at__isnull=True).order_by("id").values_list(
        "event_id", flat=True
    )[:limit]
    return sum(webhook_deliver(event_id=event_id) for event_id in list(pending))

"""The payment-provider interface. The platform only talks to providers through this; see docs/payments.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


class ProviderStatus:
    """A provider's view of one payment, normalised. Providers map their own states onto these."""

    REQUIRES_AUTHORISATION = "requires_authorisation"
    AUTHORISED = "authorised"
    CAPTURED = "captured"
    VOIDED = "voided"
    FAILED = "failed"


class ProviderRefundStatus:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider says about one payment. `refunded_fen` is informational; refunds are tracked one by one."""

    provider_ref: str
    reference: str
    status: str
    amount_fen: int
    captured_fen: int = 0
    refunded_fen: int = 0
    currency: str = "CNY"
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class CheckoutSession:
    """A payment opened at the provider and the hosted page where the consumer completes it."""

    payment: ProviderPayment
    redirect_url: str


@dataclass(frozen=True)
class ProviderRefund:
    """One refund as the provider reports it. `reference` is the platform's refund reference, echoed back."""

    refund_ref: str
    provider_ref: str
    reference: str
    status: str
    amount_fen: int
    failure_code: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """A verified notification: its id (for de-duplication), its type, and the object it is about."""

    event_id: str
    event_type: str
    created: datetime
    payment: ProviderPayment | None = None
    refund: ProviderRefund | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """The provider refused the request (bad state, bad amount, a reused idempotency key). Retrying will not help."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or timed out. Retrying with the same idempotency key is safe."""


class WebhookVerificationError(Exception):
    """A webhook whose signature or timestamp does not check out; `code` is one of orders.errors.WEBHOOK_*."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider. Every call that changes money takes an idempotency key that the provider honours:
    the same key with the same arguments returns the first answer again and never moves money twice.
    """

    name: str

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
        """Open a payment and the hosted page where the consumer authorises it."""
        ...

    def authorise(self, *, provider_ref: str, payment_token: str, idempotency_key: str) -> ProviderPayment:
        """Authorise an open payment with a payment method token (server-to-server)."""
        ...

    def capture(self, *, provider_ref: str, amount_fen: int, idempotency_key: str) -> ProviderPayment:
        """Take the authorised money."""
        ...

    def void(self, *, provider_ref: str, idempotency_key: str) -> ProviderPayment:
        """Release an authorisation, or close a payment the consumer never completed."""
        ...

    def refund(
        self, *, provider_ref: str, amount_fen: int, reference: str, reason: str, idempotency_key: str
    ) -> ProviderRefund:
        """Return part or all of the captured money."""
        ...

    def payment_retrieve(self, *, provider_ref: str) -> ProviderPayment:
        """The provider's current view of a payment."""
        ...

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Check a webhook's signature and freshness over the raw body, then parse it; raises
        WebhookVerificationError."""
        ...

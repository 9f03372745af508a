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
    # The provider's id of the paying account (WeChat Pay openid, Alipay buyer_user_id) once paid, when it says;
    # the platform keeps only its keyed hash (Order.payment_hash).
    payer: str = ""


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


class ProviderTransferKind:
    """The escrow operations (see EscrowProvider): which way the money goes through the platform's escrow account."""

    ESCROW_COLLECT = "escrow_collect"  # a payer (a merchant's deposit, the platform's contribution) pays in
    PAYOUT = "payout"  # escrow → a consumer's wallet (WeChat Pay 商家转账, Alipay 单笔转账)
    SETTLEMENT_DEDUCT = "settlement_deduct"  # a merchant's pending settlement → escrow (服务商分账 / 分账)
    MERCHANT_SETTLE = "merchant_settle"  # a merchant's settlement → its bank account (结算); not the escrow account


# Money into the escrow account is counted positive, money out negative (reconciliation sums them).
TRANSFER_DIRECTION = {
    ProviderTransferKind.ESCROW_COLLECT: 1,
    ProviderTransferKind.PAYOUT: -1,
    ProviderTransferKind.SETTLEMENT_DEDUCT: 1,
}


class ProviderTransferStatus:
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderTransfer:
    """One escrow transfer as the provider reports it. `reference` is the platform's (its journal key), echoed back;
    `party` names the payer or payee as the platform told the provider ("org:12", a consumer's pseudonym)."""

    transfer_ref: str
    reference: str
    kind: str
    party: str
    amount_fen: int
    status: str
    currency: str = "CNY"
    failure_code: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """A verified notification: its id (for de-duplication), its type, and the object it is about."""

    event_id: str
    event_type: str
    created: datetime
    payment: ProviderPayment | None = None
    refund: ProviderRefund | None = None
    transfer: ProviderTransfer | None = None
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


@runtime_checkable
class EscrowProvider(Protocol):
    """The escrow / profit-sharing operations of a licensed provider (the shape of WeChat Pay 服务商分账 and 商家转账,
    and of Alipay 分账 and 单笔转账): the platform never holds the money itself (二清), it instructs the provider.
    Every call takes an idempotency key with the same promise as PaymentProvider's; a transfer's final status
    arrives by a signed webhook (`transfer.succeeded` / `transfer.failed`), verified by `webhook_verify`.
    See docs/payments.md ("Escrow operations").
    """

    name: str

    def escrow_collect(
        self, *, reference: str, payer: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        """Take money from a payer into the platform's escrow account (a merchant's deposit, a fund contribution)."""
        ...

    def payout_transfer(
        self, *, reference: str, payee: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        """Pay from the escrow account to a consumer; usually `processing` until the webhook says how it ended."""
        ...

    def settlement_deduct(
        self, *, reference: str, merchant: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderTransfer:
        """Take money from a merchant's settlements not yet paid out to it, into the escrow account."""
        ...

    def transfer_list(self) -> list[ProviderTransfer]:
        """The provider's own record of every escrow transfer (what reconciliation compares the ledger with)."""
        ...

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """As PaymentProvider.webhook_verify."""
        ...


@runtime_checkable
class SettlementProvider(Protocol):
    """Paying merchants what their orders earned (结算): the shape of WeChat Pay 服务商分账 to a sub-merchant and of
    Alipay 结算, here as one call per order. See docs/payments.md ("Merchant settlements") and orders/payouts.py.
    """

    name: str

    def merchant_settle(
        self, *, reference: str, merchant: str, account_hash: str, amount_fen: int, description: str,
        idempotency_key: str,
    ) -> ProviderTransfer:
        """Pay a merchant its settlement of an order (paid minus refunded) into the bank account it registered
        (named by the keyed hash the platform keeps, `account_hash`; the provider holds the account itself).
        Not an escrow transfer: `transfer_list` leaves it out. Final at once (succeeded or failed)."""
        ...

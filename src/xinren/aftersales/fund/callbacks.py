"""The provider's signed notices about escrow transfers (`transfer.succeeded` / `transfer.failed`).

The signature is checked over the raw bytes before anything is read (a forged or stale notice is refused and
changes nothing). A notice is accepted once per event id and once per transfer: a replay, or the same news under
another id, finds the first answer. A failed transfer is undone by a reversal journal in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.aftersales.models.fund import FundCallback, Journal
from xinren.core import clock
from xinren.core.errors import Conflict, DomainError, NotFound
from xinren.core.tasks import task_enqueue
from xinren.orders.payments.provider import ProviderTransferStatus, WebhookVerificationError

from . import errors
from .choices import PAYOUT_KINDS, AccountKind, CallbackOutcome
from .services import escrow_provider, journal_reverse_for_failed_transfer, ledger_lock

FINAL = frozenset({ProviderTransferStatus.SUCCEEDED, ProviderTransferStatus.FAILED})


@transaction.atomic
def transfer_webhook_receive(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> FundCallback | None:
    """Verify and apply one transfer notice; returns the callback row that answers it (the first one on a replay),
    or None for a notice that is not about a finished transfer."""
    provider = escrow_provider(provider_name)
    try:
        event = provider.webhook_verify(body=body, headers=headers)
    except WebhookVerificationError as exc:
        raise DomainError(errors.CALLBACK_FORGED, _("转账通知签名无效或已过期，已拒绝"),
                          details={"reason": exc.code}, status=400) from exc
    transfer = event.transfer
    if transfer is None or transfer.status not in FINAL:
        return None
    ledger_lock()  # the ledger's mutex first, as every write (docs/fund.md, "Lock order")
    seen = FundCallback.objects.filter(provider=provider.name, event_id=event.event_id).first()
    if seen is not None:
        return seen
    journal = (
        Journal.objects.select_for_update().filter(provider=provider.name, provider_ref=transfer.transfer_ref).first()
    )
    if journal is None:
        raise NotFound(errors.CALLBACK_UNKNOWN, _("通知所指的转账不在基金账本中"),
                       details={"transfer": transfer.transfer_ref})
    if transfer.amount_fen != _transferred_fen(journal):
        raise Conflict(errors.CALLBACK_MISMATCH, _("通知金额与账本不符"),
                       details={"transfer": transfer.transfer_ref, "amount_fen": transfer.amount_fen})
    earlier = FundCallback.objects.filter(provider=provider.name, transfer_ref=transfer.transfer_ref).first()
    if earlier is not None:
        return earlier  # the same transfer's outcome, already applied
    outcome = CallbackOutcome.CONFIRMED
    if transfer.status == ProviderTransferStatus.FAILED:
        journal_reverse_for_failed_transfer(journal=journal, transfer_ref=transfer.transfer_ref)
        outcome = CallbackOutcome.REVERSED
        if journal.kind in PAYOUT_KINDS and journal.reference:
            _claim_tell(journal.reference)
    try:
        with transaction.atomic():
            return FundCallback.objects.create(
                provider=provider.name, event_id=event.event_id, transfer_ref=transfer.transfer_ref,
                status=transfer.status, outcome=outcome, journal=journal, received_at=clock.now(),
            )
    except IntegrityError:  # pragma: no cover - the journal's row lock above makes this unreachable
        raise Conflict(errors.CALLBACK_MISMATCH, _("该转账通知已处理")) from None


def _claim_tell(claim_reference: str) -> None:
    """Queue the claim's own reaction (paid → failed, to be retried) with the reversal: a task, so that this notice,
    which holds the ledger's mutex, never waits on a request's row (the lock order is request first)."""
    from xinren.aftersales.tasks import aftersale_payout_reversed_task

    task_enqueue(aftersale_payout_reversed_task, claim_reference=claim_reference)


def _transferred_fen(journal: Journal) -> int:
    """What went through the provider for this journal (a recovery's settlement part; all of it otherwise)."""
    clearing = journal.postings.filter(account__kind=AccountKind.PROVIDER_CLEARING).first()
    return abs(clearing.amount_fen) if clearing is not None else 0

"""Reconciliation: the ledger against itself and against the payment provider's own records (docs/fund.md).

It checks that every stored balance is the sum of its postings, every journal sums to zero, no account that must
stay non-negative is below zero; that every provider transfer has exactly one journal and every journal naming a
transfer has it at the provider, with the same amount and direction, reversed exactly when the transfer failed;
that the escrow the provider holds equals what the ledger says it holds; and that no claim was paid twice.
Reads only, in a few set-based queries, so it runs over hundreds of thousands of journals in seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum

from xinren.aftersales.models.fund import Account, Journal, Posting, Reconciliation
from xinren.core import clock
from xinren.orders.payments.provider import (
    TRANSFER_DIRECTION,
    ProviderTransfer,
    ProviderTransferStatus,
)

from .choices import PAYOUT_KINDS, AccountKind
from .services import escrow_provider

# How many drift lines a report keeps (the counts are always complete).
DRIFT_KEPT = 200


@dataclass
class Report:
    """What a reconciliation found. `drift` lists each disagreement; `ok` when there is none."""

    provider: str
    accounts: int = 0
    journals: int = 0
    postings: int = 0
    transfers: int = 0
    pending: int = 0
    drift_count: int = 0
    double_payments: int = 0
    escrow_provider_fen: int = 0
    escrow_ledger_fen: int = 0
    seconds: float = 0.0
    drift: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.drift_count == 0 and self.double_payments == 0

    def add(self, problem: str, **details: Any) -> None:
        self.drift_count += 1
        if len(self.drift) < DRIFT_KEPT:
            self.drift.append({**details, "kind": problem})

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "ok": self.ok, "accounts": self.accounts, "journals": self.journals,
            "postings": self.postings, "transfers": self.transfers, "pending": self.pending,
            "drift_count": self.drift_count, "double_payments": self.double_payments,
            "escrow_provider_fen": self.escrow_provider_fen, "escrow_ledger_fen": self.escrow_ledger_fen,
            "seconds": round(self.seconds, 3), "drift": self.drift,
        }


def _ledger_checks(report: Report) -> None:
    sums = dict(Posting.objects.values_list("account_id").annotate(s=Sum("amount_fen")).values_list("account_id", "s"))
    for account in Account.objects.all():
        report.accounts += 1
        summed = int(sums.get(account.pk) or 0)
        if summed != account.balance_fen:
            report.add("balance_not_sum_of_postings", account=account.pk, stored_fen=account.balance_fen,
                       postings_fen=summed)
        if account.non_negative and account.balance_fen < 0:
            report.add("negative_balance", account=account.pk, balance_fen=account.balance_fen)
    unbalanced = Posting.objects.values("journal_id").annotate(s=Sum("amount_fen")).filter(~Q(s=0))
    for row in unbalanced[:DRIFT_KEPT]:
        report.add("journal_unbalanced", journal=row["journal_id"], sum_fen=int(row["s"]))
    report.postings = Posting.objects.count()
    empty = Journal.objects.filter(postings__isnull=True)
    for journal_id in empty.values_list("id", flat=True)[:DRIFT_KEPT]:
        report.add("journal_without_postings", journal=journal_id)


def _double_payments(report: Report) -> None:
    standing = (
        Journal.objects.filter(kind__in=sorted(PAYOUT_KINDS), reversed_by__isnull=True)
        .values("kind", "reference").annotate(n=Count("id")).filter(n__gt=1)
    )
    for row in standing:
        report.double_payments += 1
        report.add("double_payment", claim_reference=row["reference"], journal_kind=row["kind"], payouts=row["n"])


def _provider_checks(report: Report, transfers: list[ProviderTransfer]) -> None:
    clearing = Account.objects.filter(kind=AccountKind.PROVIDER_CLEARING, organization=None).first()
    moved = dict(
        Posting.objects.filter(account=clearing).values_list("journal_id", "amount_fen")
    ) if clearing is not None else {}
    journals = {
        ref: (pk, key, reversed_id)
        for pk, key, ref, reversed_id in Journal.objects.filter(provider=report.provider).exclude(provider_ref="")
        .values_list("id", "key", "provider_ref", "reversed_by")
    }
    report.transfers = len(transfers)
    seen_refs = Counter(transfer.transfer_ref for transfer in transfers)
    per_reference = Counter(transfer.reference for transfer in transfers)
    held = 0
    for transfer in transfers:
        direction = TRANSFER_DIRECTION.get(transfer.kind, 0)
        if transfer.status != ProviderTransferStatus.FAILED:
            held += direction * transfer.amount_fen
        if transfer.status == ProviderTransferStatus.PROCESSING:
            report.pending += 1
        if seen_refs[transfer.transfer_ref] > 1 or per_reference[transfer.reference] > 1:
            report.add("transfer_repeated", transfer=transfer.transfer_ref, reference=transfer.reference)
        found = journals.get(transfer.transfer_ref)
        if found is None:
            report.add("transfer_without_journal", transfer=transfer.transfer_ref, amount_fen=transfer.amount_fen)
            continue
        journal_id, key, reversed_id = found
        # The clearing account is credited when money leaves the escrow, debited when it comes in.
        ledger_fen = -int(moved.get(journal_id, 0))
        if transfer.reference != key or ledger_fen != direction * transfer.amount_fen:
            report.add("amount_or_reference_differs", transfer=transfer.transfer_ref, journal=journal_id,
                       provider_fen=direction * transfer.amount_fen, ledger_fen=ledger_fen)
        failed = transfer.status == ProviderTransferStatus.FAILED
        if failed and reversed_id is None:
            report.add("failed_transfer_not_reversed", transfer=transfer.transfer_ref, journal=journal_id)
        if not failed and reversed_id is not None:
            report.add("reversed_but_transfer_stands", transfer=transfer.transfer_ref, journal=journal_id)
        if transfer.kind not in TRANSFER_DIRECTION:
            report.add("transfer_kind_unknown", transfer=transfer.transfer_ref, transfer_kind=transfer.kind)
    at_provider = set(seen_refs)
    for ref, (journal_id, _key, _reversed) in journals.items():
        if ref not in at_provider:
            report.add("journal_without_transfer", journal=journal_id, transfer=ref)
    report.escrow_provider_fen = held
    report.escrow_ledger_fen = -(clearing.balance_fen if clearing is not None else 0)
    if report.escrow_provider_fen != report.escrow_ledger_fen:
        report.add("escrow_differs", provider_fen=report.escrow_provider_fen, ledger_fen=report.escrow_ledger_fen)


def fund_reconcile(*, provider_name: str | None = None, record: bool = True) -> Report:
    """Reconcile the ledger with itself and with the provider; with `record`, keep the result for the pages."""
    started = time.perf_counter()
    provider = escrow_provider(provider_name)
    report = Report(provider=provider.name)
    # One snapshot: on PostgreSQL a repeatable-read view would be stricter, but payouts in flight show as
    # "pending" (processing at the provider, not yet final) rather than as drift, which is what matters here.
    with transaction.atomic():
        transfers = provider.transfer_list()
        _ledger_checks(report)
        report.journals = Journal.objects.count()
        _double_payments(report)
        _provider_checks(report, transfers)
    report.seconds = time.perf_counter() - started
    if record:
        Reconciliation.objects.create(ran_at=clock.now(), provider=report.provider, ok=report.ok,
                                      drift_count=report.drift_count, double_payments=report.double_payments,
                                      result=report.as_dict())
    return report

"""Reconciliation: a clean ledger agrees with the provider; each kind of tampering shows as drift."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from xinren.aftersales.fund import services
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.aftersales.fund.tasks import fund_reconcile_task
from xinren.aftersales.models.fund import Account, Reconciliation
from xinren.orders.payments.sandbox_models import SandboxTransfer

from .fund_setup import contribute, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_ledger(operator, consumer, merchant, merchant_admin, run_tasks):  # type: ignore[no-untyped-def]
    contribute(operator, 100_000)
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=1000, idempotency_key="deposit-r-1")
    for claim, amount in (("AS-1", 3000), ("AS-2", 1513), ("AS-3", 700)):
        services.fund_payout(actor=operator, claim_reference=claim, consumer=consumer, merchant=merchant,
                             amount_fen=amount, reason="坏单包赔", idempotency_key=key("payout"))
    run_tasks()
    services.fund_recover(actor=operator, claim_reference="AS-1", merchant=merchant, amount_fen=3000,
                          idempotency_key="recover-r-1")
    run_tasks()


def test_a_clean_ledger_reconciles_with_no_drift(busy_ledger) -> None:
    report = fund_reconcile()
    assert report.ok, report.drift
    assert (report.transfers, report.pending, report.double_payments) == (6, 0, 0)
    assert report.escrow_provider_fen == report.escrow_ledger_fen == 100_000 + 1000 - 3000 - 700 + 2000
    assert Reconciliation.objects.get().ok


def test_a_transfer_the_ledger_does_not_know_is_drift(busy_ledger) -> None:
    SandboxTransfer.objects.create(ref="sbx_tr_ghost", reference="ghost-1", kind="payout", party="u1",
                                   amount_fen=100, status="succeeded", outcome="succeeded")
    report = fund_reconcile()
    kinds = {line["kind"] for line in report.drift}
    assert "transfer_without_journal" in kinds and "escrow_differs" in kinds
    assert not report.ok


def test_a_balance_edited_behind_the_ledgers_back_is_drift(busy_ledger) -> None:
    Account.objects.filter(kind="fund").update(balance_fen=1)
    report = fund_reconcile()
    assert [line["kind"] for line in report.drift] == ["balance_not_sum_of_postings"]


def test_a_changed_provider_amount_is_drift(busy_ledger) -> None:
    SandboxTransfer.objects.filter(kind="escrow_collect", amount_fen=1000).update(amount_fen=999)
    report = fund_reconcile()
    assert {line["kind"] for line in report.drift} == {"amount_or_reference_differs", "escrow_differs"}


def test_the_command_exits_non_zero_on_drift(busy_ledger, capsys) -> None:
    call_command("fund_reconcile")
    assert "0 drift, 0 double payment(s)" in capsys.readouterr().out
    Account.objects.filter(kind="fund").update(balance_fen=1)
    with pytest.raises(CommandError):
        call_command("fund_reconcile")


def test_the_periodic_task_reconciles_and_keeps_the_result(busy_ledger) -> None:
    result = fund_reconcile_task.call()
    assert result["ok"] and result["drift"] == 0 and result["transfers"] == 6
    assert Reconciliation.objects.count() == 1

"""Races on PostgreSQL, where row locks are real: payouts on one claim pay once; the fund never goes below zero."""

from __future__ import annotations

import pytest

from xinren.aftersales.fund import services
from xinren.aftersales.fund.choices import AccountKind, JournalKind
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.aftersales.models.fund import Journal
from xinren.orders.payments.sandbox_models import SandboxTransfer

from ..concurrency import race
from ..fixtures.accounts import consumer_new
from .fund_setup import balance, contribute, fund_balance, sums_match

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[object]) -> list[str]:
    return sorted(getattr(result, "code", "ok") for result in results)


def _payout(operator, consumer, merchant, *, claim: str, amount_fen: int, key: str):  # type: ignore[no-untyped-def]
    return lambda: services.fund_payout(actor=operator, claim_reference=claim, consumer=consumer, merchant=merchant,
                                        amount_fen=amount_fen, reason="坏单包赔", idempotency_key=key)


def test_two_payouts_racing_on_one_claim_pay_once(require_postgres, operator, merchant) -> None:
    # given
    contribute(operator, 100_000)
    consumer = consumer_new()
    # when: two requests for the same claim (a double click, two operators) with their own keys
    results = race(*(_payout(operator, consumer, merchant, claim="AS-RACE", amount_fen=2000, key=f"payout-race-{n}")
                     for n in range(3)))
    # then
    assert _codes(results) == ["fund.already_paid", "fund.already_paid", "ok"]
    assert Journal.objects.filter(kind=JournalKind.PAYOUT).count() == 1
    assert SandboxTransfer.objects.filter(kind="payout").count() == 1
    assert fund_balance() == 98_000
    assert sums_match() and fund_reconcile().ok


def test_the_same_key_racing_returns_one_journal(require_postgres, operator, merchant) -> None:
    contribute(operator, 100_000)
    consumer = consumer_new()
    results = race(*(_payout(operator, consumer, merchant, claim="AS-KEY", amount_fen=2000, key="payout-same-key")
                     for _ in range(3)))
    assert len({getattr(result, "pk", None) for result in results}) == 1
    assert fund_balance() == 98_000


def test_concurrent_payouts_never_take_the_fund_below_zero(require_postgres, operator, merchant) -> None:
    # given: 100.00 in the fund, five claims of 30.00 each
    contribute(operator, 10_000)
    consumers = [consumer_new() for _ in range(5)]
    # when
    results = race(*(_payout(operator, consumers[n], merchant, claim=f"AS-{n}", amount_fen=3000,
                             key=f"payout-floor-{n}") for n in range(5)))
    # then
    assert _codes(results) == ["fund.insufficient", "fund.insufficient", "ok", "ok", "ok"]
    assert fund_balance() == 1000
    assert balance(AccountKind.RECOVERIES_RECEIVABLE, merchant) == 9000
    assert sums_match() and fund_reconcile().ok


def test_concurrent_recoveries_of_one_claim_never_recover_twice(require_postgres, operator, merchant,
                                                               merchant_admin) -> None:
    contribute(operator, 10_000)
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=5000,
                             idempotency_key="deposit-race-1")
    _payout(operator, consumer_new(), merchant, claim="AS-REC", amount_fen=3000, key="payout-rec-1")()
    results = race(*(lambda n=n: services.fund_recover(actor=operator, claim_reference="AS-REC", merchant=merchant,
                                                      amount_fen=3000, idempotency_key=f"recover-race-{n}")
                     for n in range(3)))
    assert _codes(results) == ["fund.nothing_to_recover", "fund.nothing_to_recover", "ok"]
    assert balance(AccountKind.MERCHANT_DEPOSIT, merchant) == 2000
    assert fund_balance() == 10_000
    assert sums_match()

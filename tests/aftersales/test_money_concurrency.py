"""Races on PostgreSQL, where row locks are real: two operators upholding one dispute pay once from the fund; an
operator and the sweep retrying one failed claim pay once; the insurer and its deadline cannot both pay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinren.aftersales.choices import Kind, PayoutSource, Status
from xinren.aftersales.fund.choices import JournalKind
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.aftersales.models import AfterSaleRequest, Journal
from xinren.aftersales.services import aftersale_operator_decide, aftersales_sweep
from xinren.aftersales.services.payers import (
    aftersale_counterfeit_decide,
    aftersale_insurer_pay,
    aftersale_payout_retry,
    insurer_deadline_pass,
)
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.orders.choices import RefundStatus
from xinren.orders.models import Payment, Refund
from xinren.orders.payments.sandbox import Token
from xinren.orders.payments.sandbox_models import SandboxCharge, SandboxTransfer

from ..concurrency import race
from .conftest import picture
from .fund_setup import contribute, fund_balance, sums_match
from .money_setup import claim_open, escalated, insurer_with_policy, line_paid_with, paid_out

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_two_operators_upholding_one_dispute_pay_once_from_the_fund(
        require_postgres, consumer, merchant_actor, operator, line):
    contribute(operator, 100_000)
    request = escalated(consumer, merchant_actor, line)
    results = race(*(lambda: aftersale_operator_decide(actor=operator, reference=request.reference, approve=True,
                                                       reason="支持买家") for _ in range(2)))
    assert _codes(results) == ["aftersale.transition_invalid", "ok"]
    assert AfterSaleRequest.objects.get().payout_source == PayoutSource.FUND
    assert Journal.objects.filter(kind=JournalKind.PAYOUT).count() == 1
    assert SandboxTransfer.objects.filter(kind="payout").count() == 1
    assert (fund_balance(), Refund.objects.count()) == (100_000 - 12800, 0)
    assert sums_match() and fund_reconcile().ok


def test_an_operator_and_the_sweep_retrying_one_failed_claim_pay_once(
        require_postgres, consumer, operator, product_on_sale):
    line = line_paid_with(consumer, product_on_sale, Token.REFUND_FAIL)
    request = paid_out(claim_open(consumer, line, amount_fen=3000, media=[("a.jpg", picture())]))
    assert request.status == Status.FAILED
    SandboxCharge.objects.update(payment_token=Token.SUCCESS)
    results = race(
        lambda: aftersale_payout_retry(actor=operator, reference=request.reference),
        lambda: aftersale_payout_retry(actor=operator, reference=request.reference),
        lambda: aftersales_sweep(),
    )
    codes = _codes(results[:2])
    assert codes in (["aftersale.payout_not_failed", "ok"], ["aftersale.payout_not_failed"] * 2)
    request = AfterSaleRequest.objects.get()
    assert (request.status, request.payout_attempts) == (Status.PAID, 1)
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 1
    assert Payment.objects.get(order=line.order).refunded_fen == 3000


def test_the_insurer_and_its_deadline_racing_pay_the_compensation_once(
        require_postgres, consumer, merchant_admin, operator, line):
    insurer, _policy = insurer_with_policy(merchant_admin)
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    later = clock.now() + dt.timedelta(hours=49)
    results = race(
        lambda: aftersale_insurer_pay(actor=insurer, reference=request.reference),
        lambda: insurer_deadline_pass(request_id=request.pk, now=later),
    )
    paid = (Journal.objects.filter(kind=JournalKind.INSURANCE_PAYOUT).count()
            + Journal.objects.filter(kind=JournalKind.PAYOUT).count())
    assert paid == 1, results
    assert AfterSaleRequest.objects.get().status == Status.PAID
    assert sums_match() and fund_reconcile().ok

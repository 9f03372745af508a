"""The demo shows who pays: the fund paying first and recovering from the merchant, and an insurer paying a 假一赔N
claim under its 正品险 policy."""

from __future__ import annotations

import pytest

from xinren.aftersales.choices import Kind, PayoutSource, Status
from xinren.aftersales.fund.choices import JournalKind
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.selectors import request_money

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_fund_paying_first_and_recovering_and_an_insurer_paying(demo_world):
    # a refused claim escalated and upheld: paid first from the fund, recovered from the deposit and settlements
    upheld = AfterSaleRequest.objects.get(payout_source=PayoutSource.FUND)
    assert (upheld.status, upheld.refunded_fen, upheld.recovered_at is not None) == (Status.PAID, 12800, True)
    money = request_money(upheld)
    assert (money["from_deposit_fen"], money["from_settlements_fen"]) == (10_000, 2_800)
    # a counterfeit on an insured merchant: the price back by refund, the policy's ¥1,000 by the insurer
    counterfeit = AfterSaleRequest.objects.get(kind=Kind.COUNTERFEIT)
    assert (counterfeit.status, counterfeit.payout_source, counterfeit.compensation_source) == (
        Status.PAID, PayoutSource.REFUND, PayoutSource.INSURER)
    assert (counterfeit.compensation_fen, counterfeit.compensation_journal.kind) == (
        100_000, JournalKind.INSURANCE_PAYOUT)
    assert counterfeit.insurance_policy.insurer.slug == "xinren-insurance"

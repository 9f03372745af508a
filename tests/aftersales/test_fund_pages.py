"""The console's fund pages: operators see balances, flows, the chart and the reconciliation; a merchant sees its
own deposit and journals only; others are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xinren.accounts.choices import Role
from xinren.aftersales.fund import selectors, services
from xinren.aftersales.fund.chart import balance_chart_svg
from xinren.aftersales.fund.choices import AccountKind
from xinren.aftersales.models.fund import Reconciliation
from xinren.core import clock

from ..factories import actor_for
from ..fixtures.accounts import browser_of
from .fund_setup import balance, contribute, key, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(operator, consumer, merchant, merchant_admin):  # type: ignore[no-untyped-def]
    contribute(operator, 100_000)
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=2000, idempotency_key="deposit-p-1")
    services.fund_payout(actor=operator, claim_reference="AS-PAGE-1", consumer=consumer, merchant=merchant,
                         amount_fen=3000, reason="坏单包赔<script>", idempotency_key=key("payout"))


def test_operators_see_balances_the_chart_and_flows(paid, operator) -> None:
    page = browser_of(operator.user).get("/merchant/fund/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<polyline" in html
    assert "970.00" in html  # the fund after a 30.00 payout from 1,000.00
    assert "AS-PAGE-1" in html
    assert "坏单包赔&lt;script&gt;" in html and "<script>" not in html.split("</header>")[1]


def test_operators_run_a_reconciliation_from_the_page(paid, operator) -> None:
    browser = browser_of(operator.user)
    response = browser.post("/merchant/fund/reconcile/")
    assert response.status_code == 302
    assert Reconciliation.objects.get().ok
    assert "一致" in browser.get("/merchant/fund/").content.decode()


def test_a_merchant_sees_its_own_deposit_and_journals_only(paid, merchant_admin, other_merchant) -> None:
    own = browser_of(merchant_admin.user).get("/merchant/fund/").content.decode()
    assert "20.00" in own and "30.00" in own and "AS-PAGE-1" in own
    other = actor_for(other_merchant, Role.ADMIN)
    theirs = browser_of(other.user).get("/merchant/fund/journals/").content.decode()
    assert "AS-PAGE-1" not in theirs


def test_a_merchant_tops_up_from_the_page_and_a_double_submit_pays_once(merchant_admin, merchant) -> None:
    browser = browser_of(merchant_admin.user)
    for _ in range(2):
        response = browser.post("/merchant/fund/money-in/", {"amount": "100.50", "idempotency_key": "web-form-0001"})
        assert response.status_code == 302
    assert balance(AccountKind.MERCHANT_DEPOSIT, merchant) == 10050


def test_a_bad_amount_is_shown_in_the_form_and_nothing_moves(merchant_admin) -> None:
    before = state()
    response = browser_of(merchant_admin.user).post("/merchant/fund/money-in/",
                                                    {"amount": "-3", "idempotency_key": "web-form-0002"})
    assert response.status_code == 422
    assert "金额须为" in response.content.decode()
    assert state() == before


def test_a_merchant_cannot_run_the_reconciliation(merchant_admin) -> None:
    response = browser_of(merchant_admin.user).post("/merchant/fund/reconcile/")
    assert response.status_code == 403
    assert Reconciliation.objects.count() == 0


def test_a_lab_sees_no_fund_page(lab_admin) -> None:
    assert browser_of(lab_admin.user).get("/merchant/fund/").status_code == 403


def test_the_chart_follows_the_fund_day_by_day(operator, consumer, merchant) -> None:
    # given: 1,000.00 in three days ago, a 30.00 payout yesterday
    today = timezone.localtime(clock.now()).replace(hour=12, minute=0, second=0, microsecond=0)
    with clock.played_at(today - dt.timedelta(days=3)):
        contribute(operator, 100_000)
    with clock.played_at(today - dt.timedelta(days=1)):
        services.fund_payout(actor=operator, claim_reference="AS-CHART", consumer=consumer, merchant=merchant,
                             amount_fen=3000, reason="坏单包赔", idempotency_key=key("payout"))
    # when
    with clock.played_at(today):
        series = selectors.fund_balance_series(actor=operator, days=5)
    # then
    assert [value for _day, value in series] == [0, 100_000, 100_000, 97_000, 97_000]
    svg = str(balance_chart_svg(series))
    assert svg.count("<polyline") == 1 and "970.00" in svg and "<script" not in svg


def test_a_viewer_cannot_top_up(merchant) -> None:
    viewer = actor_for(merchant, Role.VIEWER)
    before = state()
    response = browser_of(viewer.user).post("/merchant/fund/money-in/",
                                            {"amount": "1", "idempotency_key": "web-form-0003"})
    assert response.status_code == 403
    assert state() == before

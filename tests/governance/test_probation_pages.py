"""The probation and payout pages: the public policy, the merchant's probation and payouts, the operator's cohort
and extend form (refusals shown in the form, nothing written)."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.governance.models import ProbationEvent
from xinren.governance.services.probation import probation_start
from xinren.orders.models import PayoutAccount

from ..factories import MembershipFactory, UserFactory
from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db


def _member(organization, role=Role.ADMIN):  # type: ignore[no-untyped-def]
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return browser_of(user)


def test_anyone_reads_the_published_policy(client):
    page = client.get("/governance/probation/").content.decode()
    assert "第 1 版" in page and "每日最多接 30 单" in page and "在售商品最多 20 个" in page
    assert "不超过 5%" in page and "48 小时" in page


def test_the_merchant_sees_its_probation_limits_and_progress(platform, merchant):
    probation_start(organization=merchant)
    page = _member(merchant, Role.VIEWER).get("/merchant/probation/").content.decode()
    assert "规则第 1 版" in page and "每日最多接 30 单" in page
    assert "已签收订单" in page and "0 单" in page and "未满足" in page


def test_the_merchant_sets_its_payout_account_and_sees_only_the_last_four(merchant):
    browser = _member(merchant)
    response = browser.post(
        "/merchant/payouts/",
        {"bank_name": "中国工商银行", "holder_name": "昆明山野菌菇店", "account_number": "6222021234567890123"},
        follow=True,
    )
    page = response.content.decode()
    assert "****0123" in page and "6222021234567890123" not in page
    assert PayoutAccount.objects.get().last4 == "0123"


def test_a_bad_account_is_shown_in_the_form(merchant):
    response = _member(merchant).post(
        "/merchant/payouts/", {"bank_name": "中国工商银行", "holder_name": "店铺", "account_number": "12ab"}
    )
    assert response.status_code == 422
    assert "银行账号应为 8–30 位数字" in response.content.decode()
    assert PayoutAccount.objects.count() == 0


def test_the_operator_sees_the_cohort_and_extends(platform, merchant):
    probation = probation_start(organization=merchant)
    browser = _member(platform, Role.STAFF)
    page = browser.get("/operator/probation/").content.decode()
    assert merchant.name in page and "已签收订单" in page
    response = browser.post(
        f"/operator/probation/{probation.pk}/extend/", {"days": "10", "reason": "投诉集中，延长观察"}
    )
    assert response.status_code == 302
    assert ProbationEvent.objects.filter(kind="extend").count() == 1


def test_a_bad_extension_is_shown_and_nothing_written(platform, merchant):
    probation = probation_start(organization=merchant)
    response = _member(platform, Role.STAFF).post(
        f"/operator/probation/{probation.pk}/extend/", {"days": "10", "reason": "短"}
    )
    assert response.status_code == 422
    assert "请写明延长原因" in response.content.decode()
    assert ProbationEvent.objects.filter(kind="extend").count() == 0


def test_merchants_cannot_open_the_operator_pages(merchant):
    assert _member(merchant).get("/operator/probation/").status_code == 403

"""The risk pages: the merchant's own score and appeal form; the operator's distribution, evaluation, rule sets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.governance.models.risk import AppealStatus, RiskAction, RiskAppeal, RiskEvaluation, RiskRuleSet
from xinren.governance.risk import services

from ..factories import actor_for
from ..fixtures.accounts import browser_of
from .test_risk_services import _thresholds, risky  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(risky: Organization) -> RiskEvaluation:  # noqa: F811
    _thresholds(10, 30, 60)
    return services.risk_evaluate(organization=risky)


def test_the_merchant_sees_its_score_and_why(restricted: RiskEvaluation) -> None:
    browser = browser_of(actor_for(restricted.organization, Role.VIEWER).user)  # type: ignore[arg-type]
    page = browser.get(reverse("merchant:risk_home")).content.decode()
    assert "37.50" in page
    assert "售后理赔率" in page and "40 笔中 8 笔，比例 20.0%" in page
    assert "限制" in page


def test_the_merchant_appeals_and_another_merchant_cannot(
    restricted: RiskEvaluation, other_merchant: Organization
) -> None:
    action = RiskAction.objects.get()
    url = reverse("merchant:risk_appeal", args=[action.pk])
    other = browser_of(actor_for(other_merchant).user)  # type: ignore[arg-type]
    assert other.post(url, {"text": "这不是我们的问题，请复核一下"}).status_code == 404
    browser = browser_of(actor_for(restricted.organization).user)  # type: ignore[arg-type]
    short = browser.post(url, {"text": "冤枉"})
    assert short.status_code == 422 and "至少 10 个字" in short.content.decode()
    assert RiskAppeal.objects.count() == 0
    assert browser.post(url, {"text": "理赔集中在同一批快递破损，已更换物流"}).status_code == 302
    assert RiskAppeal.objects.get().status == AppealStatus.OPEN


def test_the_operator_pages(restricted: RiskEvaluation, platform: Organization) -> None:
    browser = browser_of(actor_for(platform, Role.ADMIN).user)  # type: ignore[arg-type]
    overview = browser.get(reverse("operator:risk_overview")).content.decode()
    assert restricted.organization.name in overview and "<svg" in overview
    detail = browser.get(reverse("operator:risk_evaluation", args=[restricted.pk])).content.decode()
    assert "claims=8" in detail and "review_integrity" in detail
    # a bad draft is refused in the form and nothing is created
    bad = browser.post(reverse("operator:risk_rule_set_draft"), {"rule_id": "claim_rate", "weight": "5"})
    assert bad.status_code == 409 and "已在生效规则集中" in bad.content.decode()
    assert RiskRuleSet.objects.count() == 1
    services.rule_set_active().rules.filter(rule_id="price_change").delete()
    made = browser.post(reverse("operator:risk_rule_set_draft"), {"rule_id": "price_change", "weight": "5"})
    assert made.status_code == 302
    assert browser.get(reverse("operator:risk_rule_set", args=[2])).status_code == 200
    assert browser.post(reverse("operator:risk_rule_set_promote", args=[2])).status_code == 302
    assert services.rule_set_active().version == 2
    # appeal decided from the overview
    appeal = services.risk_appeal_file(
        actor=actor_for(restricted.organization),
        action_id=RiskAction.objects.get().pk,
        text="理赔集中在同一批快递破损，已更换物流",
    )
    no_reason = browser.post(reverse("operator:risk_appeal_decide", args=[appeal.pk]), {"yes": "1"})
    assert no_reason.status_code == 422
    assert (
        browser.post(
            reverse("operator:risk_appeal_decide", args=[appeal.pk]), {"yes": "1", "reason": "已核实"}
        ).status_code
        == 302
    )
    assert RiskAppeal.objects.get().status == AppealStatus.LIFTED


def test_a_merchant_cannot_open_the_operator_pages(restricted: RiskEvaluation) -> None:
    browser = browser_of(actor_for(restricted.organization, Role.OWNER).user)  # type: ignore[arg-type]
    assert browser.get(reverse("operator:risk_overview")).status_code == 403
    assert browser.get(reverse("operator:risk_evaluation", args=[restricted.pk])).status_code == 403


def test_the_operator_confirms_a_suspension_and_the_merchant_without_evaluation_sees_none(
    risky: Organization,  # noqa: F811
    platform: Organization,
    other_merchant: Organization,
) -> None:
    _thresholds(10, 20, 30)
    services.risk_evaluate(organization=risky)
    action = RiskAction.objects.get()
    browser = browser_of(actor_for(platform, Role.STAFF).user)  # type: ignore[arg-type]
    assert "待确认的暂停建议" in browser.get(reverse("operator:risk_overview")).content.decode()
    url = reverse("operator:risk_suspension_decide", args=[action.pk])
    assert browser.post(url, {"yes": "1", "reason": "核实后暂停"}).status_code == 302
    risky.refresh_from_db()
    assert risky.status == "suspended"
    assert browser.post(url, {"yes": "1", "reason": "再次"}).status_code == 409
    page = browser_of(actor_for(other_merchant).user).get(reverse("merchant:risk_home"))  # type: ignore[arg-type]
    assert page.status_code == 200 and "还没有评估" in page.content.decode()

"""Probation's last criterion reads the risk score: skipped until scored, met only in the "ok" band."""

from __future__ import annotations

import pytest

from xinren.accounts.models import Organization
from xinren.core import clock
from xinren.governance.models import RiskEvaluation
from xinren.governance.probation_policy import progress_of
from xinren.governance.risk.services import risk_evaluate
from xinren.governance.services.probation import probation_start

pytestmark = pytest.mark.django_db


def _risk(merchant: Organization):  # type: ignore[no-untyped-def]
    probation = probation_start(organization=merchant)
    return next(c for c in progress_of(probation, now=clock.now()).criteria if c.id == "risk_band")


def test_not_scored_yet_is_skipped_and_says_so(merchant: Organization) -> None:
    criterion = _risk(merchant)
    assert criterion.skipped and criterion.met and "暂无风险评估" in criterion.value


def test_only_the_ok_band_meets_it(merchant: Organization) -> None:
    evaluation = risk_evaluate(organization=merchant, act=False)
    assert evaluation.band == "ok"
    criterion = _risk(merchant)
    assert criterion.met and not criterion.skipped
    RiskEvaluation.objects.filter(pk=evaluation.pk).update(band="watch")
    probation = merchant.probations.get()
    criterion = next(c for c in progress_of(probation, now=clock.now()).criteria if c.id == "risk_band")
    assert not criterion.met and "关注" in criterion.value

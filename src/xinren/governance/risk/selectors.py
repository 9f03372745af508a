"""Risk reads: a merchant's own latest evaluation, the operators' distribution and lists, and shadow comparisons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind

from ..models.risk import RiskAction, RiskEvaluation, RiskRuleSet
from . import model
from .rules import RULES

SCORE_BUCKETS = tuple(range(0, 100, 10))


def evaluation_explained(evaluation: RiskEvaluation) -> list[dict[str, Any]]:
    """The stored results with each rule's name and explanation in the reader's language."""
    rows = []
    for result in evaluation.results:
        rule = RULES.get(result["rule"])
        rows.append(
            {
                **result,
                "name": _(rule.message) if rule else result["rule"],
                "text": _(result["explanation"]) % result.get("params", {}),
            }
        )
    return rows


def latest_evaluations() -> QuerySet[RiskEvaluation]:
    """Each merchant's most recent evaluation."""
    latest = RiskEvaluation.objects.values("organization").annotate(last=Max("id")).values("last")
    return RiskEvaluation.objects.filter(pk__in=latest).select_related("organization", "rule_set")


def merchant_latest_evaluation(*, actor: Actor) -> RiskEvaluation | None:
    return RiskEvaluation.objects.filter(organization=actor.organization).select_related("rule_set").first()


def merchant_actions(*, actor: Actor) -> QuerySet[RiskAction]:
    return RiskAction.objects.filter(organization=actor.organization).prefetch_related("appeals")


def operator_evaluation(*, actor: Actor, evaluation_id: int) -> RiskEvaluation | None:
    actor.require(kinds=[OrganizationKind.PLATFORM])
    return RiskEvaluation.objects.select_related("organization", "rule_set").filter(pk=evaluation_id).first()


@dataclass(frozen=True)
class Distribution:
    bands: dict[str, int]
    buckets: list[tuple[int, int]]  # (lower bound, merchants)


def distribution(evaluations: QuerySet[RiskEvaluation]) -> Distribution:
    scores = list(evaluations.values_list("score", "band"))
    bands = Counter(band for _score, band in scores)
    buckets = Counter(min(90, int(score // 10) * 10) for score, _band in scores)
    return Distribution(
        bands={band: bands.get(band, 0) for band in model.BAND_ORDER},
        buckets=[(low, buckets.get(low, 0)) for low in SCORE_BUCKETS],
    )


@dataclass(frozen=True)
class ShadowRow:
    evaluation: RiskEvaluation
    score: Decimal
    band: str
    draft_score: float
    draft_band: str
    missing: tuple[str, ...]  # draft rules the evaluation did not score (counted as 0)

    @property
    def changed(self) -> bool:
        return self.band != self.draft_band


def shadow_comparison(rule_set: RiskRuleSet, evaluations: QuerySet[RiskEvaluation]) -> list[ShadowRow]:
    """How a rule set would have banded the given evaluations: Σ its weights × the values each evaluation stored
    (every rule is stored, active and shadow), against its thresholds."""
    rules = list(rule_set.rules.all())
    thresholds = model.Thresholds(rule_set.review_threshold, rule_set.restrict_threshold, rule_set.suspend_threshold)
    rows = []
    for evaluation in evaluations:
        values = {r["rule"]: float(r["value"]) for r in evaluation.results}
        total = round(min(100.0, sum(rule.weight * values.get(rule.rule_id, 0.0) for rule in rules)), 2)
        rows.append(
            ShadowRow(
                evaluation=evaluation,
                score=evaluation.score,
                band=evaluation.band,
                draft_score=total,
                draft_band=model.band_for(total, thresholds),
                missing=tuple(rule.rule_id for rule in rules if rule.rule_id not in values),
            )
        )
    return rows

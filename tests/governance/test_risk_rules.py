"""The risk rules and the scoring, as pure functions over figures (no database)."""

from __future__ import annotations

import pytest

from xinren.governance.risk import model
from xinren.governance.risk.rules import (
    INSUFFICIENT,
    RULES,
    VERSION_1_THRESHOLDS,
    VERSION_1_WEIGHTS,
    MerchantFigures,
    rule_apply,
)

THRESHOLDS = model.Thresholds(**VERSION_1_THRESHOLDS)
V1 = [model.RuleSpec(rule_id, weight, {}) for rule_id, weight in VERSION_1_WEIGHTS.items()]


def test_version_1_weights_sum_to_100_and_name_known_rules() -> None:
    assert sum(VERSION_1_WEIGHTS.values()) == 100
    assert set(VERSION_1_WEIGHTS) == set(RULES)


def test_a_rate_below_the_minimum_sample_counts_as_zero_with_insufficient_sample() -> None:
    # given: 3 claims out of 19 orders (16 %), one order short of the minimum of 20
    result = rule_apply("claim_rate", MerchantFigures(orders=19, claims=3))
    # then
    assert (result.value, result.explanation, result.params) == (0.0, INSUFFICIENT, {"sample": 19, "minimum": 20})
    assert "样本不足" in result.explanation


def test_a_rate_ramps_between_floor_and_ceiling() -> None:
    assert rule_apply("claim_rate", MerchantFigures(orders=100, claims=1)).value == 0.0  # at the floor (1 %)
    assert rule_apply("claim_rate", MerchantFigures(orders=100, claims=10)).value == 1.0  # at the ceiling
    half = rule_apply("claim_rate", MerchantFigures(orders=200, claims=11))  # 5.5 %: halfway
    assert half.value == 0.5
    assert half.inputs == {"claims": 11, "orders": 200, "rate": 0.055}
    # the parameters of the rule set override the defaults
    assert rule_apply("claim_rate", MerchantFigures(orders=200, claims=11), {"ceiling": 0.055}).value == 1.0


def test_counted_rules_weigh_brushing_double_and_cap_at_one() -> None:
    assert rule_apply("review_integrity", MerchantFigures(brushing_flags=1)).value == 0.5
    assert rule_apply("review_integrity", MerchantFigures(review_flags=1)).value == 0.25
    assert rule_apply("review_integrity", MerchantFigures(brushing_flags=3, review_flags=3)).value == 1.0
    assert rule_apply("blacklist_proximity", MerchantFigures(blacklist_links=1)).value == 1.0
    assert rule_apply("qualification_problems", MerchantFigures(credentials_expired=1)).value == 0.5


def test_reply_punctuality_is_the_share_missed() -> None:
    result = rule_apply("reply_punctuality", MerchantFigures(inquiries_decided=20, answered_within_24h=14))
    assert result.value == 0.5  # 30 % missed: halfway between 10 % and 50 %


def test_score_sums_active_rules_only_and_bands_by_threshold() -> None:
    # given: a merchant with a 10 % claim rate (20 points) and one brushing flag (7.5 points)
    figures = MerchantFigures(orders=100, claims=10, brushing_flags=1)
    # when
    scored = model.score(figures, [*V1, model.RuleSpec("price_change", 50, {}, "shadow")], THRESHOLDS)
    # then
    assert (scored.score, scored.band) == (27.5, model.WATCH)
    by_rule = {(r["rule"], r["mode"]): r for r in scored.results}
    assert by_rule[("claim_rate", "active")]["contribution"] == 20.0
    assert by_rule[("review_integrity", "active")]["contribution"] == 7.5
    assert model.top_rules(scored.results) == ["claim_rate", "review_integrity"]


def test_a_shadow_rule_is_scored_but_never_summed() -> None:
    figures = MerchantFigures(offers_repriced=4, offers_price_jumped=4)
    specs = [model.RuleSpec("claim_rate", 20, {}), model.RuleSpec("price_change", 90, {}, "shadow")]
    scored = model.score(figures, specs, THRESHOLDS)
    assert (scored.score, scored.band) == (0.0, model.OK)
    assert [r["contribution"] for r in scored.results if r["mode"] == "shadow"] == [90.0]
    assert model.top_rules(scored.results) == []


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "ok"), (24.99, "ok"), (25, "watch"), (45, "restrict"), (69.9, "restrict"), (70, "suspend"), (100, "suspend")],
)
def test_bands(score: float, band: str) -> None:
    assert model.band_for(score, THRESHOLDS) == band

"""The score's pure functions: Wilson bound, decay, one rating per buyer per window, the prior, thin evidence."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from xinren.trust.scores.formula import (
    CURRENT_VERSION,
    FORMULAS,
    half_life_weight,
    half_stars,
    product_score,
    reviews_counted,
    wilson_lower_bound,
)

BASE: dict[str, Any] = {
    "lab_reports": [{"report": "r", "stars": 4, "age_days": 0}],
    "labels": [],
    "coldchain": {"legs": 0, "excursions": 0, "kept": 0, "broken": 0},
    "reviews": [],
    "category_mean": 4.0,
    "orders_delivered": 0,
    "claims_upheld": 0,
    "refund_hours_median": None,
    "disputes_lost": 0,
    "credit": {"qualifications": 0, "on_probation": False, "risk_band": None, "deposit_fen": 0, "insured": False,
               "open_suspensions": 0},
}  # fmt: skip


def _with(**changes: Any) -> dict[str, Any]:
    inputs = copy.deepcopy(BASE)
    inputs.update(changes)
    return inputs


def test_weights_and_parameters_are_data_of_the_version():
    assert FORMULAS[CURRENT_VERSION]["weights"] == {"quality": 40, "reviews": 30, "aftersales": 20, "credit": 10}
    with pytest.raises(KeyError):
        product_score(BASE, "1999.1")


def test_wilson_lower_bound_is_below_the_share_and_tightens_with_more_orders():
    assert wilson_lower_bound(0, 0, 1.96) == 0.0
    assert wilson_lower_bound(10, 10, 1.96) == pytest.approx(0.7225, abs=1e-4)
    assert wilson_lower_bound(100, 100, 1.96) > wilson_lower_bound(10, 10, 1.96)


def test_a_review_weighs_half_after_six_months():
    assert half_life_weight(182.5, 182.5) == 0.5
    assert half_life_weight(365, 182.5) == 0.25


def test_one_rating_per_buyer_per_ninety_days():
    reviews = [
        {"buyer": "a", "stars": 1, "age_days": 100},
        {"buyer": "a", "stars": 5, "age_days": 20},  # 80 days after: not counted
        {"buyer": "a", "stars": 4, "age_days": 5},  # 95 days after the counted one: counted
        {"buyer": "b", "stars": 5, "age_days": 20},
    ]
    assert sorted((r["buyer"], r["stars"]) for r in reviews_counted(reviews, 90)) == [("a", 1), ("a", 4), ("b", 5)]


def test_a_handful_of_five_star_reviews_cannot_swing_the_reviews_component():
    # given three fresh 5★ reviews in a category averaging 3.0
    reviews = [{"buyer": str(n), "stars": 5, "age_days": 0, "quality": None} for n in range(3)]
    # when
    result = product_score(_with(reviews=reviews, category_mean=3.0))
    # then the prior of 7 reviews at 3.0 holds it at (21 + 15) / 10
    assert result["components"]["reviews"]["value"] == "3.60"


def test_too_little_evidence_gives_no_number():
    # given two reviews and no lab report
    reviews = [{"buyer": str(n), "stars": 5, "age_days": 0, "quality": None} for n in range(2)]
    # when
    result = product_score(_with(lab_reports=[], reviews=reviews))
    # then
    assert result["score"] is None
    assert result["enough_evidence"] is False
    assert result["components"]["reviews"]["value"] is not None  # still shown in the breakdown


def test_a_missing_component_gives_its_weight_to_the_others():
    # given a lab report only (quality 4 from the lab, labels 0) and no orders
    result = product_score(BASE)
    # then quality = (0.6·4 + 0.2·0) / 0.8 = 3.0, reviews 4.0 (the prior alone), credit 1 + 1 + 0.5 (never
    # evaluated) = 2.5, and no after-sales: (40·3 + 30·4 + 10·2.5) / 80 = 3.3125
    assert result["components"]["quality"]["value"] == "3.00"
    assert result["components"]["aftersales"]["value"] is None
    assert result["components"]["credit"]["value"] == "2.50"
    assert result["score"] == Decimal("3.31")


def test_disputes_lost_and_slow_refunds_lower_aftersales_and_say_so():
    good = product_score(_with(orders_delivered=50))["components"]["aftersales"]
    bad = product_score(_with(orders_delivered=50, refund_hours_median=168, disputes_lost=2))["components"][
        "aftersales"
    ]
    assert Decimal(bad["value"]) < Decimal(good["value"])
    assert {"refund_speed", "disputes"} <= set(bad["raise"])


def test_half_stars():
    assert half_stars(Decimal("4.26")) == 4.5
    assert half_stars(Decimal("4.24")) == 4.0
    assert half_stars(None) is None

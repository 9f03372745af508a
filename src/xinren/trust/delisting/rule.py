"""The delisting rule as a pure function of a score's stored inputs and a policy (no database, no clock)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, NamedTuple

from ..scores.formula import FORMULAS, product_score, reviews_counted, score_uncertainty


class Judgement(NamedTuple):
    score: Decimal | None
    sd: float | None
    upper: Decimal | None
    lower: Decimal | None
    enough: bool  # the policy's minimum evidence is met
    delist: bool  # score + z·sd < bar, with enough evidence
    recovered: bool  # not delist and score ≥ bar: a delisted product goes back on sale
    components: dict[str, str | None]


def evidence_met(inputs: dict[str, Any], policy: dict[str, Any]) -> bool:
    """At least `min_reviews` counted reviews or `min_orders` delivered orders."""
    window = FORMULAS[policy["formula"]]["reviews"]["window_days"]
    counted = len(reviews_counted(inputs.get("reviews", []), window))
    return counted >= policy["min_reviews"] or int(inputs.get("orders_delivered", 0)) >= policy["min_orders"]


def judge(inputs: dict[str, Any], policy: dict[str, Any]) -> Judgement:
    """Whether the product's score is, with the policy's confidence, below its bar."""
    result = product_score(inputs, policy["formula"])
    bounds = score_uncertainty(inputs, policy["formula"], z=policy["z"])
    score, upper = result["score"], bounds["upper"]
    enough = evidence_met(inputs, policy)
    delist = score is not None and enough and upper < policy["bar"]
    return Judgement(
        score=score,
        sd=bounds["sd"],
        upper=upper,
        lower=bounds["lower"],
        enough=enough,
        delist=delist,
        recovered=score is not None and not delist and score >= policy["bar"],
        components={name: part["value"] for name, part in result["components"].items()},
    )


def without_own_suspension(inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs as if the delisting's own suspension were not there: taking a product off sale lowers its credit
    component (an open suspension), which must not keep it off sale by itself."""
    adjusted = copy.deepcopy(inputs)
    credit = adjusted.setdefault("credit", {})
    credit["open_suspensions"] = max(int(credit.get("open_suspensions", 0)) - 1, 0)
    return adjusted

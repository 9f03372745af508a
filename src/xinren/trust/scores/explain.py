"""A score recomputed from its signed `trust.score` statement alone: pure functions, no database (ADR 0051).

`public_inputs` turns the inputs `inputs.py` gathered into what the statement may show: buyers become numbers
local to the statement (the formula only compares buyers for equality), the merchant's deposit a yes/no, lab
report ids stay (they are public on the lab report page). A product with more reviews than fit in one log entry
has its reviews folded into the formula's sufficient statistics (`reviews_fold`). `formula_inputs` turns the
public form back into what `formula.product_score` reads, and `statement_recompute` reruns the formula.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from .formula import FORMULAS, enough_evidence, half_life_weight, product_score, reviews_counted, round2

# A log entry is at most 65,535 bytes; the envelope carries the payload in base64 (×4/3) with a signature, so a
# statement's canonical JSON must stay under this many bytes.
PAYLOAD_BUDGET = 48_000
FOLDED = "folded"


def compact(value: Any) -> str:
    """The JSON the size budget is measured on (what the log stores is as compact)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def reviews_digest(leaf_hashes: list[str]) -> str:
    """SHA-256 of the counted reviews' leaf hashes, one per line in input order: a verifier holding the review
    statements can check a folded list against it."""
    return hashlib.sha256("\n".join(leaf_hashes).encode("ascii")).hexdigest()


def _review_rows(reviews: list[dict[str, Any]]) -> list[list[Any]]:
    """[buyer, stars, age_days, quality] with buyers numbered by first appearance."""
    numbers: dict[str, int] = {}
    return [
        [numbers.setdefault(str(r["buyer"]), len(numbers)), int(r["stars"]), r["age_days"], r.get("quality")]
        for r in reviews
    ]


def reviews_fold(reviews: list[dict[str, Any]], version: str) -> dict[str, Any]:
    """The counted reviews reduced to what the reviews component reads: their number, the weighted star sum and
    the weight total, computed exactly as `formula.reviews_component` does (same order, same floats)."""
    p = FORMULAS[version]["reviews"]
    counted = reviews_counted(reviews, p["window_days"])
    weighted_sum = weight_total = 0.0
    for review in counted:
        quality = review.get("quality")
        content = 1.0 if quality is None else max(p["min_quality_weight"], float(quality) / p["quality_scale"])
        weight = content * half_life_weight(float(review["age_days"]), p["half_life_days"])
        weighted_sum += weight * int(review["stars"])
        weight_total += weight
    return {"total": len(reviews), "counted": len(counted), "weighted_sum": weighted_sum,
            "weight_total": weight_total}  # fmt: skip


def public_inputs(
    inputs: dict[str, Any], version: str, *, review_sources: list[str] | None = None, budget: int = PAYLOAD_BUDGET
) -> tuple[dict[str, Any], bool]:
    """The inputs as the statement shows them, and whether the reviews were folded to fit `budget` bytes."""
    credit = dict(inputs.get("credit", {}))
    credit["deposit"] = int(credit.pop("deposit_fen", 0) or 0) > 0
    public = {key: value for key, value in inputs.items() if key not in ("reviews", "lab_reports", "credit")} | {
        "credit": credit,
        "lab_reports": [[str(r["report"]), int(r["stars"]), r["age_days"]] for r in inputs.get("lab_reports", [])],
        "reviews": _review_rows(inputs.get("reviews", [])),
    }
    sources_size = 70 * len(review_sources or [])
    if len(compact(public)) + sources_size <= budget:
        return public, False
    fold = reviews_fold(inputs.get("reviews", []), version)
    if review_sources is not None:
        fold["digest"] = reviews_digest(review_sources)
    return public | {"reviews": {FOLDED: fold}}, True


def formula_inputs(public: dict[str, Any]) -> dict[str, Any]:
    """What `formula.product_score` reads, rebuilt from the statement's public inputs (folded reviews: none)."""
    credit = dict(public.get("credit", {}))
    credit["deposit_fen"] = 1 if credit.pop("deposit", False) else 0
    reviews = public.get("reviews", [])
    rows = [] if isinstance(reviews, dict) else reviews
    return {key: value for key, value in public.items() if key not in ("reviews", "lab_reports", "credit")} | {
        "credit": credit,
        "lab_reports": [{"report": r[0], "stars": r[1], "age_days": r[2]} for r in public.get("lab_reports", [])],
        "reviews": [{"buyer": str(b), "stars": s, "age_days": age, "quality": q} for b, s, age, q in rows],
    }


def _reviews_from_fold(fold: dict[str, Any], inputs: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """`formula.reviews_component` from its sufficient statistics."""
    prior_mean = inputs.get("category_mean")
    prior = float(prior_mean) if prior_mean is not None else float(p["default_prior_mean"])
    m = p["prior_reviews"]
    value = (m * prior + float(fold["weighted_sum"])) / (m + float(fold["weight_total"]))
    raise_it = ["more_reviews"] if int(fold["counted"]) < 2 * m else []
    if value < 4.5:
        raise_it.append("better_reviews")
    detail = {"counted": int(fold["counted"]), "prior_mean": float(round2(prior)),
              "weight_total": float(round2(float(fold["weight_total"])))}  # fmt: skip
    return {"value": value, "detail": detail, "raise": raise_it}


def statement_recompute(statement: dict[str, Any]) -> dict[str, Any]:
    """`formula.product_score` over the statement's inputs under its version (KeyError: unknown version)."""
    version = str(statement["version"])
    public = statement.get("inputs", {})
    inputs = formula_inputs(public)
    result = product_score(inputs, version)
    reviews = public.get("reviews")
    if not isinstance(reviews, dict):
        return result
    # Folded reviews: the reviews component from the statistics, then the weighted mean as the formula takes it.
    formula = FORMULAS[version]
    fold = reviews[FOLDED]
    part = _reviews_from_fold(fold, inputs, formula["reviews"])
    components = dict(result["components"])
    components["reviews"] = {"value": str(round2(part["value"])), "weight": formula["weights"]["reviews"],
                             "detail": part["detail"], "raise": part["raise"]}  # fmt: skip
    values = {"reviews": part["value"]}
    # The other components' unrounded values are not kept by product_score: rerun it without reviews for them.
    for name in ("quality", "aftersales", "credit"):
        value = components[name]["value"]
        values[name] = None if value is None else _unrounded(inputs, version, name)
    present = {name: value for name, value in values.items() if value is not None}
    enough = enough_evidence(inputs, int(fold["counted"]), version)
    score: Decimal | None = None
    if enough:
        weights = formula["weights"]
        total = sum(weights[name] for name in present)
        score = round2(sum(weights[name] * value for name, value in present.items()) / total)
    return {"version": version, "score": score, "enough_evidence": enough, "components": components}


def _unrounded(inputs: dict[str, Any], version: str, name: str) -> float:
    from . import formula

    component = getattr(formula, f"{name}_component")
    return float(component(inputs, FORMULAS[version][name])["value"])


def shown(result: dict[str, Any]) -> dict[str, Any]:
    """What must agree between a statement, its recomputation and the stored row: score and component values."""
    score = result.get("score")
    return {
        "score": None if score is None else str(Decimal(str(score)).quantize(Decimal("0.01"))),
        "components": {
            name: part.get("value") if isinstance(part, dict) else part
            for name, part in sorted(result["components"].items())
        },
    }

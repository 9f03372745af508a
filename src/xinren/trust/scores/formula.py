"""The product trust score as pure functions of its inputs: no database, no clock (ADR 0047, docs/trust-model.md).

`product_score(inputs, version)` reads one product's inputs (a plain JSON dict, `inputs.py` gathers it) and the
formula of `version` from `FORMULAS`, and returns the score 0–5 (None: 评分数据不足) with each component's value,
inputs, weight and what would raise it. Every parameter lives in the versioned dict: a new formula is a new key,
never an edit of an old one, so a stored score can always be recomputed from its stored inputs.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CURRENT_VERSION = "2026.1"

FORMULAS: dict[str, dict[str, Any]] = {
    "2026.1": {
        "weights": {"quality": 40, "reviews": 30, "aftersales": 20, "credit": 10},
        # Enough evidence for a number: this many counted reviews, or at least one lab report.
        "evidence": {"min_reviews": 3, "min_lab_reports": 1},
        "quality": {
            "shares": {"lab": 0.6, "labels": 0.2, "coldchain": 0.2},
            "lab_half_life_days": 365,
            "labels_for_full_marks": 3,
            "excursion_penalty": 0.5,
        },
        "reviews": {
            "prior_reviews": 7,  # m: the category mean counts as this many reviews
            "default_prior_mean": 4.0,  # the category mean when the category has no counted review yet
            "half_life_days": 182.5,  # a review's weight halves every 6 months
            "window_days": 90,  # one rating per buyer per product per window
            # Content quality (community, 0–100) weighs a review quality/100, at least the floor; unscored: 1.
            "quality_scale": 100,
            "min_quality_weight": 0.2,
        },
        "aftersales": {
            "z": 1.96,
            "shares": {"claims": 0.8, "refund_speed": 0.2},
            "refund_fast_hours": 24,
            "refund_slow_hours": 168,
            "dispute_penalty": 0.5,
            "dispute_penalty_cap": 2.0,
        },
        "credit": {
            "qualification": 1.5,
            "not_on_probation": 1.0,
            "no_open_suspension": 1.0,
            "risk_band": {"ok": 1.0, "watch": 0.5, "restrict": 0.0, "suspend": 0.0, "none": 0.5},
            "deposit": 0.25,
            "insurance": 0.25,
        },
    },
}

COMPONENTS = ("quality", "reviews", "aftersales", "credit")


def round2(value: float) -> Decimal:
    """Two decimals, halves away from zero (the stored and shown precision)."""
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _clamp(value: float, low: float = 0.0, high: float = 5.0) -> float:
    return max(low, min(high, value))


def half_life_weight(age_days: float, half_life_days: float) -> float:
    """1 today, ½ after one half-life, ¼ after two."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def wilson_lower_bound(successes: int, total: int, z: float) -> float:
    """The lower bound of the Wilson score interval of successes/total (0 when total is 0)."""
    if total <= 0:
        return 0.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - margin) / denominator


def reviews_counted(reviews: list[dict[str, Any]], window_days: float) -> list[dict[str, Any]]:
    """One rating per buyer per window: a buyer's review within `window_days` after the last one counted for the
    same product is left out (the oldest counts). `age_days` is days before now, so older means larger."""
    counted: list[dict[str, Any]] = []
    last_age: dict[str, float] = {}
    for review in sorted(reviews, key=lambda r: (-float(r["age_days"]), str(r["buyer"]))):
        buyer, age = str(review["buyer"]), float(review["age_days"])
        if buyer in last_age and last_age[buyer] - age < window_days:
            continue
        last_age[buyer] = age
        counted.append(review)
    return counted


def quality_component(inputs: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    lab_reports = inputs.get("lab_reports", [])
    labels = inputs.get("labels", [])
    cold = inputs.get("coldchain", {})
    parts: dict[str, float | None] = {"lab": None, "labels": None, "coldchain": None}
    if lab_reports:
        weights = [half_life_weight(float(r["age_days"]), p["lab_half_life_days"]) for r in lab_reports]
        parts["lab"] = sum(w * int(r["stars"]) for w, r in zip(weights, lab_reports, strict=True)) / sum(weights)
    if labels or lab_reports or cold.get("legs", 0) or cold.get("kept", 0) or cold.get("broken", 0):
        parts["labels"] = min(5.0, 5.0 * len(labels) / p["labels_for_full_marks"])
    kept, broken, excursions = int(cold.get("kept", 0)), int(cold.get("broken", 0)), int(cold.get("excursions", 0))
    if cold.get("legs", 0) or kept or broken:
        parts["coldchain"] = _clamp(5.0 * (kept + 1) / (kept + broken + 1) - p["excursion_penalty"] * excursions)
    available = {name: value for name, value in parts.items() if value is not None}
    raise_it: list[str] = []
    if parts["lab"] is None or parts["lab"] < 5:
        raise_it.append("lab")
    if len(labels) < p["labels_for_full_marks"]:
        raise_it.append("labels")
    if broken or excursions:
        raise_it.append("coldchain")
    if not available:
        return {"value": None, "parts": parts, "raise": raise_it}
    total = sum(p["shares"][name] for name in available)
    value = sum(p["shares"][name] * v for name, v in available.items()) / total
    return {"value": value, "parts": parts, "raise": raise_it}


def reviews_component(inputs: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    counted = reviews_counted(inputs.get("reviews", []), p["window_days"])
    prior_mean = inputs.get("category_mean")
    prior = float(prior_mean) if prior_mean is not None else float(p["default_prior_mean"])
    weighted_sum = weight_total = 0.0
    for review in counted:
        quality = review.get("quality")
        content = 1.0 if quality is None else max(p["min_quality_weight"], float(quality) / p["quality_scale"])
        weight = content * half_life_weight(float(review["age_days"]), p["half_life_days"])
        weighted_sum += weight * int(review["stars"])
        weight_total += weight
    m = p["prior_reviews"]
    value = (m * prior + weighted_sum) / (m + weight_total)
    raise_it = ["more_reviews"] if len(counted) < 2 * m else []
    if value < 4.5:
        raise_it.append("better_reviews")
    return {"value": value, "counted": len(counted), "prior_mean": prior, "weight_total": weight_total,
            "raise": raise_it}  # fmt: skip


def aftersales_component(inputs: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    orders, upheld = int(inputs.get("orders_delivered", 0)), int(inputs.get("claims_upheld", 0))
    if orders <= 0:
        return {"value": None, "wilson": None, "refund_speed": None, "raise": ["orders"]}
    wilson = wilson_lower_bound(max(orders - upheld, 0), orders, p["z"])
    hours = inputs.get("refund_hours_median")
    if hours is None:
        speed = 1.0
    else:
        fast, slow = p["refund_fast_hours"], p["refund_slow_hours"]
        speed = _clamp((slow - float(hours)) / (slow - fast), 0.0, 1.0)
    lost = int(inputs.get("disputes_lost", 0))
    shares = p["shares"]
    value = _clamp(
        5.0 * (shares["claims"] * wilson + shares["refund_speed"] * speed)
        - min(p["dispute_penalty_cap"], p["dispute_penalty"] * lost)
    )
    raise_it = ["orders"]
    if upheld:
        raise_it.append("claims")
    if speed < 1:
        raise_it.append("refund_speed")
    if lost:
        raise_it.append("disputes")
    return {"value": value, "wilson": wilson, "refund_speed": speed, "raise": raise_it}


def credit_component(inputs: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    credit = inputs.get("credit", {})
    band = credit.get("risk_band") or "none"
    points = {
        "qualification": p["qualification"] if int(credit.get("qualifications", 0)) > 0 else 0.0,
        "not_on_probation": 0.0 if credit.get("on_probation") else p["not_on_probation"],
        "no_open_suspension": 0.0 if int(credit.get("open_suspensions", 0)) else p["no_open_suspension"],
        "risk_band": float(p["risk_band"].get(band, 0.0)),
        "deposit": p["deposit"] if int(credit.get("deposit_fen", 0)) > 0 else 0.0,
        "insurance": p["insurance"] if credit.get("insured") else 0.0,
    }
    best = {"risk_band": max(p["risk_band"].values())}
    raise_it = [name for name, value in points.items() if value < best.get(name, p.get(name, 0.0))]
    return {"value": _clamp(sum(points.values())), "points": points, "raise": raise_it}


def enough_evidence(inputs: dict[str, Any], counted_reviews: int, version: str = CURRENT_VERSION) -> bool:
    rule = FORMULAS[version]["evidence"]
    return counted_reviews >= rule["min_reviews"] or len(inputs.get("lab_reports", [])) >= rule["min_lab_reports"]


def product_score(inputs: dict[str, Any], version: str = CURRENT_VERSION) -> dict[str, Any]:
    """The score (Decimal 0–5 with two places, or None when the evidence is too thin) and its components.

    Each component is 0–5 or None (no evidence of that kind); the score is the weighted mean of those present,
    the weights of the missing ones shared out among the others in proportion.
    """
    formula = FORMULAS[version]
    parts = {
        "quality": quality_component(inputs, formula["quality"]),
        "reviews": reviews_component(inputs, formula["reviews"]),
        "aftersales": aftersales_component(inputs, formula["aftersales"]),
        "credit": credit_component(inputs, formula["credit"]),
    }
    weights = formula["weights"]
    present = {name: part["value"] for name, part in parts.items() if part["value"] is not None}
    enough = enough_evidence(inputs, parts["reviews"]["counted"], version)
    score: Decimal | None = None
    if enough:
        total = sum(weights[name] for name in present)
        score = round2(sum(weights[name] * value for name, value in present.items()) / total)
    components: dict[str, Any] = {}
    for name, part in parts.items():
        detail = {
            key: (float(round2(v)) if isinstance(v, float) else v)
            for key, v in part.items()
            if key not in ("value", "raise")
        }
        if name == "quality":
            detail["parts"] = {k: None if v is None else float(round2(v)) for k, v in part["parts"].items()}
        if name == "credit":
            detail["points"] = {k: float(v) for k, v in part["points"].items()}
        components[name] = {
            "value": None if part["value"] is None else str(round2(part["value"])),
            "weight": weights[name],
            "detail": detail,
            "raise": part["raise"],
        }
    return {"version": version, "score": score, "enough_evidence": enough, "components": components}


def half_stars(score: Decimal | None) -> float | None:
    """The score rounded to the nearest half star (4.26 → 4.5, 4.24 → 4.0)."""
    if score is None:
        return None
    return float((score * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2)


# -- uncertainty (ADR 0052) ---------------------------------------------------------------------------------------

# How sure the score is: per formula version, a new key for a new formula (docs/trust-model.md "Delisting").
UNCERTAINTY: dict[str, dict[str, Any]] = {
    "2026.1": {
        "z": 1.645,  # one-sided 95 %
        # The spread of one buyer's stars around the category mean, before any review: the prior's m reviews carry it.
        "review_prior_sd": 1.0,
        # The spread of one lab report's stars around the product's mean, counted as this many pseudo-reports.
        "lab_prior_sd": 1.0,
        "lab_prior_reports": 1,
    },
}


def reviews_sd(inputs: dict[str, Any], p: dict[str, Any], u: dict[str, Any]) -> float:
    """The posterior standard deviation of the weighted Bayesian mean: the prior's m reviews spread by
    `review_prior_sd`, each counted review by its distance to the mean, over m + the reviews' total weight."""
    part = reviews_component(inputs, p)
    mean, m = part["value"], p["prior_reviews"]
    spread = m * u["review_prior_sd"] ** 2
    for review in reviews_counted(inputs.get("reviews", []), p["window_days"]):
        quality = review.get("quality")
        content = 1.0 if quality is None else max(p["min_quality_weight"], float(quality) / p["quality_scale"])
        weight = content * half_life_weight(float(review["age_days"]), p["half_life_days"])
        spread += weight * (int(review["stars"]) - mean) ** 2
    total = m + part["weight_total"]
    return math.sqrt(spread / total / total)


def aftersales_sd(inputs: dict[str, Any], p: dict[str, Any]) -> float | None:
    """The binomial spread of the share of orders without an upheld claim (Agresti–Coull, the centre of the Wilson
    interval, so that 0 claims still leaves room), scaled as the component scales the share."""
    orders, upheld = int(inputs.get("orders_delivered", 0)), int(inputs.get("claims_upheld", 0))
    if orders <= 0:
        return None
    z2 = p["z"] * p["z"]
    centre = (max(orders - upheld, 0) + z2 / 2) / (orders + z2)
    return 5.0 * p["shares"]["claims"] * math.sqrt(centre * (1 - centre) / (orders + z2))


def quality_sd(inputs: dict[str, Any], p: dict[str, Any], u: dict[str, Any]) -> float | None:
    """The lab part's standard error (reports' spread, with `lab_prior_reports` pseudo-reports of `lab_prior_sd`),
    times the lab's share of the parts present; labels and cold chain are counted facts (no spread)."""
    part = quality_component(inputs, p)
    if part["value"] is None:
        return None
    stars = [int(r["stars"]) for r in inputs.get("lab_reports", [])]
    if not stars:
        return 0.0
    mean, k = sum(stars) / len(stars), u["lab_prior_reports"]
    variance = (k * u["lab_prior_sd"] ** 2 + sum((s - mean) ** 2 for s in stars)) / (k + len(stars) - 1)
    present = sum(p["shares"][name] for name, value in part["parts"].items() if value is not None)
    return p["shares"]["lab"] / present * math.sqrt(variance / len(stars))


def score_uncertainty(inputs: dict[str, Any], version: str = CURRENT_VERSION, z: float | None = None
                      ) -> dict[str, Any]:
    """The score's standard deviation and its one-sided bounds score ± z·sd (z from UNCERTAINTY by default).

    Each component's sd (credit: 0, it is a record, not a sample) is weighted as the score weighs the component,
    the components taken as independent: sd = √Σ (wᵢ/Σw)² sdᵢ². None throughout when the score is None.
    """
    formula, u = FORMULAS[version], UNCERTAINTY[version]
    z = u["z"] if z is None else z
    score = product_score(inputs, version)["score"]
    sds = {
        "quality": quality_sd(inputs, formula["quality"], u),
        "reviews": reviews_sd(inputs, formula["reviews"], u),
        "aftersales": aftersales_sd(inputs, formula["aftersales"]),
        "credit": 0.0,
    }
    if score is None:
        return {"sd": None, "upper": None, "lower": None, "components": {}}
    weights = formula["weights"]
    total = sum(weights[name] for name, sd in sds.items() if sd is not None)
    sd = math.sqrt(sum((weights[name] / total * value) ** 2 for name, value in sds.items() if value is not None))
    return {
        "sd": sd,
        "upper": round2(float(score) + z * sd),
        "lower": round2(float(score) - z * sd),
        "components": {name: None if value is None else round(value, 4) for name, value in sds.items()},
    }

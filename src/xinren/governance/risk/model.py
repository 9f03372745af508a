"""Scoring: score = Σ weight × value over the active rules (0–100), compared with the rule set's thresholds.

Pure: the services pass the rule set's rows as `RuleSpec`s, the bench passes its own. Shadow rules are scored and
kept beside the active ones but never summed, so they can be compared before they are promoted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .rules import MerchantFigures, rule_apply

OK, WATCH, RESTRICT, SUSPEND = "ok", "watch", "restrict", "suspend"
BAND_ORDER = {OK: 0, WATCH: 1, RESTRICT: 2, SUSPEND: 3}


@dataclass(frozen=True)
class RuleSpec:
    rule_id: str
    weight: float
    params: Mapping[str, Any]
    mode: str = "active"  # or "shadow"


@dataclass(frozen=True)
class Thresholds:
    review: float
    restrict: float
    suspend: float


@dataclass(frozen=True)
class Scored:
    score: float
    band: str
    results: list[dict[str, Any]]  # per rule: rule, mode, value, weight, contribution, inputs, explanation, params


def band_for(score: float, thresholds: Thresholds) -> str:
    if score >= thresholds.suspend:
        return SUSPEND
    if score >= thresholds.restrict:
        return RESTRICT
    if score >= thresholds.review:
        return WATCH
    return OK


def score(figures: MerchantFigures, specs: Iterable[RuleSpec], thresholds: Thresholds) -> Scored:
    results = []
    total = 0.0
    for spec in specs:
        result = rule_apply(spec.rule_id, figures, spec.params)
        contribution = round(spec.weight * result.value, 2)
        if spec.mode == "active":
            total += contribution
        results.append(
            {
                "rule": spec.rule_id,
                "mode": spec.mode,
                "value": result.value,
                "weight": spec.weight,
                "contribution": contribution,
                "inputs": result.inputs,
                "explanation": result.explanation,
                "params": result.params,
            }
        )
    total = round(min(100.0, total), 2)
    return Scored(score=total, band=band_for(total, thresholds), results=results)


def top_rules(results: Iterable[Mapping[str, Any]], n: int = 3) -> list[str]:
    """The active rules that contributed most (ties by rule id), leaving out those that contributed nothing."""
    active = [r for r in results if r["mode"] == "active" and r["contribution"] > 0]
    return [r["rule"] for r in sorted(active, key=lambda r: (-r["contribution"], r["rule"]))[:n]]

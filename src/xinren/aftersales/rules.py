"""The 坏单包赔 (bad-order compensation) rule set, as data with a version that every decision names.

A claim of an eligible kind on an eligible category, with photo evidence, within the consumer's level cap, from a
consumer whose record is clean enough, against an active merchant, is approved and paid at once with no return.
Any condition that fails routes the claim to the merchant with a deadline. A change of thresholds is a new
`version` (docs/aftersales.md keeps the history), so an old decision always names the rules that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from xinren.catalog.choices import ProductCategory

from .choices import Kind, Outcome


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    kinds: frozenset[str]
    categories: frozenset[str]
    photos_min: int
    rejected_max: int  # rejected requests in the last year, at most
    upheld_claims_30d_max: int  # upheld claims in the last 30 days, at most (before this one)
    merchant_deadline: timedelta


BAD_ORDER = RuleSet(
    id="bad_order",
    version="2026.12-1",
    kinds=frozenset({Kind.DAMAGED}),
    # Fresh food first: what spoils or breaks in transit and cannot sensibly travel back.
    categories=frozenset({
        ProductCategory.FRUIT, ProductCategory.VEGETABLES, ProductCategory.MEAT_EGGS, ProductCategory.WILD_MUSHROOM,
        ProductCategory.BAKED_GOODS, ProductCategory.FRESH_FLOWERS,
    }),
    photos_min=1,
    rejected_max=1,
    upheld_claims_30d_max=2,
    merchant_deadline=timedelta(hours=24),
)


@dataclass(frozen=True)
class ClaimFacts:
    """What the rules look at, gathered by the service before anything is written."""

    kind: str
    category: str
    photos: int
    amount_fen: int
    level_cap_fen: int
    rejected: int
    upheld_claims_30d: int
    merchant_active: bool


@dataclass(frozen=True)
class RuleResult:
    rule: RuleSet
    outcome: str  # Outcome.APPROVE (pay now, no return) or Outcome.ROUTE (to the merchant)
    conditions: list[dict[str, Any]]

    @property
    def failed(self) -> list[str]:
        return [c["id"] for c in self.conditions if not c["passed"]]


def bad_order_evaluate(facts: ClaimFacts, rule: RuleSet = BAD_ORDER) -> RuleResult:
    """Apply the rule set: every condition with its value and whether it passed."""
    conditions = [
        {"id": "kind", "passed": facts.kind in rule.kinds, "value": facts.kind},
        {"id": "category", "passed": facts.category in rule.categories, "value": facts.category},
        {"id": "photos", "passed": facts.photos >= rule.photos_min, "value": facts.photos},
        {"id": "amount_cap", "passed": 0 < facts.amount_fen <= facts.level_cap_fen,
         "value": f"{facts.amount_fen}/{facts.level_cap_fen}"},
        {"id": "consumer_rejected", "passed": facts.rejected <= rule.rejected_max, "value": facts.rejected},
        {"id": "consumer_recent_claims", "passed": facts.upheld_claims_30d <= rule.upheld_claims_30d_max,
         "value": facts.upheld_claims_30d},
        {"id": "merchant_active", "passed": facts.merchant_active, "value": facts.merchant_active},
    ]
    outcome = Outcome.APPROVE if all(c["passed"] for c in conditions) else Outcome.ROUTE
    return RuleResult(rule=rule, outcome=outcome, conditions=conditions)

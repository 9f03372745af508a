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

from django.utils.translation import gettext_lazy as _

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


# What each condition is called on the pages (the statement keeps the ids; the words are for people).
CONDITION_LABELS: dict[str, Any] = {
    "kind": _("理赔类型适用坏单包赔"),
    "category": _("品类在坏单包赔范围内"),
    "photos": _("有照片凭证"),
    "amount_cap": _("金额在信任等级上限内"),
    "consumer_rejected": _("近一年被驳回的申请不多"),
    "consumer_recent_claims": _("近 30 天获赔次数不多"),
    "merchant_active": _("商家在正常经营"),
}


def condition_words(condition: dict[str, Any]) -> str:
    """One checked condition in words: what was checked and what was found (amounts in yuan, categories by name)."""
    label = CONDITION_LABELS.get(condition.get("id", ""), condition.get("id", ""))
    value = condition.get("value")
    if condition.get("id") == "amount_cap" and isinstance(value, str) and "/" in value:
        asked, cap = (int(part) / 100 for part in value.split("/", 1))
        shown = _("申请 ¥%(asked).2f，上限 ¥%(cap).2f") % {"asked": asked, "cap": cap}
    elif condition.get("id") == "category" and value in ProductCategory.values:
        shown = str(ProductCategory(value).label)
    elif condition.get("id") == "kind" and value in Kind.values:
        shown = str(Kind(value).label)
    elif isinstance(value, bool):
        shown = str(_("是") if value else _("否"))
    else:
        shown = str(value)
    return f"{label}（{shown}）"

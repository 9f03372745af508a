"""The lab scorecard and cost-breakdown sections of the consumer page.

Both are signed statements already (a lab's report, a merchant's breakdown); the sections add what the page
needs to draw them and the statement's proof state, so that the card says where it comes from.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from xinren.attest.proofs import statement_proofs
from xinren.catalog.models import Batch, Product
from xinren.costs.selectors import cost_breakdown_current
from xinren.lab.selectors import scorecard_for_batch
from xinren.lab.thresholds import COMPARATOR_SYMBOLS, Comparator

# Bars show a measured value against its limit; a value far below the limit still gets a visible sliver.
MIN_BAR_PERCENT = 2
# Colours of the cost bar, one per line, in COST_LINES order (raw material first, profit last).
COST_COLOURS = ("#25613a", "#4d8b55", "#b7791f", "#1d5487", "#7a6a5c", "#9c3a1f")


def scorecard_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The lot's lab scorecard (检测可视化) with its report's proof, or None without a report (or on a product page)."""
    if batch is None:
        return None
    card = scorecard_for_batch(batch=batch)
    if card is None:
        return None
    for indicator in card["indicators"]:
        indicator["bar_percent"] = _bar_percent(indicator)
    names = {indicator["indicator"]: indicator["name"] for indicator in card["indicators"]}
    for tip in card["suggestions"]:
        tip["name"] = names.get(tip["indicator"], tip["indicator"])
        tip["comparator_symbol"] = str(COMPARATOR_SYMBOLS[Comparator(tip["comparator"])])
    card["report_url"] = f"/api/v1/lab-reports/{card['report_id']}"
    card["proof"] = _proof(card["leaf_hash"])
    return card


def costs_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The current cost breakdown (成本透明) as bar segments with its proof, or None when none is published."""
    costs = cost_breakdown_current(product=product)
    if costs is None:
        return None
    for line, colour in zip(costs["lines"], COST_COLOURS, strict=True):
        line["colour"] = colour
    costs["published_at"] = costs["published_at"][:10]
    costs["proof"] = _proof(costs["leaf_hash"])
    return costs


def _bar_percent(indicator: dict[str, Any]) -> int:
    """How full the bar is: the measured value as a share of the limit, capped at 100 (over the limit)."""
    if indicator["not_detected"]:
        return 0
    try:
        value, limit = Decimal(indicator["value"]), Decimal(indicator["limit"])
    except (InvalidOperation, TypeError):
        return 0
    if limit <= 0:
        return 100 if value > 0 else 0
    return max(MIN_BAR_PERCENT, min(100, int(value * 100 / limit)))


def _proof(leaf_hash: str) -> dict[str, Any]:
    return statement_proofs(leaf_hashes=[leaf_hash])[leaf_hash].as_dict() if leaf_hash else {"state": "unsigned"}

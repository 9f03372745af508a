"""A breakdown against the price the product sells at now (ADR 0035).

Costs sits below orders (ADR 0001): it never reads an offer itself. An interface reads the product's offer through
orders' selectors and hands it in as an `OfferPrice`; a breakdown is published against that price and, on every page,
compared with the price of the moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .models import COST_LINES

# current: the breakdown adds up to the price the product sells at now; stale: the price has changed since (the
# merchant has not yet published a breakdown for the new one); not_for_sale: the product has no price now.
PriceState = Literal["current", "stale", "not_for_sale"]


@dataclass(frozen=True)
class OfferPrice:
    """A product's offer as the interface read it from orders: which offer, and its price in fen."""

    offer_id: int
    product_id: int
    price_fen: int


def price_state(*, price_fen: int, current_price_fen: int | None) -> PriceState:
    """How a breakdown's price (for old rows: its lines' total, the same by a check constraint) compares with now."""
    if current_price_fen is None:
        return "not_for_sale"
    return "current" if price_fen == current_price_fen else "stale"


def lines_for_price(*, lines: Mapping[str, int], price_fen: int) -> dict[str, int]:
    """A starting point for re-publishing at a new price: the old lines with the difference in the profit line (the
    costs did not change, the margin did); when that would make the profit negative, every line scaled to the new
    price (largest remainders first, so the lines add up exactly). The merchant edits it before signing."""
    difference = price_fen - sum(lines[name] for name in COST_LINES)
    if lines["profit"] + difference >= 0:
        return {**{name: lines[name] for name in COST_LINES}, "profit": lines["profit"] + difference}
    total = sum(lines[name] for name in COST_LINES)
    if total <= 0:
        return {**dict.fromkeys(COST_LINES, 0), "raw_material": price_fen}
    exact = {name: lines[name] * price_fen for name in COST_LINES}
    scaled = {name: exact[name] // total for name in COST_LINES}
    short = price_fen - sum(scaled.values())
    by_remainder = sorted(COST_LINES, key=lambda name: (-(exact[name] % total), COST_LINES.index(name)))
    for name in by_remainder[:short]:
        scaled[name] += 1
    return scaled

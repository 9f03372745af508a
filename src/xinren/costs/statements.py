"""What a merchant signs when it publishes a cost breakdown (`cost.breakdown`)."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import CATALOG_KINDS
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import COUNT, GTIN, ORGANIZATION, statement_type

from .models import COST_LINES, CostBreakdown

# The offer a breakdown was published against (orders.Offer's id): `offer:<id>`.
OFFER = {"type": "string", "pattern": r"^offer:\d+$"}

COST_BREAKDOWN = statement_type(
    name="cost.breakdown", context="costs",
    summary="How a product's price splits into cost lines, in fen; each publication a new version. `price_fen` is "
            "the offer's price it was published against (`offer`); a new version `corrects` the one it supersedes.",
    signers=CATALOG_KINDS,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "version": {"type": "integer", "minimum": 1},
        "currency": {"const": "CNY"},
        "price_fen": {"type": "integer", "minimum": 1},
        "offer": OFFER,
        "lines_fen": {
            "type": "object",
            "properties": dict.fromkeys(COST_LINES, COUNT),
            "required": list(COST_LINES),
            "additionalProperties": False,
        },
    },
    # `offer` is not required: breakdowns signed before ADR 0035 carry none, and the schema describes them too.
    required=["merchant", "gtin", "version", "currency", "price_fen", "lines_fen"],
)


def offer_ref(offer_id: int | None) -> str | None:
    """How a statement names an offer (None for breakdowns published before they named one)."""
    return None if offer_id is None else f"offer:{offer_id}"


def cost_breakdown_matches(breakdown: CostBreakdown, statement: dict[str, Any] | None) -> bool:
    """The stored breakdown says what the merchant published: version, price, offer, the version it supersedes and
    every line, in fen."""
    superseded = breakdown.supersedes
    return statement_says(statement, {
        "type": COST_BREAKDOWN.name, "merchant": f"org:{breakdown.product.merchant_id}",
        "gtin": breakdown.product.gtin, "version": breakdown.version, "price_fen": breakdown.price_fen,
        "offer": offer_ref(breakdown.offer_id),
        "corrects": superseded.ledger_leaf_hash if superseded is not None else None,
        "lines_fen": {line: getattr(breakdown, line) for line in COST_LINES},
    })


COST_BREAKDOWN_RECORD = signed_record(
    model=CostBreakdown, statement_type=COST_BREAKDOWN, matches=cost_breakdown_matches, signer="product.merchant",
    protected=("product", "version", "price_fen", *COST_LINES, "offer_id", "supersedes"),
    select_related=("product", "supersedes"),
)

"""What a merchant signs when it publishes a cost breakdown (`cost.breakdown`)."""

from __future__ import annotations

from xinren.accounts.choices import CATALOG_KINDS
from xinren.attest.registry import COUNT, GTIN, ORGANIZATION, statement_type

from .models import COST_LINES

COST_BREAKDOWN = statement_type(
    name="cost.breakdown", context="costs",
    summary="How a product's price splits into cost lines, in fen; each publication a new version.",
    signers=CATALOG_KINDS,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "version": {"type": "integer", "minimum": 1},
        "currency": {"const": "CNY"},
        "price_fen": {"type": "integer", "minimum": 1},
        "lines_fen": {
            "type": "object",
            "properties": dict.fromkeys(COST_LINES, COUNT),
            "required": list(COST_LINES),
            "additionalProperties": False,
        },
    },
    required=["merchant", "gtin", "version", "currency", "price_fen", "lines_fen"],
)

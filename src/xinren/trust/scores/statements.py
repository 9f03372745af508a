"""What the platform signs each time a product's trust score changes (`trust.score`, ADR 0051).

The statement carries the formula version, the score, each component's value, the computation time and the inputs
the formula read, public-safe (`explain.public_inputs`), with the leaf hashes of the statements behind them
(`sources`), so that `xinren trust explain <gtin>` can recompute the score from the log alone.
"""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import BOOLEAN, GTIN, LEAF_HASH, NONEMPTY, OBJECT, TIMESTAMP, statement_type

from ..models import ProductScore
from .formula import COMPONENTS

_VALUE = {"anyOf": [{"type": "string", "pattern": r"^[0-5]\.[0-9]{2}$"}, {"type": "null"}]}
_HASHES = {"type": "array", "items": LEAF_HASH}
SOURCES = ("reviews", "lab_reports", "claims_upheld", "suspensions", "probation")

TRUST_SCORE = statement_type(
    name="trust.score",
    context="trust",
    summary="A product's trust score as the platform computed it: formula version, score (null: 评分数据不足), each "
    "component's value, the computation time, the inputs the formula read (buyers numbered within the "
    "statement; reviews folded into the formula's sufficient statistics when there are too many) and the "
    "leaf hashes of the review, lab, after-sales and governance statements behind them (`sources`).",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "gtin": GTIN,
        "version": NONEMPTY,
        "score": _VALUE,
        "computed_at": TIMESTAMP,
        "components": {
            "type": "object",
            "properties": {name: _VALUE for name in COMPONENTS},
            "required": list(COMPONENTS),
            "additionalProperties": False,
        },
        "inputs": OBJECT,
        "reviews_folded": BOOLEAN,
        "sources": {
            "type": "object",
            "properties": {name: _HASHES for name in SOURCES},
            "additionalProperties": False,
        },
    },
    required=["gtin", "version", "score", "computed_at", "components", "inputs", "sources"],
)


def score_statement(
    *, row: ProductScore, gtin: str, inputs: dict[str, Any], folded: bool, sources: dict[str, list[str]]
) -> dict[str, Any]:
    """The `trust.score` payload of a stored row; `inputs` already public-safe."""
    return {
        "type": TRUST_SCORE.name,
        "subject": gtin,
        "gtin": gtin,
        "version": row.version,
        "score": None if row.score is None else str(row.score),
        "computed_at": row.computed_at.isoformat(),
        "components": {name: row.components.get(name, {}).get("value") for name in COMPONENTS},
        "inputs": inputs,
        "reviews_folded": folded,
        "sources": sources,
    }

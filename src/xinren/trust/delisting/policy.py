"""When the platform delists a product on its trust score: versioned rules, a new key for new rules (ADR 0052).

A product is delisted only when its score is, with 95 % confidence, below the bar — score + z·sd < bar — and there
is enough evidence for that to mean something; it is put back automatically when the upper bound is no longer
below the bar and the score itself is at least the bar (docs/trust-model.md, "Delisting").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CURRENT_POLICY = "2026.1"

POLICIES: dict[str, dict[str, Any]] = {
    "2026.1": {
        "formula": "2026.1",  # the score formula (trust/scores/formula.py) the rule reads
        "bar": Decimal("3.00"),
        "z": 1.645,  # one-sided 95 %
        # Enough evidence: at least this many counted reviews or delivered orders (a few bad days are not enough).
        "min_reviews": 10,
        "min_orders": 30,
    },
}


def policy_current() -> dict[str, Any]:
    return {"version": CURRENT_POLICY, **POLICIES[CURRENT_POLICY]}

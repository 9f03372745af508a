"""Reads for the consumer page and the console."""

from __future__ import annotations

from typing import Any

from xinren.catalog.models import Batch, Product


def coldchain_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The lot's cold-chain record (legs, readings summary, excursions, promises) for the consumer page, or None."""
    return None

"""Reads for the consumer page and the console."""

from __future__ import annotations

from typing import Any

from xinren.catalog.models import Batch, Product


def labels_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The trust labels and regional badges the product and lot earn now, each with its evidence, or None."""
    return None

"""Reads for the consumer page and the console."""

from __future__ import annotations

from typing import Any

from xinren.catalog.models import Batch, Product


def album_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The trace album (溯源相册) of a product and lot for the consumer page, or None when it is empty."""
    return None

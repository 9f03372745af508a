"""The consumer page's cold-chain section: chart geometry per leg, excursions and promise badges."""

from __future__ import annotations

from typing import Any

from xinren.catalog.models import Batch, Product


def section_build(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The section's data, or None when there is nothing to show."""
    return None

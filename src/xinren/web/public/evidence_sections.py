"""The lab scorecard and cost-breakdown sections of the consumer page."""

from __future__ import annotations

from typing import Any

from xinren.catalog.models import Batch, Product


def scorecard_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The lot's lab scorecard (检测可视化), or None without a report."""
    return None


def costs_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The product's current cost breakdown (成本透明) as bar segments, or None when none is published."""
    return None

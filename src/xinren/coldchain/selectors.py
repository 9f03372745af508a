"""Reads of the cold chain. The contracts other contexts call (status, leg durations, promise results) live in
status.py; the consumer section is built in section.py."""

from __future__ import annotations

from xinren.catalog.models import Batch, Product

from .section import ColdChainSection, ItemPromiseLine, item_promise_lines, section_build
from .status import (
    ColdChainStatus,
    ItemPromiseResult,
    LegDuration,
    PromiseResult,
    coldchain_status_for_batch,
    excursions_for_leg,
    leg_durations_for_batch,
    leg_list,
    legs_for_batch,
    legs_in_scope,
    profile_dict,
    promise_list,
    promise_results_for_batch,
    promise_results_for_items,
    shipments_to_open,
)

__all__ = [
    "ColdChainStatus",
    "ItemPromiseLine",
    "ItemPromiseResult",
    "LegDuration",
    "PromiseResult",
    "coldchain_for",
    "coldchain_status_for_batch",
    "excursions_for_leg",
    "item_promise_lines",
    "leg_durations_for_batch",
    "leg_list",
    "legs_for_batch",
    "legs_in_scope",
    "profile_dict",
    "promise_list",
    "promise_results_for_batch",
    "promise_results_for_items",
    "shipments_to_open",
]


def coldchain_for(*, product: Product, batch: Batch | None) -> ColdChainSection | None:
    """The lot's cold-chain record (legs, readings summary, excursions, promises) for the consumer page, or None."""
    return section_build(product=product, batch=batch)

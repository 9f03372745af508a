"""Background task of the Advertising Law re-check (ADR 0013, docs/compliance.md): the daily sweep."""

from __future__ import annotations

from xinren.core.tasks import background

from .selectors.copy_recheck import copy_recheck
from .services.copy_recheck import copy_recheck_tell


@background(attempts=2, backoff=300)
def copy_recheck_task() -> dict[str, int]:
    """Daily: re-check every product's copy under the current term list with the merchants' verified credentials,
    and tell the merchants with a blocking finding (once per term list and set of findings)."""
    reports = copy_recheck()
    return {"products": len(reports), "merchants_told": copy_recheck_tell(reports=reports)}

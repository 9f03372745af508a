"""Background task of the guarantee programmes (ADR 0013): the daily review of memberships."""

from __future__ import annotations

from xinren.core.tasks import background

from .services import programmes_review


@background(attempts=2, backoff=300)
def programmes_review_task() -> dict[str, int]:
    """Daily: end memberships that no longer qualify; refresh the pages whose after-sale record moved."""
    report = programmes_review()
    return {"checked": report.checked, "ended": len(report.ended), "refreshed_merchants": report.refreshed_merchants}

"""Background tasks of probation (ADR 0013): the daily review."""

from __future__ import annotations

from xinren.core.tasks import background

from .services.probation import probation_review


@background(attempts=2, backoff=300)
def probation_review_task() -> dict[str, int]:
    """Daily: end the probations whose criteria hold, extend those whose minimum period is over and which fail."""
    return probation_review()

"""Background tasks of the community (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from datetime import timedelta

from xinren.core import clock
from xinren.core.tasks import background

from .services import community_rescore, review_sync, tiers_evaluate

# The hourly rescore looks back two hours, so one missed or failed run loses nothing.
RESCORE_WINDOW = timedelta(hours=2)


@background(attempts=5)
def review_sync_task(*, review_id: int) -> int:
    """Subscribed to reviews' REVIEW_CHANGED: rescore the review and settle its points. Returns the score."""
    return review_sync(review_id=review_id).score


@background(attempts=3, backoff=60)
def community_rescore_task() -> int:
    """Periodic (hourly): sync every review changed in the last two hours, the safety net under review_sync_task."""
    return community_rescore(since=clock.now() - RESCORE_WINDOW)


@background(attempts=3, backoff=300)
def tiers_evaluate_task() -> int:
    """Periodic (daily): rescore the last day's reviews, then promote and demote expert tiers. How many changed."""
    community_rescore(since=clock.now() - timedelta(days=1))
    return len(tiers_evaluate())

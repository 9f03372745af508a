"""Background tasks of the reviews context (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from .services import brushing_flag, diary_invitations_create, review_bands_prune


@background(attempts=3, backoff=60)
def reviews_invite_task() -> dict[str, int]:
    """Periodic (hourly): invite the usage diaries that have come due (day 7, 15, 30 after delivery), flag shops
    with brushing signals and drop near-duplicate index rows older than the 30 days the check reads."""
    return {
        "invited": diary_invitations_create(),
        "flagged": len(brushing_flag()),
        "pruned": review_bands_prune(),
    }

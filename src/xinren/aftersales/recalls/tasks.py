"""Background work of recalls (ADR 0013): writing every buyer's notice after a recall is issued."""

from __future__ import annotations

from xinren.core.tasks import background

from . import services


@background(attempts=5)
def recall_notify(*, recall_id: int) -> int:
    """Reach every buyer of the recall once (services.recall_notices_write); how many were reached this run."""
    return len(services.recall_notices_write(recall_id=recall_id))

"""Pruning the near-duplicate index: band rows older than the window the check reads are never read again."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.db import transaction

from xinren.core import clock

from .. import integrity
from ..models import ReviewBand

PRUNE_BATCH = 5000


def review_bands_prune(*, now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the band rows older than integrity.DUPLICATE_LOOKBACK; returns how many went.

    Rows are written with their review, so their ids follow posting time: the prune walks the table from its
    lowest id, one short transaction per `batch`, and stops at the first row still inside the window (reading
    the table's head by primary key, never scanning it whole). The reviews and their signatures stay; only the
    lookup index shrinks, and `near_duplicate` filters by the same cutoff, so no verdict changes.
    """
    cutoff = (now or clock.now()) - integrity.DUPLICATE_LOOKBACK
    removed = 0
    while True:
        with transaction.atomic():
            head = ReviewBand.objects.order_by("id").values_list("id", "created_at")[:batch]
            # Only the prefix: a row inside the window ends the walk, even if older ones follow it.
            old = [pk for pk, _created_at in itertools.takewhile(lambda row: row[1] < cutoff, head)]
            if old:
                ReviewBand.objects.filter(id__in=old).delete()
        removed += len(old)
        if len(old) < batch:  # the walk reached a row inside the window, or the end of the table
            return removed

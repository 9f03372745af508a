"""The demo's voice of the user: every demo text is read, and the latest low-star review becomes a care ticket, so
/merchant/care/ and /operator/care/ are not empty."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from xinren.core import clock
from xinren.reviews.models import Review

from .choices import SourceKind
from .models import CareTicket
from .services import LOW_STARS, voice_backfill, voice_classify


def demo_care_load(*, now: dt.datetime | None = None) -> CareTicket | None:
    """Open the demo's one ticket, then read the other texts without opening more."""
    now = now or clock.now()
    hurt = Review.objects.filter(Q(stars__lte=LOW_STARS)).order_by("-created_at", "-id").first()
    ticket = None
    if hurt is not None:
        record = voice_classify(source_kind=SourceKind.REVIEW, source_id=hurt.pk)
        ticket = record.ticket if record is not None else None
    voice_backfill(tickets_since=now + dt.timedelta(days=36500))
    return ticket

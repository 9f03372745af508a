"""The demo reads every demo text and opens one care ticket, on its latest low-star review."""

from __future__ import annotations

from xinren.care.choices import SourceKind, TicketStatus
from xinren.care.demo import demo_care_load
from xinren.care.models import CareTicket, VoiceRecord
from xinren.reviews.models import Review


def test_the_demo_opens_one_ticket_and_reads_everything(demo_world) -> None:
    ticket = CareTicket.objects.get()
    review = Review.objects.get(pk=ticket.records.get().source_id)
    assert review.stars <= 2 and ticket.status == TicketStatus.OPEN
    assert ticket.leaf_hash
    assert VoiceRecord.objects.filter(source_kind=SourceKind.REVIEW).count() == Review.objects.count()
    demo_care_load()  # loading again changes nothing
    assert CareTicket.objects.count() == 1

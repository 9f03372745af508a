"""Background tasks of the care context (ADR 0013, ADR 0054): classify each text a customer writes, queued with
the write by the events of reviews, support and after-sales. Each reading is kept once per model version, so a
task run twice (a retry, a fold announcing the review again) changes nothing."""

from __future__ import annotations

from xinren.core.tasks import background
from xinren.reviews.models import DiaryEntry

from .choices import SourceKind
from .services import voice_classify


@background(attempts=5)
def voice_review_task(*, review_id: int, **_: object) -> int:
    """A review was posted or diaried (or its standing changed): read the review and each of its diary entries."""
    voice_classify(source_kind=SourceKind.REVIEW, source_id=review_id)
    entries = list(DiaryEntry.objects.filter(review_id=review_id).values_list("pk", flat=True))
    for entry_id in entries:
        voice_classify(source_kind=SourceKind.DIARY, source_id=entry_id)
    return 1 + len(entries)


@background(attempts=5)
def voice_message_task(*, message_id: int, **_: object) -> int:
    """A message was posted: read it when the consumer wrote it (the merchant's replies are skipped)."""
    return int(voice_classify(source_kind=SourceKind.MESSAGE, source_id=message_id) is not None)


@background(attempts=5)
def voice_aftersale_task(*, request_id: int, **_: object) -> int:
    """A consumer opened an after-sale request: read its reason."""
    return int(voice_classify(source_kind=SourceKind.AFTERSALE, source_id=request_id) is not None)

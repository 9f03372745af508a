"""Usage diaries (使用日记): invitations at day 7, 15 and 30 after delivery, and the entries themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound

from .. import errors, events, statements
from ..choices import Milestone
from ..models import DiaryEntry, DiaryInvitation, Review
from .shared import (
    TEXT_MAX,
    platform_organization,
    review_changed,
    sign,
    text_clean,
)

# -- usage diaries -----------------------------------------------------------------------------------------------------


def _milestone_due(review: Review, milestone: int) -> datetime | None:
    delivered_at = review.line.order.delivered_at
    return delivered_at + timedelta(days=milestone) if delivered_at is not None else None


@transaction.atomic
def diary_invitations_create(*, now: datetime | None = None) -> int:
    """Invite authors to write the usage diary of each milestone (7, 15, 30 days after delivery) that has come.
    Idempotent: a milestone is invited once per review. Returns how many invitations were created."""
    now = now or clock.now()
    created = 0
    for milestone in Milestone:
        due = (
            Review.objects.filter(line__order__delivered_at__lte=now - timedelta(days=milestone.value))
            .exclude(diary_invitations__milestone=milestone.value)
            .exclude(diary_entries__milestone=milestone.value)
            .select_related("line__order")
            .order_by("pk")
        )
        for review in due:
            due_at = _milestone_due(review, milestone.value)
            assert due_at is not None
            invitation, is_new = DiaryInvitation.objects.get_or_create(
                review=review, milestone=milestone.value, defaults={"due_at": due_at, "created_at": now}
            )
            if is_new:
                created += 1
                events.DIARY_INVITED.announce(invitation_id=invitation.pk)
    return created


@transaction.atomic
def diary_post(*, consumer: User, review_id: int, milestone: int, text: str) -> DiaryEntry:
    """Attach the usage diary of a milestone that has come to the author's review (one per milestone)."""
    consumer = consumer_require(consumer)
    if milestone not in Milestone.values:
        raise InvalidInput(errors.REVIEW_INVALID, _("日记节点须为第 7、15 或 30 天"), details={"field": "milestone"})
    text = text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("line__order")
        .filter(pk=review_id, consumer=consumer)
        .first()
    )
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    now = clock.now()
    due_at = _milestone_due(review, milestone)
    if due_at is None or due_at > now:
        raise Conflict(errors.DIARY_NOT_DUE, _("还没到写这篇使用日记的时候"),
                       details={"due_at": due_at.isoformat() if due_at else None})
    if DiaryEntry.objects.filter(review=review, milestone=milestone).exists():
        raise Conflict(errors.DIARY_EXISTS, _("这个节点的使用日记已经写过了"))
    statement = statements.diary_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, reviewer=review.reviewer,
        milestone=milestone, text=text, at=now,
    )
    entry = DiaryEntry.objects.create(
        review=review, milestone=milestone, text=text, created_at=now,
        ledger_leaf_hash=sign(platform_organization(), statement),
    )
    if not review.has_diary:
        review.has_diary = True
        review.save(update_fields=["has_diary"])
    DiaryInvitation.objects.filter(review=review, milestone=milestone, answered_at__isnull=True).update(
        answered_at=now
    )
    audit_record(actor=consumer, organization=None, action="review.diary", target=review,
                 data={"milestone": milestone, "leaf_hash": entry.ledger_leaf_hash})
    review_changed(review)
    return entry


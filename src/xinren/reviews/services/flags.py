"""Integrity flags: brushing shops, and operators deciding flags (a dismissed flag may show a review again)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import NotFound
from xinren.core.transitions import transition_check

from .. import errors, integrity, statements
from ..choices import FLAG_TRANSITIONS, REVIEW_TRANSITIONS, FlagReason, FlagStatus, FoldSource, ReviewStatus
from ..models import Flag, Review
from .shared import REASON_MAX, review_changed, sign, text_clean

# -- shop-level signals ------------------------------------------------------------------------------------------------


@transaction.atomic
def brushing_flag(*, now: datetime | None = None) -> list[Flag]:
    """Flag shops whose orders ÷ distinct buyers reached the brushing ratio within the last window, once per
    window: an open brushing flag of the shop inside the window suppresses a new one."""
    now = now or clock.now()
    since = now - integrity.BRUSHING_WINDOW
    flags = []
    for row in integrity.brushing_rows(since=since, until=now):
        if Flag.objects.filter(
            reason=FlagReason.BRUSHING, merchant_id=row.merchant_id, status=FlagStatus.OPEN, created_at__gt=since
        ).exists():
            continue
        flags.append(Flag.objects.create(
            reason=FlagReason.BRUSHING, merchant_id=row.merchant_id, created_at=now,
            details={"orders": row.orders, "buyers": row.buyers, "since": since.isoformat(),
                     "until": now.isoformat()},
        ))
    return flags


@transaction.atomic
def flag_resolve(*, actor: Actor, flag_id: int, upheld: bool, note: str) -> Flag:
    """An operator decides a flag. Upheld: the review stays folded. Dismissed: a review folded only by integrity
    signals, with no other open flag, is shown again (a "review.unfold" statement; the fold stays on record)."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.PLATFORM])
    note = text_clean(note, field="note", minimum=2, maximum=REASON_MAX)
    flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(errors.FLAG_NOT_FOUND, _("找不到该风控标记"))
    transition_check(FLAG_TRANSITIONS, flag.status, FlagStatus.RESOLVED, code=errors.FLAG_RESOLVED,
                     message=_("该标记已处理"), details={})
    now = clock.now()
    flag.status = FlagStatus.RESOLVED
    flag.upheld = upheld
    flag.resolution_note = note
    flag.resolved_by = actor.user
    flag.resolved_at = now
    flag.save(update_fields=["status", "upheld", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(actor=actor.user, organization=actor.organization, action="review.flag_resolve", target=flag,
                 data={"upheld": upheld, "note": note})
    if not upheld and flag.review_id is not None:
        _unfold_if_cleared(review_id=flag.review_id, actor=actor, note=note, now=now)
    return flag


def _unfold_if_cleared(*, review_id: int, actor: Actor, note: str, now: datetime) -> None:
    review = Review.objects.select_for_update(of=("self",)).select_related("line").get(pk=review_id)
    held = (
        review.status != ReviewStatus.FOLDED
        or review.folds.filter(source=FoldSource.OPERATOR).exists()
        or review.flags.filter(status=FlagStatus.OPEN).exists()
        or review.flags.filter(upheld=True).exists()
    )
    if held:
        return
    transition_check(REVIEW_TRANSITIONS, review.status, ReviewStatus.VISIBLE, code=errors.REVIEW_TRANSITION,
                     labels=ReviewStatus)
    statement = statements.unfold_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, reason=note, at=now
    )
    leaf_hash = sign(actor.organization, statement)
    review.status = ReviewStatus.VISIBLE
    review.fold_reason = ""
    review.folded_at = None
    review.save(update_fields=["status", "fold_reason", "folded_at"])
    audit_record(actor=actor.user, organization=actor.organization, action="review.unfold", target=review,
                 data={"note": note, "leaf_hash": leaf_hash})
    review_changed(review)

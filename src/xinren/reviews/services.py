"""Writes of the reviews context: post a review or a diary entry, reply, fold, respond, invite, flag.

Each public fact is signed into the ledger in the same transaction that records it (as trace events are):
reviews, diaries, folds and author responses with the PLATFORM organization's custodial key (the platform
vouches that the purchase is verified; consumers have no organization), replies with the merchant's own key.
Nothing here deletes or edits a review's stars or text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts import keys
from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, OrganizationStatus, Role
from xinren.accounts.consumers import consumer_public_id, consumer_require
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.orders.selectors import line_reviewable_get

from . import errors, integrity, minhash, statements
from .choices import FlagReason, FlagStatus, FoldSource, Milestone, NotificationKind, ReviewStatus
from .models import DiaryEntry, DiaryInvitation, Flag, Fold, Notification, Reply, Review

PLATFORM_SLUG = "xinren"
TEXT_MAX = 2000
TAGS_MAX = 6
TAG_MAX_CHARS = 12
REASON_MAX = 200


def platform_organization() -> Organization:
    """The platform's own organization (kind "platform"; the demo's slug is "xinren"), which signs reviews."""
    platforms = Organization.objects.filter(kind=OrganizationKind.PLATFORM, status=OrganizationStatus.ACTIVE)
    platform = platforms.filter(slug=PLATFORM_SLUG).first() or platforms.order_by("pk").first()
    if platform is None:
        raise DomainError(errors.PLATFORM_MISSING, _("平台组织尚未设立，暂时无法发布评价"), status=503)
    return platform


def _text_clean(value: str, *, field: str, minimum: int, maximum: int) -> str:
    value = value.strip()
    if not minimum <= len(value) <= maximum:
        raise InvalidInput(
            errors.REVIEW_INVALID,
            _("内容长度须为 %(min)s–%(max)s 字") % {"min": minimum, "max": maximum},
            details={"field": field},
        )
    return value


def _tags_clean(tags: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(cleaned) > TAGS_MAX or any(len(tag) > TAG_MAX_CHARS for tag in cleaned):
        raise InvalidInput(
            errors.REVIEW_INVALID, _("最多 6 个标签，每个不超过 12 字"), details={"field": "tags"}
        )
    return cleaned


def _sign(organization: Organization, statement: dict[str, object]) -> str:
    return keys.statement_sign_and_append(organization=organization, statement=statement).leaf_hash


def _product_page_stale(product_id: int) -> None:
    # Only the product page shows reviews; batch and item pages link to it (docs/adr/0008).
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product_id])


def _consumer_lock(consumer: User) -> None:
    # Serialises one consumer's posts, so the hourly limit and one-review-per-line hold across processes.
    list(User.objects.select_for_update().filter(pk=consumer.pk).values_list("pk", flat=True))


# -- reviews -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def review_post(
    *, consumer: User, line_id: int, stars: int, text: str, tags: Sequence[str] = (),
    media: Sequence[tuple[str, bytes]] = (),
) -> Review:
    """Review a delivered order line, once. Stars 1–5 and text are fixed from then on. Integrity signals may fold
    the new review pending an operator's review, with the reason shown."""
    consumer = consumer_require(consumer)
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput(errors.REVIEW_INVALID, _("请给出 1–5 星"), details={"field": "stars"})
    text = _text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
    tag_list = _tags_clean(tags)
    _consumer_lock(consumer)
    line = line_reviewable_get(consumer=consumer, line_id=line_id)
    if Review.objects.filter(line=line).exists():
        raise Conflict(errors.REVIEW_EXISTS, _("该商品已评价过，评价发布后不能修改"))
    now = clock.now()
    limit = integrity.reviews_per_hour()
    if integrity.recent_review_count(consumer=consumer, now=now) >= limit:
        raise DomainError(
            errors.REVIEW_RATE_LIMITED, _("评价过于频繁，请稍后再试"), details={"limit_per_hour": limit}, status=429
        )
    platform = platform_organization()
    reviewer = consumer_public_id(consumer)
    statement = statements.review_statement(
        line=line, reviewer=reviewer, stars=stars, text=text, tags=tag_list, at=now
    )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line, consumer=consumer, product_id=line.product_id, merchant_id=line.order.merchant_id,
                reviewer=reviewer, stars=stars, text=text, tags=tag_list, verified_purchase=True,
                minhash=minhash.signature(text), ledger_leaf_hash=_sign(platform, statement), created_at=now,
            )
    except IntegrityError as exc:
        raise Conflict(errors.REVIEW_EXISTS, _("该商品已评价过，评价发布后不能修改")) from exc
    audit_record(actor=consumer, organization=None, action="review.post", target=review,
                 data={"stars": stars, "leaf_hash": review.ledger_leaf_hash})
    _product_page_stale(review.product_id)
    if integrity.checks_enabled():
        _integrity_check(review=review, platform=platform, now=now)
    return review


def _integrity_check(*, review: Review, platform: Organization, now: datetime) -> None:
    duplicate = integrity.near_duplicate(review=review, now=now)
    if duplicate is not None:
        _flag_and_fold(
            review=review, platform=platform, reason=FlagReason.NEAR_DUPLICATE, now=now,
            details={"similar_to": duplicate.review_id, "similarity": round(duplicate.similarity, 3)},
        )
    burst = integrity.new_account_burst(review=review, now=now)
    for member in burst:
        _flag_and_fold(
            review=member, platform=platform, reason=FlagReason.NEW_ACCOUNT_BURST, now=now,
            details={"product": review.product_id, "reviews_in_window": len(burst)},
        )


def _flag_and_fold(
    *, review: Review, platform: Organization, reason: FlagReason, now: datetime, details: dict[str, object]
) -> None:
    # Locks the row first: concurrent posts may flag the same earlier reviews of a burst (fixed order: oldest first).
    review = Review.objects.select_for_update(of=("self",)).select_related("line").get(pk=review.pk)
    if Flag.objects.filter(review=review, reason=reason).exists():
        return
    Flag.objects.create(reason=reason, review=review, details=details, created_at=now)
    if review.status != ReviewStatus.FOLDED:
        public_reason = _("待平台审核：%(reason)s") % {"reason": reason.label}
        _fold(review=review, platform=platform, source=FoldSource.INTEGRITY, reason=str(public_reason),
              by_user=None, by_organization=None, now=now)


def _fold(
    *, review: Review, platform: Organization, source: str, reason: str, by_user: User | None,
    by_organization: Organization | None, now: datetime,
) -> Fold:
    statement = statements.fold_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, source=source, reason=reason, at=now
    )
    fold = Fold.objects.create(
        review=review, source=source, reason=reason, by_user=by_user, by_organization=by_organization, at=now,
        ledger_leaf_hash=_sign(platform, statement),
    )
    review.status = ReviewStatus.FOLDED
    review.fold_reason = reason
    review.folded_at = now
    review.save(update_fields=["status", "fold_reason", "folded_at"])
    Notification.objects.create(
        user_id=review.consumer_id, kind=NotificationKind.REVIEW_FOLDED, review=review, created_at=now,
        message=str(_("你的评价已被折叠，理由：%(reason)s。你可以提交一次申辩。") % {"reason": reason})[:300],
    )
    audit_record(actor=by_user, organization=by_organization, action="review.fold", target=review,
                 data={"source": source, "reason": reason, "leaf_hash": fold.ledger_leaf_hash})
    _product_page_stale(review.product_id)
    return fold


@transaction.atomic
def review_fold(*, actor: Actor, review_id: int, reason: str) -> Review:
    """An operator (platform admin) folds a review with a public reason. Reviews are never deleted."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.PLATFORM])
    reason = _text_clean(reason, field="reason", minimum=2, maximum=REASON_MAX)
    review = Review.objects.select_for_update(of=("self",)).select_related("line").filter(pk=review_id).first()
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    if review.folds.filter(source=FoldSource.OPERATOR).exists():
        raise Conflict(errors.FOLD_EXISTS, _("该评价已被运营折叠"))
    _fold(review=review, platform=actor.organization, source=FoldSource.OPERATOR, reason=reason,
          by_user=actor.user, by_organization=actor.organization, now=clock.now())
    return review


@transaction.atomic
def review_respond(*, consumer: User, review_id: int, text: str) -> Review:
    """The author answers a fold publicly, once."""
    consumer = consumer_require(consumer)
    text = _text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("line")
        .filter(pk=review_id, consumer=consumer)
        .first()
    )
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    if review.status != ReviewStatus.FOLDED:
        raise Conflict(errors.NOT_FOLDED, _("只有被折叠的评价可以申辩"))
    if review.author_responded_at is not None:
        raise Conflict(errors.RESPONSE_EXISTS, _("每条评价只能申辩一次"))
    now = clock.now()
    statement = statements.response_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, reviewer=review.reviewer, text=text, at=now
    )
    leaf_hash = _sign(platform_organization(), statement)
    review.author_response = text
    review.author_responded_at = now
    review.save(update_fields=["author_response", "author_responded_at"])
    audit_record(actor=consumer, organization=None, action="review.respond", target=review,
                 data={"leaf_hash": leaf_hash})
    _product_page_stale(review.product_id)
    return review


# -- merchant replies --------------------------------------------------------------------------------------------------


@transaction.atomic
def reply_post(*, actor: Actor, review_id: int, text: str) -> Reply:
    """The merchant replies publicly, once, to a review of one of its own products."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    text = _text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("line")
        .filter(pk=review_id, merchant=actor.organization)
        .first()
    )
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    if Reply.objects.filter(review=review).exists():
        raise Conflict(errors.REPLY_EXISTS, _("每条评价只能回复一次"))
    now = clock.now()
    statement = statements.reply_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, merchant=keys.owner_of(actor.organization),
        text=text, at=now,
    )
    reply = Reply.objects.create(
        review=review, merchant=actor.organization, text=text, replied_by=actor.user, replied_at=now,
        reply_seconds=max(0, int((now - review.created_at).total_seconds())),
        ledger_leaf_hash=_sign(actor.organization, statement),
    )
    audit_record(actor=actor.user, organization=actor.organization, action="review.reply", target=review,
                 data={"leaf_hash": reply.ledger_leaf_hash})
    _product_page_stale(review.product_id)
    return reply


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
            _invitation, is_new = DiaryInvitation.objects.get_or_create(
                review=review, milestone=milestone.value, defaults={"due_at": due_at, "created_at": now}
            )
            if is_new:
                created += 1
                Notification.objects.create(
                    user_id=review.consumer_id, kind=NotificationKind.DIARY_INVITED, review=review, created_at=now,
                    message=str(_("收货第 %(days)s 天了，写一篇使用日记吧") % {"days": milestone.value}),
                )
    return created


@transaction.atomic
def diary_post(*, consumer: User, review_id: int, milestone: int, text: str) -> DiaryEntry:
    """Attach the usage diary of a milestone that has come to the author's review (one per milestone)."""
    consumer = consumer_require(consumer)
    if milestone not in Milestone.values:
        raise InvalidInput(errors.REVIEW_INVALID, _("日记节点须为第 7、15 或 30 天"), details={"field": "milestone"})
    text = _text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
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
        ledger_leaf_hash=_sign(platform_organization(), statement),
    )
    DiaryInvitation.objects.filter(review=review, milestone=milestone, answered_at__isnull=True).update(
        answered_at=now
    )
    audit_record(actor=consumer, organization=None, action="review.diary", target=review,
                 data={"milestone": milestone, "leaf_hash": entry.ledger_leaf_hash})
    _product_page_stale(review.product_id)
    return entry


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
    note = _text_clean(note, field="note", minimum=2, maximum=REASON_MAX)
    flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(errors.FLAG_NOT_FOUND, _("找不到该风控标记"))
    if flag.status != FlagStatus.OPEN:
        raise Conflict(errors.FLAG_RESOLVED, _("该标记已处理"))
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
    statement = statements.unfold_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, reason=note, at=now
    )
    leaf_hash = _sign(actor.organization, statement)
    review.status = ReviewStatus.VISIBLE
    review.fold_reason = ""
    review.folded_at = None
    review.save(update_fields=["status", "fold_reason", "folded_at"])
    audit_record(actor=actor.user, organization=actor.organization, action="review.unfold", target=review,
                 data={"note": note, "leaf_hash": leaf_hash})
    _product_page_stale(review.product_id)


def notifications_mark_read(*, consumer: User) -> int:
    """The consumer has seen their notifications; returns how many were unread."""
    consumer = consumer_require(consumer)
    return Notification.objects.filter(user=consumer, read_at__isnull=True).update(read_at=clock.now())

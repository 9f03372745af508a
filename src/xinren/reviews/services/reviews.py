"""Reviews: post one (with photos and a video), fold, the author's response, the merchant's reply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_public_id, consumer_require
from xinren.accounts.models import Organization, User
from xinren.attest import keys
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.evidence.choices import MediaKind
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest
from xinren.orders.selectors import line_reviewable_get

from .. import errors, events, integrity, minhash, statements
from ..choices import FlagReason, FoldSource, ReviewStatus
from ..models import Flag, Reply, Review, ReviewBand, ReviewMedia, ReviewTag
from .shared import (
    REASON_MAX,
    TEXT_MAX,
    consumer_lock,
    fold_record,
    platform_organization,
    product_page_stale,
    review_changed,
    sign,
    tags_clean,
    text_clean,
)

PHOTOS_MAX = 9
VIDEOS_MAX = 1
MEDIA_KINDS = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})

# -- reviews -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def review_post(
    *, consumer: User, line_id: int, stars: int, text: str, tags: Sequence[str] = (),
    media: Sequence[tuple[str, bytes]] = (), seller_ratings: Mapping[str, int] | None = None,
) -> Review:
    """Review a delivered order line, once. Stars 1–5 and text are fixed from then on, and so are the detailed
    seller ratings (描述相符 / 服务态度 / 物流服务, each 1–5, all three or none) when given. Integrity signals may
    fold the new review pending an operator's review, with the reason shown."""
    consumer = consumer_require(consumer)
    if not _one_to_five(stars):
        raise InvalidInput(errors.REVIEW_INVALID, _("请给出 1–5 星"), details={"field": "stars"})
    ratings = seller_ratings_clean(seller_ratings)
    text = text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
    tag_list = tags_clean(tags)
    consumer_lock(consumer)
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
    files = _media_ingest(media)
    reviewer = consumer_public_id(consumer)
    salt = statements.purchase_salt()
    statement = statements.review_statement(
        line=line, reviewer=reviewer, stars=stars, text=text, tags=tag_list, at=now, salt=salt,
        media=[file.sha256 for file in files], seller_ratings=ratings,
    )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line, consumer=consumer, product_id=line.product_id, merchant_id=line.order.merchant_id,
                reviewer=reviewer, stars=stars, text=text, tags=tag_list, verified_purchase=True,
                purchase_salt=salt, minhash=minhash.signature(text), ledger_leaf_hash=sign(platform, statement),
                created_at=now, has_media=bool(files), has_diary=False,
                rating_description=ratings["description"] if ratings else None,
                rating_service=ratings["service"] if ratings else None,
                rating_logistics=ratings["logistics"] if ratings else None,
            )
    except IntegrityError as exc:
        raise Conflict(errors.REVIEW_EXISTS, _("该商品已评价过，评价发布后不能修改")) from exc
    _bands_write(review)
    ReviewTag.objects.bulk_create([
        ReviewTag(review=review, product_id=review.product_id, tag=tag, status=review.status, created_at=now)
        for tag in tag_list
    ])
    ReviewMedia.objects.bulk_create(
        [ReviewMedia(review=review, media=file, position=position) for position, file in enumerate(files)]
    )
    audit_record(actor=consumer, organization=None, action="review.post", target=review,
                 data={"stars": stars, "leaf_hash": review.ledger_leaf_hash, "media": len(files)})
    review_changed(review)
    if integrity.checks_enabled():
        _integrity_check(review=review, platform=platform, now=now)
    return review


def _one_to_five(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def seller_ratings_clean(ratings: Mapping[str, int] | None) -> dict[str, int] | None:
    """The detailed seller ratings checked: None, or all three of description, service, logistics, each 1–5."""
    if ratings is None:
        return None
    labels = {"description": _("描述相符"), "service": _("服务态度"), "logistics": _("物流服务")}
    unknown = sorted(set(ratings) - set(statements.SELLER_RATINGS))
    if unknown:
        raise InvalidInput(errors.REVIEW_INVALID, _("未知的店铺评分项"), details={"field": unknown[0]})
    for name in statements.SELLER_RATINGS:
        if not _one_to_five(ratings.get(name)):
            raise InvalidInput(
                errors.REVIEW_SELLER_RATING_INVALID, _("请为“%(label)s”打 1–5 分") % {"label": labels[name]},
                details={"field": f"rating_{name}"},
            )
    return {name: int(ratings[name]) for name in statements.SELLER_RATINGS}


def _bands_write(review: Review) -> None:
    """The review's LSH band rows (none for a text too short to compare), written whether or not the checks run,
    so that the index stays complete if they are switched on later."""
    ReviewBand.objects.bulk_create([
        ReviewBand(review=review, band=band, hash=value, consumer_id=review.consumer_id, created_at=review.created_at)
        for band, value in minhash.band_hashes(review.minhash)
    ])


def _media_ingest(media: Sequence[tuple[str, bytes]]) -> list[MediaFile]:
    """Store the uploads through the evidence pipeline (sniffed, metadata stripped, stored once by SHA-256);
    at most PHOTOS_MAX photos and VIDEOS_MAX video. The same file twice counts once."""
    if len(media) > PHOTOS_MAX + VIDEOS_MAX:
        raise InvalidInput(errors.REVIEW_MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "photos"})
    files: dict[str, MediaFile] = {}
    for filename, content in media:
        try:
            file = media_ingest(content=content, filename=filename, kinds=MEDIA_KINDS)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, exc.message, details={**exc.details, "field": "photos",
                                                               "filename": filename}) from exc
        files.setdefault(file.sha256, file)
    kinds = [file.kind for file in files.values()]
    if kinds.count(MediaKind.IMAGE) > PHOTOS_MAX:
        raise InvalidInput(errors.REVIEW_MEDIA_LIMIT, _("最多上传 9 张照片"), details={"field": "photos"})
    if kinds.count(MediaKind.VIDEO) > VIDEOS_MAX:
        raise InvalidInput(errors.REVIEW_MEDIA_LIMIT, _("最多上传 1 段视频"), details={"field": "video"})
    return list(files.values())


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
        fold_record(review=review, platform=platform, source=FoldSource.INTEGRITY, reason=str(public_reason),
              by_user=None, by_organization=None, now=now)


@transaction.atomic
def review_fold(*, actor: Actor, review_id: int, reason: str) -> Review:
    """An operator (platform admin) folds a review with a public reason. Reviews are never deleted."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.PLATFORM])
    reason = text_clean(reason, field="reason", minimum=2, maximum=REASON_MAX)
    review = Review.objects.select_for_update(of=("self",)).select_related("line").filter(pk=review_id).first()
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    if review.folds.filter(source=FoldSource.OPERATOR).exists():
        raise Conflict(errors.FOLD_EXISTS, _("该评价已被运营折叠"))
    fold_record(review=review, platform=actor.organization, source=FoldSource.OPERATOR, reason=reason,
          by_user=actor.user, by_organization=actor.organization, now=clock.now())
    return review


@transaction.atomic
def review_respond(*, consumer: User, review_id: int, text: str) -> Review:
    """The author answers a fold publicly, once."""
    consumer = consumer_require(consumer)
    text = text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
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
    leaf_hash = sign(platform_organization(), statement)
    review.author_response = text
    review.author_responded_at = now
    review.save(update_fields=["author_response", "author_responded_at"])
    audit_record(actor=consumer, organization=None, action="review.respond", target=review,
                 data={"leaf_hash": leaf_hash})
    product_page_stale(review.product_id)
    return review


# -- merchant replies --------------------------------------------------------------------------------------------------


@transaction.atomic
def reply_post(*, actor: Actor, review_id: int, text: str) -> Reply:
    """The merchant replies publicly, once, to a review of one of its own products."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    text = text_clean(text, field="text", minimum=2, maximum=TEXT_MAX)
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
        ledger_leaf_hash=sign(actor.organization, statement),
    )
    events.REVIEW_REPLIED.announce(reply_id=reply.pk)
    audit_record(actor=actor.user, organization=actor.organization, action="review.reply", target=review,
                 data={"leaf_hash": reply.ledger_leaf_hash})
    product_page_stale(review.product_id)
    return reply


"""Reads of the reviews context: public reviews and ratings of a product, a merchant's reviews, operators' flags
and brushing signals, a consumer's notifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db.models import Avg, Count, F, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.models import Organization, User
from xinren.accounts.nicknames import reviewer_name
from xinren.catalog.images import PhotoRef
from xinren.catalog.models import Batch, Product
from xinren.core import clock
from xinren.core.errors import NotFound
from xinren.evidence.models import MediaFile
from xinren.evidence.selectors import media_photo
from xinren.orders import errors as order_errors
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine

from . import errors, integrity
from .choices import FlagStatus, Milestone, ReviewStatus
from .models import DiaryEntry, DiaryInvitation, Flag, Review, ReviewMedia
from .statements import seller_ratings_of

if TYPE_CHECKING:
    from .section import ReviewsLink, ReviewsSection


class ReviewMediaData(TypedDict, closed=True):
    """A review's photo or video as pages show it."""

    kind: str  # a MediaKind
    sha256: str
    thumbnail: str  # the thumbnail's URL (a poster for a video)
    display: str  # the URL to open: the display-size picture, or the video itself
    photo: PhotoRef | None  # a photo's responsive variants, when made (catalog/images.py)


class Rating(TypedDict, closed=True):
    """A product's visible reviews in numbers; folded reviews are counted apart."""

    count: int
    average: float | None  # two decimals, None without reviews
    distribution: dict[int, int]  # stars -> reviews
    folded: int

# What review_public reads besides the review: its diary and its photos and video, in order.
_PUBLIC_PREFETCH = (
    Prefetch("diary_entries", queryset=DiaryEntry.objects.order_by("milestone", "id")),
    Prefetch("media", queryset=ReviewMedia.objects.select_related("media").order_by("position", "id")),
)


def product_review_list(*, product_id: int) -> QuerySet[Review]:
    """Public: every review of a product, newest first, folded ones included (they are shown collapsed)."""
    return (
        Review.objects.filter(product_id=product_id)
        .select_related("reply")
        .prefetch_related(*_PUBLIC_PREFETCH)
        .annotate(reviewer_nickname=F("consumer__nickname"))
        .order_by("-created_at", "-id")
    )


def review_display_name(review: Review) -> str:
    """How the review's author is named on every page: the masked nickname, or the default name made from the
    pseudonym (accounts.nicknames.reviewer_name). Reads `reviewer_nickname` when the query annotated it (the list
    selectors here do), else the consumer row."""
    nickname = getattr(review, "reviewer_nickname", None)
    if nickname is None:
        nickname = review.consumer.nickname
    return reviewer_name(nickname=nickname, public_id=review.reviewer)


def review_public(review: Review) -> dict[str, Any]:
    """A review as anyone may see it: pseudonym (as signed) and the masked name pages show, stars, text, tags, the
    verified mark, and when folded the reason (the page collapses it, never hides it). No order, phone, full
    nickname or address."""
    reply = getattr(review, "reply", None)  # None when the merchant has not replied (reverse one-to-one)
    return {
        "id": review.pk,
        "reviewer": review.reviewer,
        "reviewer_name": review_display_name(review),
        "stars": review.stars,
        "text": review.text,
        "tags": list(review.tags),
        "seller_ratings": seller_ratings_of(review),
        "verified_purchase": review.verified_purchase,
        "created_at": review.created_at,
        "folded": review.status == ReviewStatus.FOLDED,
        "fold_reason": review.fold_reason,
        "author_response": review.author_response,
        "ledger_leaf_hash": review.ledger_leaf_hash,
        "media": [media_public(row.media) for row in review.media.all()],
        "diary": [
            {"milestone": entry.milestone, "text": entry.text, "created_at": entry.created_at,
             "ledger_leaf_hash": entry.ledger_leaf_hash}
            for entry in review.diary_entries.all()
        ],
        "reply": (
            {"text": reply.text, "replied_at": reply.replied_at, "ledger_leaf_hash": reply.ledger_leaf_hash}
            if reply is not None else None
        ),
    }


def product_rating(*, product_id: int) -> Rating:
    """Count, average (2 decimals, None without reviews) and 1–5 distribution of a product's visible reviews;
    folded reviews are counted apart and left out of the average."""
    reviews = Review.objects.filter(product_id=product_id)
    visible = reviews.filter(status=ReviewStatus.VISIBLE)
    summary = visible.aggregate(count=Count("id"), average=Avg("stars"))
    distribution = {stars: 0 for stars in range(1, 6)}
    for row in visible.values("stars").annotate(n=Count("id")):
        distribution[row["stars"]] = row["n"]
    average = summary["average"]
    return {
        "count": summary["count"],
        "average": round(float(average), 2) if average is not None else None,
        "distribution": distribution,
        "folded": reviews.filter(status=ReviewStatus.FOLDED).count(),
    }


def merchant_review_list(*, actor: Actor) -> QuerySet[Review]:
    """Reviews of the actor's organization's products, newest first (for replying)."""
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    return (
        Review.objects.filter(merchant=actor.organization)
        .select_related("reply")
        .prefetch_related(*_PUBLIC_PREFETCH)
        .annotate(reviewer_nickname=F("consumer__nickname"))
        .order_by("-created_at", "-id")
    )


def _operator_require(actor: Actor) -> None:
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])


def flag_list(*, actor: Actor, status: str = FlagStatus.OPEN) -> QuerySet[Flag]:
    """Operators: integrity flags, newest first."""
    _operator_require(actor)
    flags = Flag.objects.select_related("review", "merchant").order_by("-created_at", "-id")
    return flags.filter(status=status) if status else flags


def brushing_signals(*, actor: Actor, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
    """Operators: shops whose orders ÷ distinct buyers reached the brushing ratio in [since, until)."""
    _operator_require(actor)
    rows = integrity.brushing_rows(since=since, until=until or clock.now())
    names = dict(Organization.objects.filter(pk__in=[row.merchant_id for row in rows]).values_list("pk", "name"))
    return [
        {"merchant_id": row.merchant_id, "merchant": names.get(row.merchant_id, ""), "orders": row.orders,
         "buyers": row.buyers, "ratio": round(row.orders / row.buyers, 2)}
        for row in rows
    ]


def review_public_get(*, review_id: int) -> Review:
    """Public: one review (folded or not) with its reply and diary."""
    review = (
        Review.objects.filter(pk=review_id)
        .select_related("reply")
        .prefetch_related(*_PUBLIC_PREFETCH)
        .annotate(reviewer_nickname=F("consumer__nickname"))
        .first()
    )
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    return review


def reviews_section_for(*, product: Product, batch: Batch | None) -> ReviewsLink | ReviewsSection | None:
    """The product's verified reviews for the consumer page (summary, histogram, the latest ten). Batch and item
    pages get only a link to the product page's reviews, whether or not there are any yet (docs/adr/0008)."""
    from .section import reviews_section  # the section reads product_rating from this module

    return reviews_section(product=product, batch=batch)


# -- a consumer's own reviews ------------------------------------------------------------------------------------------


def consumer_review_list(*, consumer: User) -> QuerySet[Review]:
    """The consumer's own reviews, newest first, with what the list shows."""
    return (
        Review.objects.filter(consumer=consumer)
        .select_related("reply", "product")
        .prefetch_related(*_PUBLIC_PREFETCH)
        .annotate(reviewer_nickname=F("consumer__nickname"))
        .order_by("-created_at", "-id")
    )


def consumer_review_get(*, consumer: User, review_id: int) -> Review:
    """One of the consumer's own reviews (another person's is "not found")."""
    review = (
        consumer_review_list(consumer=consumer)
        .select_related("line__order")
        .prefetch_related("folds")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    return review


def lines_awaiting_review(*, consumer: User) -> QuerySet[OrderLine]:
    """The consumer's delivered order lines that have no review yet, newest delivery first."""
    return (
        OrderLine.objects.filter(order__consumer=consumer, order__status=OrderStatus.DELIVERED, review__isnull=True)
        .select_related("order")
        .order_by("-order__delivered_at", "-id")
    )


def diary_milestones(*, review: Review, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each milestone (day 7, 15, 30) of a review: when it is due, whether it has come, and its entry if written."""
    now = now or clock.now()
    delivered_at = review.line.order.delivered_at
    entries = {entry.milestone: entry for entry in review.diary_entries.all()}
    rows = []
    for milestone in Milestone:
        due_at = delivered_at + timedelta(days=milestone.value) if delivered_at is not None else None
        rows.append({
            "milestone": milestone.value, "due_at": due_at, "due": due_at is not None and due_at <= now,
            "entry": entries.get(milestone.value),
        })
    return rows


def open_diary_invitations(*, consumer: User) -> QuerySet[DiaryInvitation]:
    """Invitations to write a usage diary that the consumer has not answered yet, oldest first."""
    return (
        DiaryInvitation.objects.filter(review__consumer=consumer, answered_at__isnull=True)
        .exclude(review__diary_entries__milestone=F("milestone"))
        .select_related("review__product")
        .order_by("due_at", "id")
    )


def consumer_line_get(*, consumer: User, line_id: int) -> OrderLine:
    """One of the consumer's own order lines, whatever its state (the review form explains a refusal)."""
    line = (
        OrderLine.objects.filter(pk=line_id, order__consumer=consumer)
        .select_related("order", "product", "review")
        .first()
    )
    if line is None:
        raise NotFound(order_errors.LINE_NOT_FOUND, _("找不到该订单商品"))
    return line


def media_public(file: MediaFile) -> ReviewMediaData:
    """A review's photo or video as pages show it: kind, SHA-256, thumbnail URL (a poster for a video) and the URL
    to open (the display-size picture, or the video itself)."""
    return {
        "kind": file.kind,
        "sha256": file.sha256,
        "thumbnail": default_storage.url(file.thumbnail),
        "display": default_storage.url(file.display or file.original),
        "photo": media_photo(file),
    }


def review_media(*, review: Review) -> list[ReviewMediaData]:
    """The review's photos and video in upload order."""
    return [media_public(row.media) for row in review.media.select_related("media").order_by("position", "id")]

"""Reads of the community context: the feed (好物圈), trial labels, points, tiers, trial invitations.

The feed shows visible reviews and their usage diaries, newest first, with keyset pagination over
(created_at, kind, id). Folded reviews (and reviews with an open integrity flag) never appear in the feed; they
stay on the product page, collapsed with their public reason (reviews core). `XINREN_REVIEW_CHECKS=False`
(the benchmark's "checks off" run only) turns that filtering and the quality/tier/trial decoration off.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.models import User
from xinren.accounts.nicknames import reviewer_name
from xinren.catalog.images import PhotoRef, product_photo
from xinren.catalog.models import ProductImage
from xinren.core.errors import InvalidInput
from xinren.evidence.selectors import media_photo
from xinren.reviews.choices import FlagStatus, ReviewStatus
from xinren.reviews.models import DiaryEntry, Flag, Review, ReviewMedia

from . import errors, quality
from .choices import ParticipationStatus, Tier, TrialKind
from .models import ConsumerTier, HelpfulVote, PointsEntry, QualityScore, TierChange, TrialEvent, TrialParticipation

FEED_LIMIT = 20
FEED_LIMIT_MAX = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KIND_RANK = {"review": 1, "diary": 0}
TRIAL_LABELS = {TrialKind.TRIAL: _("试用体验"), TrialKind.FACTORY_VISIT: _("探访体验")}


def checks_enabled() -> bool:
    return bool(getattr(settings, "XINREN_REVIEW_CHECKS", True))


def referral_id(user: User) -> str:
    """The sharer's public referral id carried by share links (?ref=): a keyed hash distinct from the review
    pseudonym, so a shared link does not tell which reviews the sharer wrote. The members issue resolves it."""
    key = (getattr(settings, "XINREN_PSEUDONYM_KEY", "") or settings.SECRET_KEY).encode()
    return "r" + hmac.new(key, f"xinren.referral:{user.pk}".encode(), hashlib.sha256).hexdigest()[:15]


# -- cursor ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the feed: items strictly older than (micros, rank, id) come next."""

    micros: int
    rank: int
    id: int

    def encode(self) -> str:
        return f"{self.micros}-{self.rank}-{self.id}"

    @property
    def at(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.micros)

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            micros, rank, pk = (int(part) for part in value.split("-"))
        except ValueError:
            raise InvalidInput(errors.FEED_CURSOR_INVALID, _("翻页参数无效"), details={"field": "after"}) from None
        if rank not in (0, 1) or micros < 0 or pk < 0:
            raise InvalidInput(errors.FEED_CURSOR_INVALID, _("翻页参数无效"), details={"field": "after"})
        return cls(micros, rank, pk)

    @classmethod
    def of(cls, at: datetime, kind: str, pk: int) -> Cursor:
        return cls((at - _EPOCH) // timedelta(microseconds=1), _KIND_RANK[kind], pk)


def _before(cursor: Cursor, rank: int) -> Q:
    """Rows whose (created_at, rank, id) sorts after the cursor in the feed's descending order. Always an index
    range on created_at (`<=` or `<`), with the tie rule beside it: an OR alone makes SQLite scan the table."""
    if rank < cursor.rank:
        return Q(created_at__lte=cursor.at)
    if rank == cursor.rank:
        return Q(created_at__lte=cursor.at) & (Q(created_at__lt=cursor.at) | Q(id__lt=cursor.id))
    return Q(created_at__lt=cursor.at)


# -- feed --------------------------------------------------------------------------------------------------------------


def _feed_reviews(*, category: str, product_id: int | None, checks: bool) -> QuerySet[Review]:
    reviews = Review.objects.all()
    if checks:
        reviews = reviews.filter(status=ReviewStatus.VISIBLE).exclude(
            Exists(Flag.objects.filter(review_id=OuterRef("pk"), status=FlagStatus.OPEN))
        )
    if category:
        reviews = reviews.filter(product__category=category)
    if product_id:
        reviews = reviews.filter(product_id=product_id)
    return reviews


def _feed_diaries(*, category: str, product_id: int | None, checks: bool) -> QuerySet[DiaryEntry]:
    diaries = DiaryEntry.objects.all()
    if checks:
        diaries = diaries.filter(review__status=ReviewStatus.VISIBLE).exclude(
            Exists(Flag.objects.filter(review_id=OuterRef("review_id"), status=FlagStatus.OPEN))
        )
    if category:
        diaries = diaries.filter(review__product__category=category)
    if product_id:
        diaries = diaries.filter(review__product_id=product_id)
    return diaries


def feed_page(
    *, category: str = "", product_id: int | None = None, after: str = "", limit: int = FEED_LIMIT,
    viewer: User | None = None,
) -> dict[str, Any]:
    """One page of the feed: {"items": [...], "next": cursor or ""}. Items are reviews and diary entries."""
    limit = max(1, min(limit, FEED_LIMIT_MAX))
    checks = checks_enabled()
    cursor = Cursor.decode(after) if after else None
    reviews = _feed_reviews(category=category, product_id=product_id, checks=checks)
    if cursor is not None:
        reviews = reviews.filter(_before(cursor, _KIND_RANK["review"]))
    # The MinHash signature (128 integers of JSON) is never shown: leave it in the database.
    review_rows = list(reviews.select_related("product").defer("minhash").order_by("-created_at", "-id")[: limit + 1])
    diaries = _feed_diaries(category=category, product_id=product_id, checks=checks)
    if cursor is not None:
        diaries = diaries.filter(_before(cursor, _KIND_RANK["diary"]))
    if len(review_rows) > limit:
        # A diary older than the limit-th review cannot make this page, and there is a next page anyway: bound the
        # scan (diaries have no time index).
        diaries = diaries.filter(created_at__gte=review_rows[limit - 1].created_at)
    diary_rows = list(diaries.select_related("review__product").defer("review__minhash")
                      .order_by("-created_at", "-id")[: limit + 1])
    merged: list[tuple[Cursor, str, Any]] = [
        (Cursor.of(r.created_at, "review", r.pk), "review", r) for r in review_rows
    ]
    merged += [(Cursor.of(d.created_at, "diary", d.pk), "diary", d) for d in diary_rows]
    merged.sort(key=lambda row: (row[0].micros, row[0].rank, row[0].id), reverse=True)
    page, more = merged[:limit], len(merged) > limit
    items = _decorate(page, viewer=viewer, checks=checks)
    return {"items": items, "next": page[-1][0].encode() if more and page else ""}


def _decorate(page: list[tuple[Cursor, str, Any]], *, viewer: User | None, checks: bool) -> list[dict[str, Any]]:
    reviews = {row.pk: row for _c, kind, row in page if kind == "review"}
    reviews.update({row.review.pk: row.review for _c, kind, row in page if kind == "diary"})
    ids = list(reviews)
    helpful = dict(
        HelpfulVote.objects.filter(review_id__in=ids).values("review_id").annotate(n=Count("pk"))
        .values_list("review_id", "n")
    )
    mine: set[int] = set()
    if viewer is not None and viewer.is_authenticated:
        mine = set(HelpfulVote.objects.filter(review_id__in=ids, consumer=viewer).values_list("review_id", flat=True))
    scores: dict[int, tuple[int, str, dict[str, int]]] = {}
    tiers: dict[int, str] = {}
    labels: dict[int, str] = {}
    if checks:
        scores = {review_id: (score, version, components) for review_id, score, version, components in
                  QualityScore.objects.filter(review_id__in=ids).values_list("review_id", "score", "version",
                                                                             "components")}
        consumer_ids = {review.consumer_id for review in reviews.values()}
        tiers = dict(ConsumerTier.objects.filter(consumer_id__in=consumer_ids).values_list("consumer_id", "tier"))
        labels = _trial_labels_of(list(reviews.values()))
    tier_labels = {tier.value: str(tier.label) for tier in Tier}
    # How each reviewer is named (masked nickname or default name; accounts.nicknames.reviewer_name): one query.
    nicknames = dict(
        User.objects.filter(pk__in={review.consumer_id for review in reviews.values()})
        .values_list("pk", "nickname")
    )
    photos, product_photos = _feed_photos(list(reviews.values()))
    items = []
    for cursor, kind, row in page:
        review = row if kind == "review" else row.review
        score = scores.get(review.pk)
        explained = quality.explain(score[2]) if score is not None else []
        tier = tiers.get(review.consumer_id, Tier.ORDINARY)
        items.append({
            "kind": kind,
            "cursor": cursor.encode(),
            "review_id": review.pk,
            "reviewer": reviewer_name(nickname=nicknames.get(review.consumer_id, ""), public_id=review.reviewer),
            "tier": tier,
            "tier_label": tier_labels[tier],
            "product_id": review.product_id,
            "product_name": review.product.name,
            "category": review.product.category,
            "gtin": review.product.gtin,
            "stars": review.stars,
            "text": row.text,
            "milestone": row.milestone if kind == "diary" else None,
            "tags": list(review.tags) if kind == "review" else [],
            "created_at": row.created_at,
            "helpful": helpful.get(review.pk, 0),
            "voted": review.pk in mine,
            "own": viewer is not None and review.consumer_id == viewer.pk,
            "trial_label": str(labels[review.pk]) if review.pk in labels else "",
            "quality": (
                {"score": score[0], "version": score[1], "components": explained,
                 "summary": quality.explain_text(score[2], rows=explained)}
                if score is not None else None
            ),
            "ledger_leaf_hash": row.ledger_leaf_hash,
            "photos": photos.get(review.pk, []) if kind == "review" else [],
            "product_photo": product_photos.get(review.product_id),
        })
    return items


def _feed_photos(reviews: list[Review]) -> tuple[dict[int, list[PhotoRef]], dict[int, PhotoRef]]:
    """The reviews' photos (those with responsive variants, in upload order) and each product's first photo:
    two queries for the whole page."""
    photos: dict[int, list[PhotoRef]] = {}
    rows = ReviewMedia.objects.filter(review__in=reviews).select_related("media").order_by("position", "id")
    for row in rows:
        ref = media_photo(row.media)
        if ref is not None:
            photos.setdefault(row.review_id, []).append(ref)
    firsts: dict[int, PhotoRef] = {}
    images = ProductImage.objects.filter(product_id__in={review.product_id for review in reviews})
    for image in images.order_by("product_id", "position", "id"):
        ref = product_photo(image)
        if ref is not None and image.product_id not in firsts:
            firsts[image.product_id] = ref
    return photos, firsts


# -- trials ------------------------------------------------------------------------------------------------------------


def _trial_reviews(review_ids: list[int]) -> QuerySet[Review]:
    accepted = TrialParticipation.objects.filter(
        consumer_id=OuterRef("consumer_id"), event__product_id=OuterRef("product_id"),
        status=ParticipationStatus.ACCEPTED, responded_at__lte=OuterRef("line__order__placed_at"),
    )
    return Review.objects.filter(pk__in=review_ids).filter(Exists(accepted))


def trial_review_ids(*, review_ids: list[int] | set[int]) -> set[int]:
    """Of these reviews, those written by an expert who had accepted a trial or factory visit of the reviewed
    product before ordering it (the review is still of a delivered order line): label them "试用体验"."""
    return set(_trial_reviews(list(review_ids)).values_list("pk", flat=True))


def _trial_labels_of(reviews: list[Review]) -> dict[int, str]:
    """trial_review_labels for reviews already loaded: one cheap query when none of their authors took a trial."""
    accepted = TrialParticipation.objects.filter(
        status=ParticipationStatus.ACCEPTED, consumer_id__in={r.consumer_id for r in reviews},
        event__product_id__in={r.product_id for r in reviews},
    ).values_list("consumer_id", "event__product_id")
    pairs = set(accepted)
    candidates = [r.pk for r in reviews if (r.consumer_id, r.product_id) in pairs]
    return trial_review_labels(review_ids=candidates) if candidates else {}


def trial_review_labels(*, review_ids: list[int]) -> dict[int, str]:
    """The label of each trial review: "试用体验" for a trial, "探访体验" for a factory visit."""
    labels: dict[int, str] = {}
    if not review_ids:
        return labels
    reviews = list(_trial_reviews(review_ids).values("pk", "consumer_id", "product_id", "line__order__placed_at"))
    rows = TrialParticipation.objects.filter(
        status=ParticipationStatus.ACCEPTED, consumer_id__in={r["consumer_id"] for r in reviews},
        event__product_id__in={r["product_id"] for r in reviews},
    ).values_list("consumer_id", "event__product_id", "event__kind", "responded_at")
    by_key: dict[tuple[int, int], list[tuple[str, datetime]]] = {}
    for consumer_id, product_id, kind, responded_at in rows:
        if responded_at is None:
            continue
        by_key.setdefault((consumer_id, product_id), []).append((kind, responded_at))
    for review in reviews:
        kinds = [kind for kind, at in by_key.get((review["consumer_id"], review["product_id"]), [])
                 if at <= review["line__order__placed_at"]]
        kind = TrialKind.TRIAL if TrialKind.TRIAL in kinds else TrialKind.FACTORY_VISIT
        labels[review["pk"]] = str(TRIAL_LABELS[kind])
    return labels


def trial_invitations(*, consumer: User) -> QuerySet[TrialParticipation]:
    """A consumer's trial invitations, newest first."""
    return TrialParticipation.objects.filter(consumer=consumer).select_related("event__product", "event__merchant")


def merchant_trial_events(*, merchant_id: int) -> QuerySet[TrialEvent]:
    return TrialEvent.objects.filter(merchant_id=merchant_id).annotate(
        accepted=Count("participations", filter=Q(participations__status=ParticipationStatus.ACCEPTED))
    )


def expert_list(*, actor: Actor) -> QuerySet[ConsumerTier]:
    """Merchants: platform experts, by pseudonym (whom they may invite to a trial)."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    return ConsumerTier.objects.filter(tier=Tier.PLATFORM_EXPERT).order_by("public_id")


# -- points and tiers --------------------------------------------------------------------------------------------------


def points_balance(*, consumer: User) -> int:
    return int(PointsEntry.objects.filter(consumer=consumer).aggregate(total=Sum("points"))["total"] or 0)


def points_entries(*, consumer: User) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(consumer=consumer).order_by("-created_at", "-id")


def consumer_tier(*, consumer: User) -> ConsumerTier | None:
    return ConsumerTier.objects.filter(consumer=consumer).first()


def tier_history(*, consumer: User) -> list[TierChange]:
    return list(TierChange.objects.filter(consumer=consumer).order_by("-at", "-id"))

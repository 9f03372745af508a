"""Reads for browsing a product's reviews: filters (有图, 追评/使用日记, 差评, 好评, by star, by tag, 已折叠), the
count behind each filter chip, the tags customers use most ("大家都在说"), and keyset pages.

Pages are keyset pages on (created_at, id), newest first: the cursor names the last review shown, the next page
starts strictly before it, so a review posted while someone reads never shifts or repeats what they see, and a
deep page costs what the first one does (no OFFSET). Each filter has an index that starts with
(product, status, <filter column>) and ends with (created_at, id) (models.Review.Meta.indexes, ReviewTag).

Every filter reads the visible reviews; folded ones (never hidden: E-commerce Law art. 39) have a chip of their
own and are shown collapsed under their public reason. docs/reviews.md ("Browsing reviews").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.core.errors import InvalidInput

from . import errors
from .choices import ReviewStatus
from .models import DiaryEntry, Review, ReviewMedia, ReviewTag
from .selectors import Rating

PAGE_SIZE = 20
TOP_TAGS = 8

ALL = "all"
MEDIA = "media"  # 有图: photos or a video
DIARY = "diary"  # 追评: at least one usage diary entry
BAD = "bad"  # 差评: 1–2 stars
GOOD = "good"  # 好评: 4–5 stars
STARS = "stars"  # exactly N stars
TAG = "tag"
FOLDED = "folded"
KINDS = (ALL, MEDIA, DIARY, BAD, GOOD, STARS, TAG, FOLDED)

_CURSOR = re.compile(r"^(\d{1,19})_(\d{1,19})$")


@dataclass(frozen=True)
class ReviewFilter:
    """Which reviews a list shows: one kind, with the star count (STARS) or the tag (TAG) it needs."""

    kind: str = ALL
    stars: int | None = None
    tag: str = ""

    def params(self) -> dict[str, str]:
        """The query parameters that select this filter (empty for ALL)."""
        if self.kind == ALL:
            return {}
        if self.kind == STARS:
            return {"f": STARS, "stars": str(self.stars)}
        if self.kind == TAG:
            return {"f": TAG, "tag": self.tag}
        return {"f": self.kind}

    def query(self, *, after: str = "") -> str:
        """`?f=…&after=…` for a link to this filter (and page), or "" for the first page of everything."""
        params = self.params()
        if after:
            params["after"] = after
        return f"?{urlencode(params)}" if params else ""


def review_filter_parse(*, kind: str = "", stars: str = "", tag: str = "") -> ReviewFilter:
    """A filter from query parameters; an unknown kind, a star count outside 1–5 or an empty tag is refused
    (422 `review.filter_invalid`)."""
    kind = (kind or ALL).strip()
    if kind not in KINDS:
        raise InvalidInput(errors.LIST_FILTER_INVALID, _("未知的筛选条件"), details={"field": "f"})
    if kind == STARS:
        if not stars.isdigit() or not 1 <= int(stars) <= 5:
            raise InvalidInput(errors.LIST_FILTER_INVALID, _("请选择 1–5 星"), details={"field": "stars"})
        return ReviewFilter(kind=STARS, stars=int(stars))
    if kind == TAG:
        tag = " ".join((tag or "").split())
        if not tag or len(tag) > 24:
            raise InvalidInput(errors.LIST_FILTER_INVALID, _("请选择一个标签"), details={"field": "tag"})
        return ReviewFilter(kind=TAG, tag=tag)
    return ReviewFilter(kind=kind)


# -- cursors -----------------------------------------------------------------------------------------------------------


def cursor_encode(review: Review) -> str:
    """The cursor after `review`: its time in microseconds since the epoch, and its id ("1733491200000000_42")."""
    moment = review.created_at
    micros = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // _MICROSECOND
    return f"{micros}_{review.pk}"


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)


def _cursor_invalid() -> InvalidInput:
    return InvalidInput(errors.LIST_CURSOR_INVALID, _("翻页参数无效，请从第一页重新浏览"), details={"field": "after"})


def cursor_decode(value: str) -> tuple[datetime, int]:
    """(created_at, id) of a cursor; anything else is 422 `review.cursor_invalid`."""
    match = _CURSOR.match(value or "")
    if match is None:
        raise _cursor_invalid()
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + int(match.group(1)) * _MICROSECOND
    except OverflowError:
        raise _cursor_invalid() from None
    return moment, int(match.group(2))


def _before(moment: datetime, pk: int, *, id_field: str = "id") -> Q:
    # `created_at <= moment` bounds the index range (so a deep page starts at the cursor, not at the newest review);
    # the second term drops the rows of that very instant that were already shown.
    return Q(created_at__lte=moment) & (Q(created_at__lt=moment) | Q(**{f"{id_field}__lt": pk}))


# -- pages -------------------------------------------------------------------------------------------------------------


def with_reviewer_names(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Reviews with their author's nickname (`reviewer_nickname`) for `selectors.review_display_name`: one join,
    not the whole user row."""
    return reviews.annotate(reviewer_nickname=F("consumer__nickname"))


def _display(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return with_reviewer_names(
        reviews.select_related("reply")
        .prefetch_related(
            Prefetch("diary_entries", queryset=DiaryEntry.objects.order_by("milestone", "id")),
            Prefetch("media", queryset=ReviewMedia.objects.select_related("media").order_by("position", "id")),
        )
        .defer("minhash", "purchase_salt")
    )


def _filtered(product_id: int, review_filter: ReviewFilter) -> QuerySet[Review]:
    kind = review_filter.kind
    status = ReviewStatus.FOLDED if kind == FOLDED else ReviewStatus.VISIBLE
    reviews = Review.objects.filter(product_id=product_id, status=status)
    if kind == MEDIA:
        return reviews.filter(has_media=True)
    if kind == DIARY:
        return reviews.filter(has_diary=True)
    if kind == BAD:
        return reviews.filter(stars__lte=2)
    if kind == GOOD:
        return reviews.filter(stars__gte=4)
    if kind == STARS and review_filter.stars is not None:
        return reviews.filter(stars=review_filter.stars)
    return reviews


@dataclass(frozen=True)
class ReviewPage:
    """One page of a product's reviews, newest first, and the cursor of the next page ("" on the last)."""

    reviews: list[Review]
    next_cursor: str
    review_filter: ReviewFilter


def product_review_page(
    *, product_id: int, review_filter: ReviewFilter = ReviewFilter(), after: str = "", limit: int = PAGE_SIZE
) -> ReviewPage:
    """Public: one keyset page of the product's reviews under a filter (a bad cursor is 422
    `review.cursor_invalid`). Two queries for the ids and the rows, then the prefetches of what a review shows."""
    limit = max(1, min(limit, 50))
    cursor = cursor_decode(after) if after else None
    if review_filter.kind == TAG:
        tags = ReviewTag.objects.filter(product_id=product_id, status=ReviewStatus.VISIBLE, tag=review_filter.tag)
        if cursor is not None:
            tags = tags.filter(_before(*cursor, id_field="review_id"))
        ids = list(tags.order_by("-created_at", "-review_id").values_list("review_id", flat=True)[: limit + 1])
    else:
        reviews = _filtered(product_id, review_filter)
        if cursor is not None:
            reviews = reviews.filter(_before(*cursor))
        ids = list(reviews.order_by("-created_at", "-id").values_list("id", flat=True)[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    rows = {review.pk: review for review in _display(Review.objects.filter(pk__in=ids))}
    page = [rows[pk] for pk in ids if pk in rows]
    return ReviewPage(
        reviews=page, next_cursor=cursor_encode(page[-1]) if more and page else "", review_filter=review_filter
    )


# -- chips and tags ----------------------------------------------------------------------------------------------------


class FilterCounts(TypedDict, closed=True):
    """How many reviews each chip would show."""

    all: int
    media: int
    diary: int
    bad: int
    good: int
    folded: int
    stars: dict[int, int]  # 1..5 -> visible reviews


def product_review_summary(*, product_id: int) -> tuple[FilterCounts, Rating]:
    """The count behind every filter chip and the product's rating (as selectors.product_rating gives it), from one
    GROUP BY over the product's reviews that an index covers (`review_list_summary`): at most 40 groups."""
    rows = (
        Review.objects.filter(product_id=product_id)
        .values_list("status", "stars", "has_media", "has_diary")
        .annotate(n=Count("*"))
        .order_by()
    )
    stars = dict.fromkeys(range(1, 6), 0)
    media = diary = folded = 0
    for status, star, has_media, has_diary, n in rows:
        if status != ReviewStatus.VISIBLE:
            folded += n
            continue
        stars[star] += n
        media += n if has_media else 0
        diary += n if has_diary else 0
    count = sum(stars.values())
    counts: FilterCounts = {
        "all": count, "media": media, "diary": diary, "folded": folded,
        "bad": stars[1] + stars[2], "good": stars[4] + stars[5], "stars": stars,
    }
    rating: Rating = {
        "count": count,
        "average": round(sum(star * n for star, n in stars.items()) / count, 2) if count else None,
        "distribution": dict(stars),
        "folded": folded,
    }
    return counts, rating


def product_review_counts(*, product_id: int) -> FilterCounts:
    """The count behind every filter chip."""
    return product_review_summary(product_id=product_id)[0]


class TagCount(TypedDict, closed=True):
    tag: str
    count: int


def product_top_tags(*, product_id: int, limit: int = TOP_TAGS) -> list[TagCount]:
    """大家都在说: the tags of the product's visible reviews, most used first (ties by tag), with their counts."""
    rows = (
        ReviewTag.objects.filter(product_id=product_id, status=ReviewStatus.VISIBLE)
        .values("tag").annotate(n=Count("*")).order_by("-n", "tag")[:limit]
    )
    return [{"tag": row["tag"], "count": row["n"]} for row in rows]

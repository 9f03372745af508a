"""Integrity signals on reviews (E-commerce Law art. 17: no fabricated reviews). Reads only; services act on them.

Thresholds are module constants (overridable in settings where named) and documented in docs/reviews.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F

from xinren.accounts.models import User
from xinren.orders.models import Order

from . import minhash
from .models import Review, ReviewBand

REVIEWS_PER_HOUR = 10
DUPLICATE_THRESHOLD = 0.8
DUPLICATE_LOOKBACK = timedelta(days=30)
NEW_ACCOUNT_AGE = timedelta(days=7)
BURST_WINDOW = timedelta(hours=1)
BURST_MIN_REVIEWS = 5
BRUSHING_WINDOW = timedelta(hours=1)
BRUSHING_RATIO = 3


def reviews_per_hour() -> int:
    return int(getattr(settings, "XINREN_REVIEWS_PER_HOUR", REVIEWS_PER_HOUR))


def checks_enabled() -> bool:
    """Whether review_post runs the near-duplicate and burst checks; settings.XINREN_REVIEW_CHECKS (default True),
    read at call time so that the benchmark can measure the submit path with and without them."""
    return bool(getattr(settings, "XINREN_REVIEW_CHECKS", True))


def recent_review_count(*, consumer: User, now: datetime) -> int:
    return Review.objects.filter(consumer=consumer, created_at__gt=now - timedelta(hours=1)).count()


@dataclass(frozen=True)
class Duplicate:
    review_id: int
    similarity: float


def _candidates_sql() -> str:
    """The candidate lookup as one fixed statement: written out rather than built with 16 ORed Q objects, whose
    construction and compilation cost more than the query itself (~2 ms per post)."""
    band, review = ReviewBand._meta.db_table, Review._meta.db_table
    pairs = " OR ".join(["(b.band = %s AND b.hash = %s)"] * minhash.BANDS)
    return (
        f"SELECT r.id, r.minhash FROM {review} r WHERE r.id IN ("
        f"SELECT b.review_id FROM {band} b WHERE ({pairs}) AND b.created_at >= %s AND b.consumer_id <> %s"
        ") AND r.id <> %s ORDER BY r.created_at DESC, r.id DESC"
    )


_CANDIDATES_SQL = _candidates_sql()


def near_duplicate(*, review: Review, now: datetime) -> Duplicate | None:
    """The most similar recent review by ANOTHER account whose estimated Jaccard similarity is ≥ the threshold.

    Candidates are the reviews of the last DUPLICATE_LOOKBACK sharing at least one LSH band with `review`
    (ReviewBand, index (band, hash, created_at)); only they are compared on all NUM_HASHES positions. One query,
    whatever the number of stored reviews. Ties go to the newest review."""
    pairs = minhash.band_hashes(review.minhash or [])
    if not pairs:
        return None
    params: list[Any] = [value for pair in pairs for value in pair]
    # -1 for an unsaved probe: ids are positive.
    params += [connection.ops.adapt_datetimefield_value(now - DUPLICATE_LOOKBACK), review.consumer_id or -1,
               review.pk or -1]
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        candidates = cursor.fetchall()
    best: Duplicate | None = None
    for pk, other in candidates:
        score = minhash.similarity(review.minhash, json.loads(other) if isinstance(other, str) else other)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best.similarity):
            best = Duplicate(review_id=pk, similarity=score)
    return best


def new_account_burst(*, review: Review, now: datetime) -> list[Review]:
    """Reviews of the product by accounts younger than NEW_ACCOUNT_AGE within the last BURST_WINDOW, when there
    are at least BURST_MIN_REVIEWS of them (including `review`); otherwise []."""
    burst = list(
        Review.objects.filter(
            product_id=review.product_id,
            created_at__gt=now - BURST_WINDOW,
            created_at__lte=now,
            consumer__date_joined__gt=F("created_at") - NEW_ACCOUNT_AGE,
        ).order_by("created_at", "id")
    )
    return burst if len(burst) >= BURST_MIN_REVIEWS else []


@dataclass(frozen=True)
class BrushingRow:
    merchant_id: int
    orders: int
    buyers: int


def brushing_rows(*, since: datetime, until: datetime) -> list[BrushingRow]:
    """Per shop, orders and distinct buyers placed in [since, until), kept where orders ÷ buyers ≥ BRUSHING_RATIO."""
    rows = (
        Order.objects.filter(placed_at__gte=since, placed_at__lt=until)
        .values("merchant")
        .annotate(orders=Count("id"), buyers=Count("consumer", distinct=True))
        .filter(orders__gte=F("buyers") * BRUSHING_RATIO)
        .order_by("merchant")
        .values_list("merchant", "orders", "buyers")
    )
    return [BrushingRow(merchant_id=m, orders=o, buyers=b) for m, o, b in rows]

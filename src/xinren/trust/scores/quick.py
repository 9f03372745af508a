"""The reads and the write of a posted review's fold-in (`services.product_score_review_added`) as two prepared
statements: the review with what the formula needs of it, its product's category mean and the product's stored
row (locked) in one query, then one UPDATE of that row.

Through the ORM the fold-in took five queries and 6 ms on PostgreSQL, half of it building the queries and a
millisecond or two planning the review's query every time (docs/trust-model.md, Performance); issue 14 asks for
≤ 5 ms per posted review. On PostgreSQL the statements are prepared on the connection (PREPARE / EXECUTE:
Django's psycopg connections bind on the client and never prepare), so each is planned once per connection; a
pooler in transaction mode (PgBouncer) would need its prepared-statement support turned on. Which reviews count
is `inputs.counted_reviews`, written here in SQL again; `tests/trust/test_score_quick.py` keeps the two equal for
every state a review can be in.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xinren.catalog.models import Product
from xinren.community.models import QualityScore
from xinren.core import clock
from xinren.reviews.choices import FlagStatus, ReviewStatus
from xinren.reviews.models import Flag, Review

from ..models import CategoryMean, ProductScore
from .inputs import CATEGORY_MEAN_TTL


@dataclass(frozen=True)
class Posted:
    """A counted review and its product's stored score row (locked), as the fold-in reads them."""

    product_id: int
    category: str
    consumer_id: int
    stars: int
    created_at: dt.datetime
    quality: int | None
    category_mean: float | None  # None: no cached mean young enough (the caller reads `category_means`)
    row: ProductScore


@cache
def _select(vendor: str) -> str:
    review, product, quality = Review._meta.db_table, Product._meta.db_table, QualityScore._meta.db_table
    flag, mean, score = Flag._meta.db_table, CategoryMean._meta.db_table, ProductScore._meta.db_table
    lock = " FOR UPDATE OF s" if vendor == "postgresql" else ""  # SQLite's IMMEDIATE transaction holds the file
    return (
        f"SELECT r.product_id, p.category, r.consumer_id, r.stars, r.created_at, q.score, m.mean, m.computed_at,"
        f" s.id, s.score, s.components, s.inputs, s.computed_at, s.leaf_hash, s.publish_pending"
        f" FROM {review} r"
        f" JOIN {product} p ON p.id = r.product_id"
        f" JOIN {score} s ON s.product_id = r.product_id AND s.version = %s"
        f" LEFT JOIN {quality} q ON q.review_id = r.id"
        f" LEFT JOIN {mean} m ON m.category = p.category"
        f" WHERE r.id = %s AND r.verified_purchase AND r.status = %s"
        f" AND NOT EXISTS (SELECT 1 FROM {flag} f WHERE f.review_id = r.id AND (f.status = %s OR f.upheld))"
        f"{lock}"
    )


@cache
def _update() -> str:
    return (
        f"UPDATE {ProductScore._meta.db_table} SET score = %s, components = %s, inputs = %s, computed_at = %s,"
        f" publish_pending = %s WHERE id = %s"
    )


# The statements prepared on each PostgreSQL connection (a prepared statement lives as long as its session, and a
# ROLLBACK does not drop it); keyed by the driver's connection, so a reconnection prepares them again.
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> str:
    """%s placeholders as PostgreSQL's $1, $2, … (for PREPARE)."""
    parts = sql.split("%s")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


def _execute(name: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one of this module's statements in the current transaction: on PostgreSQL prepared once per connection
    (PREPARE, then EXECUTE), so that it is planned once rather than on every call; as it is on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            done = _PREPARED.setdefault(connection.connection, set())
            if name not in done:
                # Planned once, generically: planning the review's six-table query costs 1–2.5 ms, running it 0.3 ms.
                # The setting touches prepared statements only, and Django never prepares one.
                cursor.execute(f"SET plan_cache_mode = force_generic_plan; PREPARE {name} AS {_numbered(sql)}")
                done.add(name)
            cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        parsed = parse_datetime(str(value))
        assert parsed is not None, value
        moment = parsed
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def posted_review(*, review_id: int, version: str) -> Posted | None:
    """The review, if it counts and its product has a stored row under `version`; the row locked."""
    params = [version, review_id, ReviewStatus.VISIBLE, FlagStatus.OPEN]
    found = _execute("xinren_trust_quick_select", _select(connection.vendor), params)
    if not found:
        return None
    (product_id, category, consumer_id, stars, created_at, quality, mean, mean_at,
     row_id, score, components, inputs, computed_at, leaf_hash, pending) = found[0]  # fmt: skip
    fresh = mean_at is not None and _moment(mean_at) >= clock.now() - CATEGORY_MEAN_TTL
    row = ProductScore(
        id=row_id, product_id=product_id, version=version,
        score=None if score is None else Decimal(str(score)).quantize(Decimal("0.01")),
        components=_json(components), inputs=_json(inputs), computed_at=_moment(computed_at),
        leaf_hash=leaf_hash or "", publish_pending=bool(pending),
    )  # fmt: skip
    return Posted(
        product_id=product_id, category=category, consumer_id=consumer_id, stars=int(stars),
        created_at=_moment(created_at), quality=quality, category_mean=float(mean) if fresh and mean is not None
        else None, row=row,
    )  # fmt: skip


def row_write(row: ProductScore) -> None:
    """Write the row's score, components, inputs, time and pending flag (its id, product and version stay)."""
    values = []
    for name in ("score", "components", "inputs", "computed_at"):
        field = ProductScore._meta.get_field(name)
        assert isinstance(field, Field)
        values.append(field.get_db_prep_save(getattr(row, name), connection))
    _execute("xinren_trust_quick_update", _update(), [*values, row.publish_pending, row.pk])

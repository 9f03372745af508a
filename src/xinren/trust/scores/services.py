"""Writes of the product trust score: refresh one product's stored score, or every product's (ADR 0047).

A score is never edited by hand: each refresh gathers the inputs (`inputs.py`), applies the pure formula
(`formula.py`) and rewrites the one current row per (product, formula version), inputs and components included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale

from ..models import ProductScore
from . import errors, quick
from .formula import CURRENT_VERSION, FORMULAS, product_score
from .hooks import StoredScore, scores_stored
from .inputs import age_days, category_means, product_inputs, products_inputs

BATCH_SIZE = 200


def _version_check(version: str) -> None:
    if version not in FORMULAS:
        raise InvalidInput(
            errors.UNKNOWN_VERSION, errors.unknown_version_message(version), details={"version": version}
        )


def _shown(score: Any, components: dict[str, Any]) -> tuple[Any, ...]:
    """What the pages draw prominently: the score and each component's value."""
    return (score, *(components.get(name, {}).get("value") for name in sorted(components)))


def inputs_snapshot() -> str:
    """The PostgreSQL snapshot the next reads of the caller's transaction will see at least (read committed: every
    later statement sees what this one does and more); empty on other databases. Taken before gathering inputs."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return str(cursor.fetchone()[0])


def scores_counting(*, product_ids: Iterable[int], xact: int, version: str = CURRENT_VERSION) -> set[int]:
    """Of these products, those whose stored score was gathered in a snapshot that already saw transaction `xact`
    (committed before it was taken): refreshing them for what `xact` wrote would compute the same score."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id FROM {ProductScore._meta.db_table} WHERE product_id = ANY(%s) AND version = %s "
            "AND inputs_snapshot <> '' AND pg_visible_in_snapshot(%s::text::xid8, inputs_snapshot::pg_snapshot)",
            [sorted(set(product_ids)), version, str(xact)])
        return {row[0] for row in cursor.fetchall()}


def _store(inputs_by_product: dict[int, dict[str, Any]], version: str, *, snapshot: str = "") -> list[StoredScore]:
    """Write the rows (one upsert for all of them); queue the published pages (every scan page shows the score)
    of the products whose score or a component's value changed under the current formula for refresh.

    A row that still awaited its statement (`publish_pending`, left by a review's fold-in) counts as changed, so that
    the caller's `scores_stored` signs it."""
    before = ProductScore.objects.filter(product_id__in=list(inputs_by_product), version=version).values_list(
        "product_id", "score", "components", "leaf_hash", "publish_pending"
    )
    previous = {product_id: _shown(score, components) for product_id, score, components, _, _ in before}
    # The upsert leaves the signed statement's leaf hash alone; the row objects carry it too, so that publishing
    # (ADR 0051) knows which rows already have a statement.
    signed = {product_id: leaf_hash for product_id, _, _, leaf_hash, _ in before}
    pending = {product_id for product_id, _, _, _, waiting in before if waiting}
    now = clock.now()
    rows, changed = [], []
    for product_id, inputs in inputs_by_product.items():
        result = product_score(inputs, version)
        if previous.get(product_id) != _shown(result["score"], result["components"]):
            changed.append(product_id)
        rows.append(
            ProductScore(
                product_id=product_id, version=version, score=result["score"], components=result["components"],
                inputs=inputs, computed_at=now, leaf_hash=signed.get(product_id, ""),
                publish_pending=False, inputs_snapshot=snapshot,
            )
        )  # fmt: skip
    ProductScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["product", "version"],
        update_fields=["score", "components", "inputs", "computed_at", "publish_pending", "inputs_snapshot"],
    )
    stored = [
        StoredScore(row=row, changed=row.product_id in changed or row.product_id in pending) for row in rows
    ]
    if changed and version == CURRENT_VERSION:
        pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=changed)
    return stored


def product_score_refresh(product: Product, *, version: str = CURRENT_VERSION) -> ProductScore:
    """Recompute and store the product's score under `version` (the current formula by default)."""
    _version_check(version)
    with transaction.atomic():
        snapshot = inputs_snapshot()  # before any input is read
        stored = _store({product.pk: product_inputs(product)}, version, snapshot=snapshot)
        scores_stored(stored)
        return stored[0].row


def _aged(entries: list[dict[str, Any]], days: float) -> list[dict[str, Any]]:
    return [{**entry, "age_days": round(float(entry["age_days"]) + days, 3)} for entry in entries]


def product_score_review_added(*, review_id: int) -> ProductScore | None:
    """Fold one newly posted review into its product's stored score instead of gathering every input again.

    Only when the stored row predates the review (so the review is not in it yet) and the review counts: the stored
    inputs are aged by the time since they were gathered, the review appended as `inputs.py` would list it (oldest
    first) and the category mean read as any refresh reads it. Everything else the row holds (orders, claims,
    credit) is as fresh as the row; the daily recompute and every other refresh gather it anew. None when this
    shortcut does not apply (the caller refreshes the whole product then).

    The new score shows at once; its `trust.score` statement and the delisting judgement follow within a minute,
    with every other score a review changed, in one pooled write (`scores_publish_pending`, ADR 0051): signing
    score by score would cost each posted review more than the refresh itself.
    """
    with transaction.atomic():
        posted = quick.posted_review(review_id=review_id, version=CURRENT_VERSION)
        if posted is None or posted.created_at <= posted.row.computed_at:
            return None
        row, category = posted.row, posted.category
        now = clock.now()
        days = (now - row.computed_at).total_seconds() / 86400
        inputs = dict(row.inputs)
        # the cached mean, as any single refresh reads it
        mean = posted.category_mean if posted.category_mean is not None else category_means([category])[category]
        inputs["category_mean"] = mean
        inputs["lab_reports"] = _aged(inputs.get("lab_reports", []), days)
        inputs["reviews"] = [
            *_aged(inputs.get("reviews", []), days),
            {"buyer": str(posted.consumer_id), "stars": posted.stars, "age_days": age_days(now, posted.created_at),
             "quality": posted.quality},
        ]  # fmt: skip
        result = product_score(inputs, CURRENT_VERSION)
        changed = _shown(row.score, row.components) != _shown(result["score"], result["components"])
        row.publish_pending = changed or row.publish_pending or not row.leaf_hash
        row.score, row.components, row.inputs, row.computed_at = result["score"], result["components"], inputs, now
        quick.row_write(row)
        if changed:
            pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[row.product_id])
        return row


def scores_publish_pending(*, batch_size: int = BATCH_SIZE) -> int:
    """Sign every stored score awaiting its statement (`publish_pending`) and judge it for delisting, a batch per
    transaction, the rows locked so that a review's quick refresh waits rather than being marked signed unsigned.
    Returns how many were published."""
    count = 0
    while True:
        with transaction.atomic():
            ids = list(
                ProductScore.objects.filter(publish_pending=True).order_by("id").values_list("id", flat=True)[
                    :batch_size
                ]
            )
            rows = list(ProductScore.objects.select_for_update(of=("self",)).filter(pk__in=ids, publish_pending=True))
            if not rows:
                return count
            scores_stored([StoredScore(row=row, changed=True) for row in rows])
            for row in rows:
                row.publish_pending = False
            ProductScore.objects.bulk_update(rows, ["publish_pending"])
            count += len(rows)


def products_scores_refresh(*, product_ids: Iterable[int], version: str = CURRENT_VERSION) -> int:
    """Refresh the scores of these products (a merchant's, when a merchant-wide input changed), a batch of
    BATCH_SIZE per transaction with grouped queries. Returns how many."""
    _version_check(version)
    count = 0
    products = Product.objects.filter(pk__in=sorted(set(product_ids))).select_related("merchant")
    for chunk in _batches(products, BATCH_SIZE):
        with transaction.atomic():
            snapshot = inputs_snapshot()
            stored = _store(products_inputs(chunk), version, snapshot=snapshot)
            scores_stored(stored)
            count += len(stored)
    return count


def _batches(queryset: Any, size: int) -> Iterator[list[Product]]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def scores_recompute(
    *, version: str = CURRENT_VERSION, batch_size: int = BATCH_SIZE, products: QuerySet[Product] | None = None
) -> int:
    """Recompute every product's score (or those of `products`) under `version`, a batch per transaction; the
    category means are computed exactly once, first. Returns how many."""
    _version_check(version)
    count = 0
    products = (Product.objects.all() if products is None else products).select_related("merchant")
    means = category_means(products.order_by().values_list("category", flat=True).distinct(), exact=True)
    for chunk in _batches(products, batch_size):
        with transaction.atomic():
            stored = _store(products_inputs(chunk, means=means), version)
            scores_stored(stored)
            count += len(stored)
    return count

"""Writes of the product trust score: refresh one product's stored score, or every product's (ADR 0047).

A score is never edited by hand: each refresh gathers the inputs (`inputs.py`), applies the pure formula
(`formula.py`) and rewrites the one current row per (product, formula version), inputs and components included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale

from ..models import ProductScore
from . import errors
from .formula import CURRENT_VERSION, FORMULAS, product_score
from .hooks import StoredScore, scores_stored
from .inputs import age_days, category_means, counted_reviews, product_inputs, products_inputs

BATCH_SIZE = 200


def _version_check(version: str) -> None:
    if version not in FORMULAS:
        raise InvalidInput(
            errors.UNKNOWN_VERSION, errors.unknown_version_message(version), details={"version": version}
        )


def _shown(score: Any, components: dict[str, Any]) -> tuple[Any, ...]:
    """What the pages draw prominently: the score and each component's value."""
    return (score, *(components.get(name, {}).get("value") for name in sorted(components)))


def _store(inputs_by_product: dict[int, dict[str, Any]], version: str) -> list[StoredScore]:
    """Write the rows (one upsert for all of them); queue the published pages (every scan page shows the score)
    of the products whose score or a component's value changed under the current formula for refresh."""
    before = ProductScore.objects.filter(product_id__in=list(inputs_by_product), version=version).values_list(
        "product_id", "score", "components", "leaf_hash"
    )
    previous = {product_id: _shown(score, components) for product_id, score, components, _ in before}
    # The upsert leaves the signed statement's leaf hash alone; the row objects carry it too, so that publishing
    # (ADR 0051) knows which rows already have a statement.
    signed = {product_id: leaf_hash for product_id, _, _, leaf_hash in before}
    now = clock.now()
    rows = []
    for product_id, inputs in inputs_by_product.items():
        result = product_score(inputs, version)
        rows.append(
            ProductScore(
                product_id=product_id, version=version, score=result["score"], components=result["components"],
                inputs=inputs, computed_at=now, leaf_hash=signed.get(product_id, ""),
            )
        )  # fmt: skip
    ProductScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["product", "version"],
        update_fields=["score", "components", "inputs", "computed_at"],
    )
    stored = [
        StoredScore(row=row, changed=previous.get(row.product_id) != _shown(row.score, row.components))
        for row in rows
    ]
    changed = [item.row.product_id for item in stored if item.changed]
    if changed and version == CURRENT_VERSION:
        pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=changed)
    return stored


def product_score_refresh(product: Product, *, version: str = CURRENT_VERSION) -> ProductScore:
    """Recompute and store the product's score under `version` (the current formula by default)."""
    _version_check(version)
    with transaction.atomic():
        stored = _store({product.pk: product_inputs(product)}, version)
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
    """
    review = (
        counted_reviews().filter(pk=review_id)
        .values("product_id", "product__category", "consumer_id", "stars", "created_at", "quality__score").first()
    )  # fmt: skip
    if review is None:
        return None
    with transaction.atomic():
        row = (
            ProductScore.objects.select_for_update()
            .filter(product_id=review["product_id"], version=CURRENT_VERSION)
            .only("inputs", "computed_at")
            .first()
        )
        if row is None or review["created_at"] <= row.computed_at:
            return None
        now = clock.now()
        days = (now - row.computed_at).total_seconds() / 86400
        inputs = dict(row.inputs)
        category = review["product__category"]
        inputs["category_mean"] = category_means([category])[category]  # cached, as any single refresh reads it
        inputs["lab_reports"] = _aged(inputs.get("lab_reports", []), days)
        inputs["reviews"] = [
            *_aged(inputs.get("reviews", []), days),
            {"buyer": str(review["consumer_id"]), "stars": review["stars"],
             "age_days": age_days(now, review["created_at"]), "quality": review["quality__score"]},
        ]  # fmt: skip
        stored = _store({review["product_id"]: inputs}, CURRENT_VERSION)
        scores_stored(stored)
        return stored[0].row


def products_scores_refresh(*, product_ids: Iterable[int], version: str = CURRENT_VERSION) -> int:
    """Refresh the scores of these products (a merchant's, when a merchant-wide input changed), a batch of
    BATCH_SIZE per transaction with grouped queries. Returns how many."""
    _version_check(version)
    count = 0
    products = Product.objects.filter(pk__in=sorted(set(product_ids))).select_related("merchant")
    for chunk in _batches(products, BATCH_SIZE):
        with transaction.atomic():
            stored = _store(products_inputs(chunk), version)
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

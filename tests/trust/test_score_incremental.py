"""A single refresh stores what the full recompute stores; the category mean it reads is cached, the recompute's
exact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from xinren.catalog.models import Product
from xinren.core import clock
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine
from xinren.reviews.models import Review
from xinren.reviews.services import review_post
from xinren.trust.models import CategoryMean, ProductScore
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.trust.scores.inputs import CATEGORY_MEAN_TTL, category_mean, category_means
from xinren.trust.scores.services import (
    product_score_refresh,
    product_score_review_added,
    scores_publish_pending,
    scores_recompute,
)
from xinren.trust.scores.statements import TRUST_SCORE
from xinren.trust.scores.verify import score_explain, stored_compare

pytestmark = pytest.mark.django_db


def _rows() -> dict[int, tuple[object, object, object]]:
    return {
        row.product_id: (row.score, row.components, row.inputs)
        for row in ProductScore.objects.filter(version=CURRENT_VERSION)
    }


def test_one_refresh_per_product_stores_what_the_full_recompute_stores(demo_world):
    # given one moment, and every product refreshed one by one
    at = clock.now()
    products = list(Product.objects.select_related("merchant").order_by("pk"))
    with clock.played_at(at):
        for product in products:
            product_score_refresh(product)
        incremental = _rows()
        # when every score is recomputed in batches
        ProductScore.objects.all().delete()
        CategoryMean.objects.all().delete()
        scores_recompute(batch_size=3)
    # then the same scores, components and inputs are stored
    assert len(incremental) == len(products) > 0
    assert _rows() == incremental


def test_the_recompute_writes_exact_means_and_a_refresh_reuses_them_while_young(demo_world):
    # given the means written by a full recompute
    scores_recompute()
    category = Product.objects.filter(reviews__isnull=False).values_list("category", flat=True).first()
    assert category is not None
    exact = category_mean(category)
    assert CategoryMean.objects.get(category=category).mean == exact
    # when a counted review of the category is folded
    review = Review.objects.filter(product__category=category, status="visible", verified_purchase=True).first()
    assert review is not None
    Review.objects.filter(pk=review.pk).update(status="folded")
    # then a refresh within the TTL still reads the cached mean, and one after it the new exact mean
    assert category_means([category]) == {category: exact}
    later = clock.now() + CATEGORY_MEAN_TTL + dt.timedelta(seconds=1)
    with clock.played_at(later):
        assert category_means([category]) == {category: category_mean(category)}
    assert category_means([category], exact=True)[category] == category_mean(category)


def test_a_refresh_reads_a_fixed_number_of_queries_whatever_the_merchant_records(demo_world):
    # given the means cached
    scores_recompute()
    product = Product.objects.select_related("merchant").filter(reviews__isnull=False).order_by("pk").first()
    assert product is not None
    # when
    with CaptureQueriesContext(connection) as seen:
        product_score_refresh(product)
    # then no query scans a whole category's reviews
    assert not [q["sql"] for q in seen.captured_queries if "AVG(" in q["sql"].upper()]


def _unreviewed_line() -> OrderLine:
    reviewed = Exists(Review.objects.filter(line_id=OuterRef("pk")))
    line = (
        OrderLine.objects.filter(order__status=OrderStatus.DELIVERED).exclude(reviewed)
        .select_related("order__consumer").order_by("pk").first()
    )  # fmt: skip
    assert line is not None
    return line


def test_a_posted_review_is_folded_into_the_stored_score_as_a_full_refresh_would_store_it(demo_world):
    # given every score stored this morning
    start = clock.now()
    with clock.played_at(start):
        scores_recompute()
    line = _unreviewed_line()
    # when a buyer posts a review five hours later and its task folds it into the stored score
    with clock.played_at(start + dt.timedelta(hours=5)):
        review = review_post(consumer=line.order.consumer, line_id=line.pk, stars=2, text="一般般，个头偏小。")
    with clock.played_at(start + dt.timedelta(hours=5, seconds=1)):
        folded = product_score_review_added(review_id=review.pk)
        assert folded is not None
        # then it stores what refreshing every input at that moment stores
        full = product_score_refresh(Product.objects.select_related("merchant").get(pk=line.product_id))
    assert folded.inputs["reviews"][-1]["stars"] == 2
    aged = ("reviews", "lab_reports")  # ages are rounded to 0.001 day, aged ones twice
    others = [{k: v for k, v in row.inputs.items() if k not in aged} for row in (folded, full)]
    assert others[0] == others[1]
    for key in aged:
        assert [{**r, "age_days": 0} for r in folded.inputs[key]] == [{**r, "age_days": 0} for r in full.inputs[key]]
    assert (folded.score, folded.components) == (full.score, full.components)
    for key in aged:
        assert [r["age_days"] for r in folded.inputs[key]] == pytest.approx(
            [r["age_days"] for r in full.inputs[key]], abs=0.002
        )


def test_a_review_already_counted_or_not_counted_is_left_to_the_full_refresh(demo_world):
    # given a review posted before the scores were stored
    line = _unreviewed_line()
    review = review_post(consumer=line.order.consumer, line_id=line.pk, stars=5, text="很新鲜，下次还买。")
    with clock.played_at(clock.now() + dt.timedelta(minutes=1)):
        scores_recompute()
    # then the shortcut declines (the stored row already holds it), and declines a folded review too
    assert product_score_review_added(review_id=review.pk) is None
    Review.objects.filter(pk=review.pk).update(status="folded")
    assert product_score_review_added(review_id=review.pk) is None


def _score_statements() -> int:
    return sum(model.objects.filter(statement_type=TRUST_SCORE.name).count() for model in (LogEntry, PendingEntry))


def _posted_and_folded() -> tuple[ProductScore, ProductScore]:
    """A one-star review posted five hours after every score was stored and signed, folded in by its task."""
    start = clock.now() - dt.timedelta(hours=6)
    with clock.played_at(start):
        scores_recompute()
    line = _unreviewed_line()
    before = ProductScore.objects.get(product_id=line.product_id, version=CURRENT_VERSION)
    with clock.played_at(start + dt.timedelta(hours=5)):
        review = review_post(consumer=line.order.consumer, line_id=line.pk, stars=1, text="全坏了，一股霉味。")
    with clock.played_at(start + dt.timedelta(hours=5, seconds=1)):
        assert product_score_review_added(review_id=review.pk) is not None
    return before, ProductScore.objects.get(pk=before.pk)


def test_a_quick_refresh_shows_the_score_at_once_and_the_next_publish_run_signs_it(demo_world):
    # given
    statements = _score_statements()
    before, after = _posted_and_folded()
    # then the new score is stored and shown, its statement not signed yet
    assert (after.score, after.components) != (before.score, before.components)
    assert after.publish_pending and after.leaf_hash == before.leaf_hash != ""
    assert _score_statements() == statements
    gtin = after.product.gtin
    stored = stored_compare(score_explain(gtin))
    assert not stored.ok and "awaits its statement" in stored.detail
    # when the every-minute job runs
    assert scores_publish_pending() == 1
    # then it is signed, explained from the log alone, and nothing is left for the next run
    published = ProductScore.objects.get(pk=after.pk)
    assert not published.publish_pending and published.leaf_hash not in ("", before.leaf_hash)
    assert _score_statements() == statements + 1
    log_integrate_all()
    explanation = score_explain(gtin)
    assert explanation.ok and stored_compare(explanation).ok, [check for check in explanation.checks if not check.ok]
    assert explanation.leaf_hash == published.leaf_hash
    assert scores_publish_pending() == 0


def test_a_full_refresh_signs_a_pending_score_even_when_it_finds_nothing_new(demo_world):
    # given a quick refresh's score awaiting its statement
    before, after = _posted_and_folded()
    assert after.publish_pending
    # when the product's inputs are gathered again (the same values)
    product_score_refresh(Product.objects.select_related("merchant").get(pk=after.product_id))
    # then that refresh signed it
    refreshed = ProductScore.objects.get(pk=after.pk)
    assert not refreshed.publish_pending and refreshed.leaf_hash not in ("", before.leaf_hash)
    assert scores_publish_pending() == 0

"""Races on PostgreSQL, where row locks are real: each thread has its own connection and transaction."""

from __future__ import annotations

import pytest

from xinren.ledger.store.models import PendingEntry
from xinren.reviews.models import Review
from xinren.reviews.services import review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered
from ..orders.test_concurrency import _codes, race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_concurrent_posts_for_one_line_make_one_review(require_postgres, platform, product_on_sale):
    # given
    consumer = consumer_new()
    line = line_delivered(consumer, product_on_sale)
    # when
    results = race(*(
        lambda stars=stars: review_post(consumer=consumer, line_id=line.pk, stars=stars, text="并发提交的评价")
        for stars in (4, 5)
    ))
    # then
    assert _codes(results) == ["ok", "review.already_reviewed"]
    assert Review.objects.filter(line=line).count() == 1
    review_leaves = PendingEntry.objects.filter(statement_type="review").count()
    assert review_leaves == 1


def test_the_hourly_limit_holds_under_concurrency(require_postgres, settings, platform, product_on_sale):
    # given
    settings.XINREN_REVIEWS_PER_HOUR = 2
    consumer = consumer_new()
    lines = [line_delivered(consumer, product_on_sale) for _ in range(5)]
    # when
    results = race(*(
        lambda line=line: review_post(consumer=consumer, line_id=line.pk, stars=5, text="限流测试的评价")
        for line in lines
    ))
    # then
    assert _codes(results) == ["ok"] * 2 + ["review.rate_limited"] * 3
    assert Review.objects.filter(consumer=consumer).count() == 2

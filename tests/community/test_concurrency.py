"""Races on PostgreSQL, where row locks are real: votes and points under concurrency."""

from __future__ import annotations

import pytest

from xinren.community.models import HelpfulVote, PointsEntry, QualityScore
from xinren.community.services import helpful_vote, review_sync

from ..fixtures.accounts import consumer_new
from ..orders.test_concurrency import _codes, race
from .conftest import diary_write, review_new

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_concurrent_votes_all_count_and_one_score_row(require_postgres, settings, platform, product_on_sale):
    settings.XINREN_REVIEW_CHECKS = False
    review = review_new(consumer_new(), product_on_sale)
    voters = [consumer_new() for _ in range(4)]

    results = race(*(lambda voter=voter: helpful_vote(consumer=voter, review_id=review.pk) for voter in voters))

    assert _codes(results) == ["ok"] * 4
    assert HelpfulVote.objects.filter(review=review).count() == 4
    assert QualityScore.objects.get(review=review).inputs["helpful_votes"] == 4


def test_a_double_click_votes_once(require_postgres, settings, platform, product_on_sale):
    settings.XINREN_REVIEW_CHECKS = False
    review = review_new(consumer_new(), product_on_sale)
    voter = consumer_new()

    results = race(*(lambda: helpful_vote(consumer=voter, review_id=review.pk) for _ in range(2)))

    assert _codes(results) == ["community.vote_exists", "ok"]
    assert HelpfulVote.objects.count() == 1


def test_concurrent_syncs_pay_once(require_postgres, settings, platform, product_on_sale):
    settings.XINREN_REVIEW_CHECKS = False
    review = review_new(consumer_new(), product_on_sale)
    diary_write(review, 7, 15)

    results = race(*(lambda: review_sync(review_id=review.pk) for _ in range(3)))

    assert _codes(results) == ["ok"] * 3
    assert list(PointsEntry.objects.values_list("reason", "points")) == [("quality.60", 10)]

"""Reward points: paid on content quality, diaries and helpful milestones, never twice, never on stars; a fold
after payment records reversals."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.community.models import HelpfulVote, PointsEntry, QualityScore
from xinren.community.selectors import points_balance
from xinren.community.services import community_rescore, helpful_vote, review_sync
from xinren.community.tasks import review_sync_task
from xinren.core import clock
from xinren.reviews.services import review_fold

from ..fixtures.tasks import queued
from .conftest import diary_write, review_new, voters

pytestmark = pytest.mark.django_db


def _ledger(consumer):
    return sorted(PointsEntry.objects.filter(consumer=consumer).values_list("reason", "points"))


def test_quality_over_60_pays_10_points_once(platform, consumer, product_on_sale):
    # given: long, specific text (50) and two diaries (12) → 62
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)

    # when: synced twice
    first = review_sync(review_id=review.pk)
    review_sync(review_id=review.pk)

    # then
    assert first.score == 62
    assert _ledger(consumer) == [("quality.60", 10)]
    assert points_balance(consumer=consumer) == 10


def test_quality_80_diary_completion_and_helpful_milestones(platform, consumer, product_on_sale):
    # given: all three diaries (20) and 10 helpful votes (75 × 15%) → 50 + 20 + 11.25 = 81
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15, 30)
    for voter in voters(10):
        HelpfulVote.objects.create(consumer=voter, review=review, created_at=clock.now())

    # when
    score = review_sync(review_id=review.pk)

    # then
    assert score.score == 81
    assert _ledger(consumer) == [("diary.complete", 15), ("helpful.10", 5), ("quality.60", 10), ("quality.80", 20)]
    assert points_balance(consumer=consumer) == 50


def test_one_star_and_five_star_reviews_earn_the_same(platform, consumer, other_consumer, product_on_sale):
    one = review_new(consumer, product_on_sale, stars=1)
    five = review_new(other_consumer, product_on_sale, stars=5)
    for review in (one, five):
        diary_write(review, 7, 15, 30)
        review_sync(review_id=review.pk)

    assert _ledger(consumer) == _ledger(other_consumer) == [("diary.complete", 15), ("quality.60", 10)]


def test_a_fold_after_payment_records_reversals(platform, operator, consumer, product_on_sale):
    # given: 25 points paid
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15, 30)
    review_sync(review_id=review.pk)
    assert points_balance(consumer=consumer) == 25

    # when: an operator folds it, and the hourly rescore runs
    review_fold(actor=operator, review_id=review.pk, reason="含有他人电话号码")
    synced = community_rescore(since=clock.now() - dt.timedelta(hours=1))
    community_rescore(since=clock.now() - dt.timedelta(hours=1))

    # then: one reversal per payment, nothing deleted, balance 0
    assert synced == 1
    assert _ledger(consumer) == [("diary.complete", 15), ("diary.complete.reversed", -15), ("quality.60", 10),
                                 ("quality.60.reversed", -10)]
    assert points_balance(consumer=consumer) == 0
    reversal = PointsEntry.objects.get(reason="quality.60.reversed")
    assert reversal.note == "含有他人电话号码"
    assert reversal.reason_label == "冲回（评价被折叠）：内容质量分达到 60"


def test_a_folded_review_earns_nothing(platform, operator, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15, 30)
    review_fold(actor=operator, review_id=review.pk, reason="含有他人电话号码")

    review_sync(review_id=review.pk)

    assert _ledger(consumer) == []


def test_votes_pay_the_helpful_milestone_through_the_vote_service(platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale, text="还行")
    for voter in voters(10):
        helpful_vote(consumer=voter, review_id=review.pk)

    assert _ledger(consumer) == [("helpful.10", 5)]


def test_rescore_picks_up_diaries_written_through_the_reviews_core(platform, consumer, product_on_sale):
    # given: scored once without diaries (50: no points), then diaries arrive
    review = review_new(consumer, product_on_sale)
    review_sync(review_id=review.pk)
    assert _ledger(consumer) == []
    diary_write(review, 7, 15)

    # when
    community_rescore(since=clock.now() - dt.timedelta(hours=2))

    # then
    assert _ledger(consumer) == [("quality.60", 10)]


def test_a_unique_key_stops_a_second_payment_even_outside_the_service(platform, consumer, product_on_sale):
    from django.db import IntegrityError, transaction

    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)
    review_sync(review_id=review.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(consumer=consumer, review=review, reason="quality.60", points=10,
                                   created_at=clock.now())
    assert points_balance(consumer=consumer) == 10


def test_a_review_shown_again_is_paid_again_and_a_second_fold_reverses_again(settings, platform, operator,
                                                                             product_on_sale):
    from xinren.reviews.models import Flag
    from xinren.reviews.services import flag_resolve

    from ..fixtures.accounts import consumer_new

    # given: a paid review by a new account, then a burst of new accounts folds it pending review
    settings.XINREN_REVIEW_CHECKS = True
    authors = [consumer_new(joined_days_ago=1) for _ in range(5)]
    first = review_new(authors[0], product_on_sale)
    diary_write(first, 7, 15)
    review_sync(review_id=first.pk)
    for n, author in enumerate(authors[1:], start=2):
        review_new(author, product_on_sale, text=f"第{n}位买家：收到了，挺好")
    review_sync(review_id=first.pk)
    assert _ledger(authors[0]) == [("quality.60", 10), ("quality.60.reversed", -10)]

    # when: an operator dismisses the flag (the review is shown again), then folds it for another reason
    flag = Flag.objects.get(review=first)
    flag_resolve(actor=operator, flag_id=flag.pk, upheld=False, note="误判：真实购买")
    community_rescore(since=clock.now() - dt.timedelta(hours=1))
    reinstated = _ledger(authors[0])
    review_fold(actor=operator, review_id=first.pk, reason="含有他人电话号码")
    community_rescore(since=clock.now() - dt.timedelta(hours=1))

    # then
    assert reinstated == [("quality.60", 10), ("quality.60.reinstated", 10), ("quality.60.reversed", -10)]
    assert _ledger(authors[0]) == [("quality.60", 10), ("quality.60.reinstated", 10), ("quality.60.reversed", -10),
                                   ("quality.60.reversed.2", -10)]
    assert points_balance(consumer=authors[0]) == 0
    label = PointsEntry.objects.get(reason="quality.60.reinstated").reason_label
    assert label == "恢复（评价恢复展示）：内容质量分达到 60"


def test_posting_queues_the_rescore_with_the_review(platform, consumer, product_on_sale, run_tasks):
    # when: a long, specific review is posted
    review = review_new(consumer, product_on_sale)
    # then: its rescore is queued in the same transaction, not run in-process
    assert queued(review_sync_task) == [{"review_id": review.pk}]
    assert not QualityScore.objects.filter(review=review).exists()
    # when: a worker runs what is due
    run_tasks()
    # then: scored without waiting for the hourly rescore (50: under the first paying threshold, 60)
    assert queued(review_sync_task) == []
    assert QualityScore.objects.get(review=review).score == 50
    assert points_balance(consumer=consumer) == 0


def test_a_fold_queues_the_reversal_of_its_points(platform, consumer, product_on_sale, operator, run_tasks):
    # given: a review that earned points
    review = review_new(consumer, product_on_sale)
    diary_write(review, 7, 15)
    run_tasks()
    assert points_balance(consumer=consumer) == 10
    # when
    review_fold(actor=operator, review_id=review.pk, reason="含有广告链接")
    # then: nothing is reversed until a worker runs the queued rescore
    assert queued(review_sync_task) == [{"review_id": review.pk}]
    assert points_balance(consumer=consumer) == 10
    run_tasks()
    assert points_balance(consumer=consumer) == 0

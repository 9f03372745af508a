"""The demo community over a handful of reviews: votes, points, two tiers and one accepted trial."""

from __future__ import annotations

import pytest
from django.db.models import F

from xinren.community.demo import demo_community_load
from xinren.community.models import ConsumerTier, HelpfulVote, QualityScore, TierChange, TrialParticipation

from ..fixtures.accounts import consumer_new
from .conftest import review_new

pytestmark = pytest.mark.django_db


def test_the_demo_community_loads_once(platform, merchant_actor, product_on_sale):
    # given: six reviews by six buyers
    reviews = [review_new(consumer_new(), product_on_sale, text="很好吃" * (i + 1)) for i in range(6)]

    # when
    made = demo_community_load()

    # then
    assert made == {"votes": HelpfulVote.objects.count(), "reviews": 6, "tiers": 2, "trials": 1}
    assert made["votes"] > 0
    assert not HelpfulVote.objects.filter(review__consumer=F("consumer")).exists()  # nobody votes for themselves
    assert QualityScore.objects.count() == 6
    assert sorted(ConsumerTier.objects.values_list("tier", flat=True)) == ["platform_expert", "quality_sharer"]
    assert TierChange.objects.filter(reason__startswith="演示数据").count() == 2
    assert TrialParticipation.objects.get().status == "accepted"
    assert ConsumerTier.objects.get(tier="platform_expert").consumer_id == reviews[-1].consumer_id
    assert demo_community_load() == {}


def test_without_reviews_the_demo_does_nothing(db):
    assert demo_community_load() == {}


def test_the_demo_experts_trial_review_is_labelled(platform, merchant_actor, product_on_sale):
    from xinren.community.selectors import trial_review_labels
    from xinren.reviews.models import Review

    from ..factories import BatchFactory, ItemFactory

    # given: items in stock to ship for the expert's trial order
    batch = BatchFactory(product=product_on_sale, quantity=10)
    for _ in range(3):
        ItemFactory(batch=batch)
    reviews = [review_new(consumer_new(), product_on_sale, text="很好吃" * (i + 1)) for i in range(4)]

    # when
    demo_community_load()

    # then
    expert = ConsumerTier.objects.get(tier="platform_expert").consumer_id
    trial_review = Review.objects.filter(consumer_id=expert).order_by("-pk").first()
    assert trial_review is not None and trial_review.pk not in {r.pk for r in reviews}
    assert trial_review_labels(review_ids=[trial_review.pk]) == {trial_review.pk: "试用体验"}
    assert trial_review.line.order.status == "delivered"

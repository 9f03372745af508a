"""Helpful votes: once per consumer and review, not on one's own review, undo, folded refused, rate limited."""

from __future__ import annotations

import pytest

from xinren.community.models import HelpfulVote, QualityScore
from xinren.community.services import helpful_unvote, helpful_vote, votes
from xinren.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from xinren.reviews.services import review_fold

from .conftest import review_new, voters

pytestmark = pytest.mark.django_db


def test_a_consumer_marks_another_consumers_review_helpful(platform, consumer, other_consumer, product_on_sale):
    # given
    review = review_new(consumer, product_on_sale)

    # when
    count = helpful_vote(consumer=other_consumer, review_id=review.pk)

    # then
    assert count == 1
    assert list(HelpfulVote.objects.values_list("consumer_id", "review_id")) == [(other_consumer.pk, review.pk)]
    assert QualityScore.objects.get(review=review).inputs["helpful_votes"] == 1


def test_voting_on_ones_own_review_is_refused(platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)

    with pytest.raises(PermissionDenied) as refused:
        helpful_vote(consumer=consumer, review_id=review.pk)

    assert refused.value.code == "community.vote_own_review"
    assert HelpfulVote.objects.count() == 0


def test_voting_twice_is_refused(platform, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    helpful_vote(consumer=other_consumer, review_id=review.pk)

    with pytest.raises(Conflict) as refused:
        helpful_vote(consumer=other_consumer, review_id=review.pk)

    assert refused.value.code == "community.vote_exists"
    assert HelpfulVote.objects.count() == 1


def test_a_vote_can_be_taken_back_once(platform, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    helpful_vote(consumer=other_consumer, review_id=review.pk)

    assert helpful_unvote(consumer=other_consumer, review_id=review.pk) == 0
    assert HelpfulVote.objects.count() == 0
    assert QualityScore.objects.get(review=review).inputs["helpful_votes"] == 0
    with pytest.raises(NotFound) as refused:
        helpful_unvote(consumer=other_consumer, review_id=review.pk)
    assert refused.value.code == "community.vote_not_found"


def test_a_folded_review_takes_no_votes(platform, operator, consumer, other_consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    review_fold(actor=operator, review_id=review.pk, reason="含有他人电话号码")

    with pytest.raises(Conflict) as refused:
        helpful_vote(consumer=other_consumer, review_id=review.pk)

    assert refused.value.code == "community.vote_folded"
    assert HelpfulVote.objects.count() == 0


def test_an_unknown_review_is_not_found(platform, consumer):
    with pytest.raises(NotFound):
        helpful_vote(consumer=consumer, review_id=999999)


def test_a_merchant_user_without_a_phone_cannot_vote(platform, consumer, product_on_sale, merchant_actor):
    review = review_new(consumer, product_on_sale)

    with pytest.raises(PermissionDenied) as refused:
        helpful_vote(consumer=merchant_actor.user, review_id=review.pk)

    assert refused.value.code == "consumer.required"
    assert HelpfulVote.objects.count() == 0


def test_votes_are_rate_limited_per_consumer(platform, consumer, other_consumer, product_on_sale, monkeypatch):
    # given: a limit of 2 votes or undos an hour
    monkeypatch.setattr(votes, "VOTES_PER_HOUR", 2)
    authors = voters(3)
    reviews = [review_new(author, product_on_sale) for author in authors]
    helpful_vote(consumer=other_consumer, review_id=reviews[0].pk)
    helpful_vote(consumer=other_consumer, review_id=reviews[1].pk)

    # when
    with pytest.raises(DomainError) as refused:
        helpful_vote(consumer=other_consumer, review_id=reviews[2].pk)

    # then
    assert (refused.value.code, refused.value.status) == ("community.rate_limited", 429)
    assert HelpfulVote.objects.count() == 2
    # another consumer is not limited by it
    assert helpful_vote(consumer=consumer, review_id=reviews[2].pk) == 1

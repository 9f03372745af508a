"""The fold-in's own SQL (`trust/scores/quick.py`) counts exactly the reviews `counted_reviews` counts, reads the
stored row as the ORM does, and writes it back as the ORM would."""

from __future__ import annotations

import pytest
from django.db import transaction

from xinren.core import clock
from xinren.reviews.choices import FlagReason, FlagStatus, ReviewStatus
from xinren.reviews.models import Flag, Review
from xinren.trust.models import ProductScore
from xinren.trust.scores import quick
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.trust.scores.inputs import counted_reviews

pytestmark = pytest.mark.django_db


def _flag(review: Review, status: str, upheld: bool | None) -> None:
    Flag.objects.create(reason=FlagReason.NEAR_DUPLICATE, review=review, status=status, upheld=upheld,
                        created_at=clock.now())  # fmt: skip


def test_the_quick_sql_counts_the_reviews_counted_reviews_counts(demo_world):
    # given reviews in every state that decides whether one counts (whether the purchase is verified is signed with
    # the review and cannot change; a demo review without one is taken as it is)
    scored = Review.objects.filter(product__trust_scores__version=CURRENT_VERSION).order_by("pk")
    reviews = list(scored.filter(verified_purchase=True)[:5]) + list(scored.filter(verified_purchase=False)[:1])
    assert len(reviews) >= 5
    plain, folded, open_flag, upheld, dismissed = reviews[:5]
    Review.objects.filter(pk=folded.pk).update(status=ReviewStatus.FOLDED)
    _flag(open_flag, FlagStatus.OPEN, None)
    _flag(upheld, FlagStatus.RESOLVED, True)
    _flag(dismissed, FlagStatus.RESOLVED, False)
    # when
    with transaction.atomic():
        found = {review.pk: quick.posted_review(review_id=review.pk, version=CURRENT_VERSION) for review in reviews}
    # then
    counted = set(counted_reviews().filter(pk__in=[r.pk for r in reviews]).values_list("pk", flat=True))
    assert counted == {plain.pk, dismissed.pk}
    assert {pk for pk, posted in found.items() if posted is not None} == counted
    assert quick.posted_review(review_id=-1, version=CURRENT_VERSION) is None


def test_the_quick_sql_reads_and_writes_the_row_as_the_orm_does(demo_world):
    # given
    review = counted_reviews().filter(product__trust_scores__version=CURRENT_VERSION).order_by("pk").first()
    assert review is not None
    stored = ProductScore.objects.get(product_id=review.product_id, version=CURRENT_VERSION)
    # when read
    with transaction.atomic():
        posted = quick.posted_review(review_id=review.pk, version=CURRENT_VERSION)
    # then
    assert posted is not None
    row = posted.row
    assert (row.pk, row.product_id, row.score, row.components, row.inputs, row.computed_at, row.leaf_hash) == (
        stored.pk, stored.product_id, stored.score, stored.components, stored.inputs, stored.computed_at,
        stored.leaf_hash,
    )  # fmt: skip
    assert (posted.stars, posted.consumer_id, posted.created_at) == (review.stars, review.consumer_id,
                                                                     review.created_at)  # fmt: skip
    # when written back changed
    row.inputs = {**row.inputs, "category_mean": 4.2}
    row.computed_at = clock.now()
    row.publish_pending = True
    quick.row_write(row)
    # then the ORM reads what was written
    again = ProductScore.objects.get(pk=stored.pk)
    assert (again.inputs, again.computed_at, again.publish_pending, again.score) == (
        row.inputs, row.computed_at, True, stored.score
    )

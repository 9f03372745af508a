"""settings.XINREN_REVIEW_CHECKS switches the near-duplicate and burst checks of review_post off (benchmarks)."""

from __future__ import annotations

import pytest

from xinren.core.errors import DomainError
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Flag, Fold, Review
from xinren.reviews.services import review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered
from .test_integrity import NEAR_COPY, ORIGINAL

pytestmark = pytest.mark.django_db


def _post(consumer, product, text: str) -> Review:  # type: ignore[no-untyped-def]
    return review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=4, text=text)


def test_with_checks_off_a_near_copy_is_neither_flagged_nor_folded(platform, product_on_sale, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    _post(consumer_new(), product_on_sale, ORIGINAL)
    # when
    copy = _post(consumer_new(), product_on_sale, NEAR_COPY)
    # then
    assert Flag.objects.count() == 0
    assert Fold.objects.count() == 0
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.VISIBLE


def test_with_checks_off_a_burst_of_new_accounts_is_not_flagged(platform, product_on_sale, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    # when
    for text in ["口感不错", "很新鲜的菌子", "包装很好", "物流很快", "值得购买"]:
        _post(consumer_new(joined_days_ago=1), product_on_sale, text)
    # then
    assert Flag.objects.count() == 0
    assert Review.objects.filter(status=ReviewStatus.VISIBLE).count() == 5


def test_with_checks_off_the_rate_limit_still_holds(platform, consumer, product_on_sale, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    for n in range(10):
        _post(consumer, product_on_sale, f"第 {n} 次购买，依旧新鲜。")
    # when
    with pytest.raises(DomainError) as refused:
        _post(consumer, product_on_sale, "第十一条评价")
    # then
    assert refused.value.code == "review.rate_limited"
    assert Review.objects.filter(consumer=consumer).count() == 10

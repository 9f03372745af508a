"""The feed (好物圈): visible reviews and diaries newest first, folded content excluded, keyset pages, filters."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.nicknames import default_name
from xinren.community.selectors import feed_page
from xinren.community.services import helpful_vote, review_sync
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.reviews.models import DiaryEntry
from xinren.reviews.services import review_fold

from .conftest import expert_make, review_new

pytestmark = pytest.mark.django_db


def _keys(page):
    return [(item["kind"], item["review_id"]) for item in page["items"]]


def _spread(reviews):
    """Give each review a distinct time, oldest first (posting within one test is too fast to order by)."""
    from xinren.reviews.models import Review

    base = clock.now() - dt.timedelta(hours=len(reviews))
    for i, review in enumerate(reviews):
        Review.objects.filter(pk=review.pk).update(created_at=base + dt.timedelta(hours=i))


def test_the_feed_shows_visible_reviews_and_diaries_newest_first(settings, platform, operator, consumer,
                                                                 other_consumer, product_on_sale):
    # given: two reviews, one folded, and a diary entry on the visible one
    shown = review_new(consumer, product_on_sale, text="很好吃，炒肉香。")
    folded = review_new(other_consumer, product_on_sale, text="别买，加我微信 wx123 领红包")
    _spread([shown, folded])
    review_fold(actor=operator, review_id=folded.pk, reason="含有广告引流信息")
    DiaryEntry.objects.create(review=shown, milestone=7, text="一周了还很好", ledger_leaf_hash="0" * 64,
                              created_at=clock.now())
    settings.XINREN_REVIEW_CHECKS = True

    # when
    page = feed_page()

    # then
    assert _keys(page) == [("diary", shown.pk), ("review", shown.pk)]
    assert page["next"] == ""
    assert page["items"][0]["milestone"] == 7
    assert page["items"][1]["reviewer"] == default_name(shown.reviewer)


def test_with_checks_off_the_feed_does_no_filtering(settings, platform, operator, consumer, product_on_sale):
    folded = review_new(consumer, product_on_sale, text="别买，加我微信 wx123 领红包")
    review_fold(actor=operator, review_id=folded.pk, reason="含有广告引流信息")
    settings.XINREN_REVIEW_CHECKS = False

    assert _keys(feed_page()) == [("review", folded.pk)]


def test_keyset_pages_cover_everything_once(settings, platform, product_on_sale):
    from ..fixtures.accounts import consumer_new

    reviews = [review_new(consumer_new(), product_on_sale, text=f"第{i}条评价，很好。") for i in range(5)]
    _spread(reviews)
    settings.XINREN_REVIEW_CHECKS = True

    first = feed_page(limit=2)
    second = feed_page(limit=2, after=first["next"])
    third = feed_page(limit=2, after=second["next"])

    newest_first = [r.pk for r in reversed(reviews)]
    assert [item["review_id"] for item in first["items"]] == newest_first[:2]
    assert [item["review_id"] for item in second["items"]] == newest_first[2:4]
    assert [item["review_id"] for item in third["items"]] == newest_first[4:]
    assert third["next"] == ""


def test_reviews_and_diaries_at_the_same_instant_page_without_loss(settings, platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale, text="同一时刻")
    at = review.created_at
    for milestone in (7, 15, 30):
        DiaryEntry.objects.create(review=review, milestone=milestone, text="日记", ledger_leaf_hash="0" * 64,
                                  created_at=at)
    settings.XINREN_REVIEW_CHECKS = True

    seen = []
    after = ""
    while True:
        page = feed_page(limit=1, after=after)
        seen += _keys(page)
        after = page["next"]
        if not after:
            break

    assert seen[0] == ("review", review.pk)
    assert sorted(seen) == sorted([("review", review.pk)] + [("diary", review.pk)] * 3)


def test_filter_by_category_and_by_product(settings, platform, consumer, other_consumer, product_on_sale,
                                           other_product_on_sale):
    mushroom = review_new(consumer, product_on_sale, text="菌子很香")
    tea = review_new(other_consumer, other_product_on_sale, text="茶汤清亮")
    settings.XINREN_REVIEW_CHECKS = True

    assert _keys(feed_page(category="tea")) == [("review", tea.pk)]
    assert _keys(feed_page(product_id=product_on_sale.pk)) == [("review", mushroom.pk)]


def test_a_bad_cursor_is_refused(platform):
    with pytest.raises(InvalidInput) as refused:
        feed_page(after="not-a-cursor")
    assert refused.value.code == "community.cursor_invalid"


def test_items_carry_quality_tier_votes_and_no_personal_data(settings, platform, consumer, other_consumer,
                                                             product_on_sale):
    review = review_new(consumer, product_on_sale)
    expert_make(consumer)
    helpful_vote(consumer=other_consumer, review_id=review.pk)
    review_sync(review_id=review.pk)
    settings.XINREN_REVIEW_CHECKS = True

    item = feed_page(viewer=other_consumer)["items"][0]

    assert (item["tier"], item["helpful"], item["voted"], item["own"]) == ("platform_expert", 1, True, False)
    assert item["quality"]["score"] == 52  # 50 + helpful 12 × 15%
    assert [c["key"] for c in item["quality"]["components"]] == ["length", "specifics", "media", "diary", "helpful"]
    assert consumer.phone not in str(item)

"""Integrity signals: rate limit, MinHash near-duplicates, bursts from new accounts, brushing shops."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order
from xinren.reviews import minhash
from xinren.reviews.choices import FlagReason, FlagStatus, FoldSource, ReviewStatus
from xinren.reviews.models import Flag, Fold, Review
from xinren.reviews.selectors import brushing_signals, flag_list
from xinren.reviews.services import brushing_flag, flag_resolve, review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db

ORIGINAL = "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会回购！"
NEAR_COPY = "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会再回购！！"
DIFFERENT = "快递有点慢，第三天才到，不过包装很结实，菌子没有压坏，味道一般般，价格偏贵。"


def _post(consumer, product, text: str = "还可以，挺新鲜的。", stars: int = 5) -> Review:  # type: ignore[no-untyped-def]
    return review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=stars, text=text)


# -- MinHash -------------------------------------------------------------------------------------------------------


def test_minhash_estimates_near_copies_high_and_different_texts_low():
    # when
    near = minhash.similarity(minhash.signature(ORIGINAL), minhash.signature(NEAR_COPY))
    different = minhash.similarity(minhash.signature(ORIGINAL), minhash.signature(DIFFERENT))
    # then
    assert len(minhash.signature(ORIGINAL)) == minhash.NUM_HASHES == 128
    assert near >= 0.8
    assert different < 0.1


def test_minhash_ignores_punctuation_spaces_and_width_and_skips_short_texts():
    assert minhash.signature("这款牛肝菌非常新鲜，个头饱满！") == minhash.signature("这款 牛肝菌 非常新鲜 个头饱满")
    assert minhash.shingles("ａｂｃｄ") == {"abc", "bcd"}
    assert minhash.signature("很好，很满意") == []
    assert minhash.similarity([], []) == 0.0


# -- rate limit ----------------------------------------------------------------------------------------------------


def test_an_account_posts_at_most_ten_reviews_an_hour(platform, consumer, product_on_sale):
    # given
    for n in range(10):
        _post(consumer, product_on_sale, text=f"第 {n} 次购买，依旧新鲜。")
    line = line_delivered(consumer, product_on_sale)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="第十一条评价")
    # then
    assert (refused.value.code, refused.value.status, refused.value.details) == (
        "review.rate_limited", 429, {"limit_per_hour": 10},
    )
    assert Review.objects.filter(consumer=consumer).count() == 10
    assert not Review.objects.filter(line=line).exists()


def test_the_limit_counts_only_the_last_hour(platform, consumer, product_on_sale, monkeypatch):
    # given
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    for n in range(10):
        _post(consumer, product_on_sale, text=f"第 {n} 次购买，依旧新鲜。")
    # when
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(minutes=61))
    review = _post(consumer, product_on_sale, text="一小时后再评价")
    # then
    assert Review.objects.filter(consumer=consumer).count() == 11
    assert review.status == ReviewStatus.VISIBLE


# -- near-duplicates -----------------------------------------------------------------------------------------------


def test_a_near_copy_of_another_accounts_review_is_flagged_and_folded_with_the_reason(platform, product_on_sale):
    # given
    original = _post(consumer_new(), product_on_sale, text=ORIGINAL)
    # when
    copy = _post(consumer_new(), product_on_sale, text=NEAR_COPY)
    # then
    flag = Flag.objects.get()
    assert (flag.reason, flag.review_id, flag.details["similar_to"]) == (
        FlagReason.NEAR_DUPLICATE, copy.pk, original.pk,
    )
    assert flag.details["similarity"] >= 0.8
    copy.refresh_from_db()
    assert (copy.status, copy.fold_reason) == (ReviewStatus.FOLDED, "待平台审核：与其他账号的评价高度相似")
    assert Fold.objects.get(review=copy).source == FoldSource.INTEGRITY
    assert Review.objects.get(pk=original.pk).status == ReviewStatus.VISIBLE


def test_a_genuinely_different_text_is_not_flagged(platform, product_on_sale):
    # given
    _post(consumer_new(), product_on_sale, text=ORIGINAL)
    # when
    other = _post(consumer_new(), product_on_sale, text=DIFFERENT)
    # then
    assert Flag.objects.count() == 0
    assert Review.objects.get(pk=other.pk).status == ReviewStatus.VISIBLE


def test_the_same_account_repeating_itself_is_not_a_cross_account_duplicate(platform, consumer, product_on_sale):
    # given
    _post(consumer, product_on_sale, text=ORIGINAL)
    # when
    _post(consumer, product_on_sale, text=NEAR_COPY)
    # then
    assert Flag.objects.count() == 0


# -- bursts of new accounts ----------------------------------------------------------------------------------------


def test_five_new_accounts_reviewing_one_product_within_an_hour_are_flagged(platform, product_on_sale):
    # given
    texts = ["口感不错", "很新鲜的菌子", "包装很好", "物流很快", "值得购买"]
    reviews = [_post(consumer_new(joined_days_ago=1), product_on_sale, text=text) for text in texts[:4]]
    assert Flag.objects.count() == 0
    # when
    reviews.append(_post(consumer_new(joined_days_ago=2), product_on_sale, text=texts[4]))
    # then
    flags = Flag.objects.filter(reason=FlagReason.NEW_ACCOUNT_BURST)
    assert sorted(flags.values_list("review_id", flat=True)) == sorted(review.pk for review in reviews)
    assert {flag.details["reviews_in_window"] for flag in flags} == {5}
    assert set(Review.objects.values_list("status", flat=True)) == {ReviewStatus.FOLDED}


def test_old_accounts_reviewing_together_are_not_a_burst(platform, product_on_sale):
    # given
    for n in range(4):
        _post(consumer_new(joined_days_ago=1), product_on_sale, text=f"新账号评价 {n}")
    # when
    _post(consumer_new(joined_days_ago=30), product_on_sale, text="老顾客的评价")
    # then
    assert Flag.objects.count() == 0
    assert set(Review.objects.values_list("status", flat=True)) == {ReviewStatus.VISIBLE}


# -- brushing ------------------------------------------------------------------------------------------------------


def _orders(consumer, merchant, count: int, at: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        Order.objects.create(
            number=f"B{consumer.pk:06d}{n:04d}{merchant.pk:04d}", consumer=consumer, merchant=merchant,
            status=OrderStatus.PAID, total_fen=100, recipient_name="王小明", recipient_phone="13900001111",
            shipping_address="上海市浦东新区张杨路 500 号", placed_at=at,
        )


def test_a_shop_with_three_orders_per_buyer_within_an_hour_is_flagged_once(
    platform, operator, merchant, other_merchant
):
    # given
    now = clock.now()
    buyer, other_buyer = consumer_new(), consumer_new()
    _orders(buyer, merchant, 4, now - dt.timedelta(minutes=10))
    _orders(other_buyer, merchant, 2, now - dt.timedelta(minutes=20))
    _orders(buyer, other_merchant, 2, now - dt.timedelta(minutes=5))
    _orders(other_buyer, other_merchant, 1, now - dt.timedelta(minutes=5))
    # when
    flags = brushing_flag(now=now)
    again = brushing_flag(now=now + dt.timedelta(minutes=1))
    # then
    assert [(flag.reason, flag.merchant_id, flag.details["orders"], flag.details["buyers"]) for flag in flags] == [
        (FlagReason.BRUSHING, merchant.pk, 6, 2),
    ]
    assert again == []
    assert brushing_signals(actor=operator, since=now - dt.timedelta(hours=1), until=now) == [
        {"merchant_id": merchant.pk, "merchant": merchant.name, "orders": 6, "buyers": 2, "ratio": 3.0},
    ]
    assert [flag.pk for flag in flag_list(actor=operator)] == [flags[0].pk]


def test_orders_outside_the_window_do_not_count(platform, merchant):
    # given
    now = clock.now()
    _orders(consumer_new(), merchant, 3, now - dt.timedelta(minutes=61))
    # when
    flags = brushing_flag(now=now)
    # then
    assert flags == []
    assert Flag.objects.count() == 0


def test_merchants_cannot_see_integrity_flags(merchant_actor):
    # when
    with pytest.raises(DomainError) as refused:
        flag_list(actor=merchant_actor)
    # then
    assert refused.value.code == "permission.organization_kind"


# -- operators decide flags ----------------------------------------------------------------------------------------


def test_a_dismissed_flag_shows_the_review_again_and_keeps_the_fold_on_record(platform, operator, product_on_sale):
    # given
    _post(consumer_new(), product_on_sale, text=ORIGINAL)
    copy = _post(consumer_new(), product_on_sale, text=NEAR_COPY)
    flag = Flag.objects.get(review=copy)
    # when
    flag_resolve(actor=operator, flag_id=flag.pk, upheld=False, note="核实为真实买家，措辞巧合")
    # then
    copy.refresh_from_db()
    assert (copy.status, copy.fold_reason) == (ReviewStatus.VISIBLE, "")
    flag.refresh_from_db()
    assert (flag.status, flag.upheld, flag.resolution_note, flag.resolved_by_id) == (
        FlagStatus.RESOLVED, False, "核实为真实买家，措辞巧合", operator.user.pk,
    )
    assert Fold.objects.filter(review=copy).count() == 1
    assert PendingEntry.objects.filter(statement_type="review.unfold").count() == 1


def test_an_upheld_flag_keeps_the_review_folded_and_a_flag_is_decided_once(platform, operator, product_on_sale):
    # given
    _post(consumer_new(), product_on_sale, text=ORIGINAL)
    copy = _post(consumer_new(), product_on_sale, text=NEAR_COPY)
    flag = Flag.objects.get(review=copy)
    # when
    flag_resolve(actor=operator, flag_id=flag.pk, upheld=True, note="确认为搬运他人评价")
    with pytest.raises(DomainError) as refused:
        flag_resolve(actor=operator, flag_id=flag.pk, upheld=False, note="改判")
    # then
    assert refused.value.code == "review.flag_resolved"
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.FOLDED
    assert Flag.objects.get(pk=flag.pk).upheld is True


def test_a_merchant_cannot_decide_flags(platform, merchant_admin, product_on_sale):
    # given
    _post(consumer_new(), product_on_sale, text=ORIGINAL)
    copy = _post(consumer_new(), product_on_sale, text=NEAR_COPY)
    flag = Flag.objects.get(review=copy)
    # when
    with pytest.raises(DomainError) as refused:
        flag_resolve(actor=merchant_admin, flag_id=flag.pk, upheld=False, note="不是刷单")
    # then
    assert refused.value.code == "permission.organization_kind"
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.OPEN
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.FOLDED

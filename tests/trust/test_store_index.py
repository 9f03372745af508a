"""The store trust index: each axis against the median of the merchants of the same main category (50 at the
median), "数据不足" below the minimum sample, and the detailed seller ratings against the same peers."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from xinren.accounts.models import Organization, User
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.orders.models import Offer
from xinren.reviews.models import Reply, Review
from xinren.trust.store_index import (
    axis_value,
    main_categories,
    median_of,
    percent_apart,
    store_index_for,
)

from ..factories import OrganizationFactory, ProductFactory
from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db
_texts = itertools.count(1)


def _shop(category: str = ProductCategory.WILD_MUSHROOM, *, products: int = 1) -> tuple[Organization, Product]:
    merchant = OrganizationFactory()
    made = [ProductFactory(merchant=merchant, category=category) for _ in range(products)]
    Offer.objects.create(merchant=merchant, product=made[0], price_fen=1000, stock=1000)
    return merchant, made[0]


def _sold(
    product: Product,
    consumer: User,
    *,
    lines: int,
    reviews: int = 0,
    ratings: tuple[int, int, int] | None = None,
    reply_seconds: int | None = None,
) -> list[Review]:
    """`lines` delivered lines of the product, the first `reviews` of them reviewed (written directly)."""
    made = []
    now = clock.now()
    for index in range(lines):
        line = line_delivered(consumer, product, delivered_at=now - dt.timedelta(days=3))
        if index >= reviews:
            continue
        description, service, logistics = ratings or (None, None, None)
        review = Review.objects.create(
            line=line,
            consumer=consumer,
            product=product,
            merchant=product.merchant,
            reviewer="r",
            stars=5,
            text=f"评价 {next(_texts)}",
            created_at=now - dt.timedelta(days=2),
            rating_description=description,
            rating_service=service,
            rating_logistics=logistics,
        )
        if reply_seconds is not None:
            Reply.objects.create(
                review=review, merchant=product.merchant, text="谢谢", replied_at=now, reply_seconds=reply_seconds
            )
        made.append(review)
    return made


def _axis(index, key):  # type: ignore[no-untyped-def]
    return next(axis for axis in index.axes if axis.key == key)


def _rating(index, key):  # type: ignore[no-untyped-def]
    return next(rating for rating in index.ratings if rating.key == key)


def test_the_median_is_fifty_and_the_scale_is_bounded() -> None:
    assert axis_value(4, 4, higher_is_better=True) == 50.0
    assert axis_value(8, 4, higher_is_better=True) == 66.7
    assert axis_value(0, 4, higher_is_better=True) == 0.0
    assert axis_value(0, 4, higher_is_better=False) == 100.0
    assert axis_value(8, 4, higher_is_better=False) == 33.3
    assert axis_value(0, 0, higher_is_better=False) == 50.0
    assert axis_value(6, 2, higher_is_better=True) == 75.0
    with pytest.raises(ValueError):
        axis_value(-1, 2, higher_is_better=True)


def test_median_and_percent_apart() -> None:
    assert median_of([]) is None
    assert median_of([3, 1, 2]) == 2.0
    assert median_of([6, 2]) == 4.0
    assert percent_apart(4.8, 4.4) == 9.1
    assert percent_apart(4.0, 4.4) == 9.1
    assert percent_apart(4.0, 0) is None


def test_the_main_category_is_the_one_with_most_products_ties_to_the_lowest_code() -> None:
    # given
    tea_shop, _ = _shop(ProductCategory.TEA, products=2)
    ProductFactory(merchant=tea_shop, category=ProductCategory.WILD_MUSHROOM)
    tied, _ = _shop(ProductCategory.TEA)
    ProductFactory(merchant=tied, category=ProductCategory.HONEY)
    # when
    mains = main_categories([tea_shop.pk, tied.pk])
    # then
    assert mains == {tea_shop.pk: "tea", tied.pk: "honey"}


def test_each_axis_is_scored_against_the_category_median_only() -> None:
    # given: two mushroom shops and a tea shop (not a peer)
    consumer = consumer_new()
    busy, busy_product = _shop()
    quiet, quiet_product = _shop()
    _tea, tea_product = _shop(ProductCategory.TEA)
    _sold(busy_product, consumer, lines=6, reviews=6, reply_seconds=600)
    _sold(quiet_product, consumer, lines=10, reviews=2)
    _sold(tea_product, consumer, lines=8, reviews=8)
    # when
    busy_index, quiet_index = store_index_for(merchant=busy), store_index_for(merchant=quiet)
    # then: review counts 6 and 2, median 4
    assert (busy_index.category, busy_index.peers) == ("wild_mushroom", 2)
    volume = _axis(busy_index, "review_volume")
    assert (volume.value, volume.raw, volume.median, volume.peers_counted) == (60.0, 6.0, 4.0, 2)
    assert volume.inputs == {"reviews": 6, "delivered_lines": 6}
    assert _axis(quiet_index, "review_volume").value == 33.3
    # reply speed: only the busy shop replied 3 or more times, so it is the median and scores 50
    assert (_axis(busy_index, "reply_speed").value, _axis(busy_index, "reply_speed").median) == (50.0, 600.0)
    assert _axis(quiet_index, "reply_speed").value is None
    # return rate: none returned anywhere, both at the median
    assert _axis(busy_index, "return_rate").value == 50.0


def test_a_merchant_with_too_little_data_shows_no_value_and_stays_out_of_the_median() -> None:
    # given
    consumer = consumer_new()
    established, established_product = _shop()
    newcomer, newcomer_product = _shop()
    _sold(established_product, consumer, lines=5, reviews=4)
    _sold(newcomer_product, consumer, lines=1, reviews=1)
    # when
    newcomer_index, established_index = store_index_for(merchant=newcomer), store_index_for(merchant=established)
    # then
    assert all(axis.value is None for axis in newcomer_index.axes)
    assert _axis(established_index, "review_volume").median == 4.0
    assert _axis(established_index, "review_volume").peers_counted == 1
    assert all(rating.average is None and rating.direction is None for rating in newcomer_index.ratings)


def test_a_merchant_without_products_has_no_category_and_no_data() -> None:
    # given
    merchant = OrganizationFactory()
    # when
    index = store_index_for(merchant=merchant)
    # then
    assert (index.category, index.category_label, index.peers, index.has_data) == (None, "", 1, False)


def test_seller_ratings_are_averaged_and_compared_with_the_peers_median() -> None:
    # given: 4.8 (= 5,5,5,5,4) against 4.0, median 4.4
    consumer = consumer_new()
    good, good_product = _shop()
    plain, plain_product = _shop()
    few, few_product = _shop()
    _sold(good_product, consumer, lines=4, reviews=4, ratings=(5, 5, 4))
    _sold(good_product, consumer, lines=1, reviews=1, ratings=(4, 5, 4))
    _sold(plain_product, consumer, lines=3, reviews=3, ratings=(4, 5, 4))
    _sold(few_product, consumer, lines=2, reviews=2, ratings=(1, 1, 1))
    _sold(plain_product, consumer, lines=2, reviews=2)  # reviews from before the ratings were asked
    # when
    good_index, plain_index, few_index = (store_index_for(merchant=m) for m in (good, plain, few))
    # then
    description = _rating(good_index, "description")
    assert (description.average, description.count, description.peer_median) == (4.8, 5, 4.4)
    assert (description.direction, description.percent) == ("above", 9.1)
    below = _rating(plain_index, "description")
    assert (below.average, below.count, below.direction, below.percent) == (4.0, 3, "below", 9.1)
    assert (_rating(good_index, "service").direction, _rating(good_index, "service").percent) == ("level", 0.0)
    assert _rating(few_index, "description").average is None
    assert _rating(few_index, "description").count == 2


def test_the_median_reads_as_a_share_in_per_cent_or_as_its_number() -> None:
    # given
    consumer = consumer_new()
    merchant, product = _shop()
    _sold(product, consumer, lines=5, reviews=5)
    # when
    index = store_index_for(merchant=merchant)
    # then
    assert _axis(index, "return_rate").median_display == "0.0 %"
    assert _axis(index, "review_volume").median_display == "5"
    assert _axis(index, "reply_speed").median_display == "—"

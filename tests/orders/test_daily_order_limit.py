"""Governance's daily order limit: orders of the merchant placed today (Asia/Shanghai) count; one more is refused
with nothing written, by the single order and by the cart checkout alike; two racing for the last slot: one wins."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import RestrictionKind, RestrictionSource
from xinren.accounts.restrictions import restriction_impose
from xinren.core.errors import Conflict, DomainError
from xinren.orders.daily_limit import SHANGHAI, day_bounds
from xinren.orders.models import CartLine, Offer, Order, PaymentGroup

from ..concurrency import race
from ..fixtures.accounts import consumer_with_phone
from .cart_flows import cart_checked_out
from .flows import order_placed


def _limit(merchant, value):  # type: ignore[no-untyped-def]
    restriction_impose(
        organization=merchant,
        kind=RestrictionKind.DAILY_ORDER_LIMIT,
        value=value,
        source=RestrictionSource.PROBATION,
        reason="新手期（规则第 1 版）",
        reference="probation:1",
    )


@pytest.mark.django_db
def test_the_order_past_the_limit_is_refused_and_nothing_is_written(settings, merchant, product_on_sale):
    # given
    settings.XINREN_ORDERS_PER_HOUR = 50
    _limit(merchant, 2)
    buyers = [consumer_with_phone(f"1390000000{n}") for n in range(3)]
    order_placed(buyers[0], product_on_sale)
    order_placed(buyers[1], product_on_sale)
    stock = Offer.objects.get(product=product_on_sale).stock
    # when
    with pytest.raises(Conflict) as refused:
        order_placed(buyers[2], product_on_sale)
    # then
    assert refused.value.code == "order.merchant_daily_limit"
    assert refused.value.details == {"field": "lines", "merchant": "shanye", "limit": 2}
    assert "2" in str(refused.value.message)
    assert Order.objects.count() == 2
    assert Offer.objects.get(product=product_on_sale).stock == stock


@pytest.mark.django_db
def test_yesterdays_orders_do_not_count(settings, merchant, product_on_sale, consumer):
    # given: two orders placed yesterday (Shanghai)
    _limit(merchant, 2)
    order_placed(consumer, product_on_sale)
    order_placed(consumer, product_on_sale)
    start, _end = day_bounds(dt.datetime.now(tz=SHANGHAI))
    Order.objects.update(placed_at=start - dt.timedelta(minutes=1))
    # when
    order_placed(consumer, product_on_sale)
    # then
    assert Order.objects.count() == 3


def test_the_day_is_shanghais():
    # 16:30 UTC is 00:30 the next day in Shanghai
    start, end = day_bounds(dt.datetime(2026, 12, 6, 16, 30, tzinfo=dt.UTC))
    assert start == dt.datetime(2026, 12, 7, tzinfo=SHANGHAI)
    assert end - start == dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_cart_checkout_past_the_limit_writes_nothing(merchant, product_on_sale, other_product_on_sale, consumer):
    # given: one slot left for the merchant; the cart also holds another merchant's tea
    _limit(merchant, 1)
    order_placed(consumer_with_phone("13900000009"), product_on_sale)
    # when
    with pytest.raises(Conflict) as refused:
        cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1))
    # then
    assert refused.value.code == "order.merchant_daily_limit"
    assert Order.objects.count() == 1
    assert PaymentGroup.objects.count() == 0
    assert CartLine.objects.filter(consumer=consumer).count() == 2


@pytest.mark.django_db
def test_no_limit_costs_no_refusal(settings, merchant, product_on_sale, consumer):
    settings.XINREN_ORDERS_PER_HOUR = 50
    for _ in range(5):
        order_placed(consumer, product_on_sale)
    assert Order.objects.filter(merchant=merchant).count() == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_orders_racing_for_the_last_slot(require_postgres, merchant, product_on_sale):
    # given: one slot left
    _limit(merchant, 2)
    order_placed(consumer_with_phone("13900000008"), product_on_sale)
    buyers = [consumer_with_phone(f"1390000000{n}") for n in range(4)]
    # when
    results = race(*(lambda buyer=buyer: order_placed(buyer, product_on_sale) for buyer in buyers))
    # then
    codes = sorted(r.code if isinstance(r, DomainError) else "ok" for r in results)
    assert codes == ["ok"] + ["order.merchant_daily_limit"] * 3
    assert Order.objects.filter(merchant=merchant).count() == 2

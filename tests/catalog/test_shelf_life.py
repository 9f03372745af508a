"""The shelf-life rule: days in Beijing time, the expiry day itself still good, per-category minimums."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from xinren.catalog.choices import ProductCategory, ShelfState
from xinren.catalog.models import Batch, Product
from xinren.catalog.shelf_life import (
    expiry_floor,
    is_sellable,
    local_date,
    rule_for,
    sellable_until,
    shelf_state,
)

UTC = dt.UTC


def _lot(expiry: dt.date | None, category: str = ProductCategory.WILD_MUSHROOM) -> Batch:
    return Batch(product=Product(category=category), lot="L1", production_date=dt.date(2026, 11, 30),
                 expiry_date=expiry, quantity=1)


@pytest.mark.parametrize(
    ("at", "state"),
    [
        (dt.datetime(2026, 12, 1, 16, 0, tzinfo=UTC), ShelfState.FRESH),  # 12-02 00:00 Beijing: 3 days left
        (dt.datetime(2026, 12, 2, 16, 0, tzinfo=UTC), ShelfState.EXPIRING),  # 12-03 00:00: 2 days left
        (dt.datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC), ShelfState.EXPIRING),  # 12-05 23:59:59: the last day
        (dt.datetime(2026, 12, 5, 16, 0, tzinfo=UTC), ShelfState.EXPIRED),  # 12-06 00:00 Beijing
        (dt.datetime(2026, 12, 5, 12, 0, tzinfo=UTC), ShelfState.EXPIRING),  # still 12-05 in Beijing
    ],
)
def test_the_state_turns_at_midnight_in_beijing(at, state):
    assert shelf_state(_lot(dt.date(2026, 12, 5)), at=at) == state


def test_the_day_is_beijings_whatever_the_zone_of_the_moment():
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert local_date(dt.datetime(2026, 12, 5, 11, 30, tzinfo=new_york)) == dt.date(2026, 12, 6)
    assert shelf_state(_lot(dt.date(2026, 12, 5)), at=dt.datetime(2026, 12, 5, 11, 30, tzinfo=new_york)) == (
        ShelfState.EXPIRED
    )


def test_a_lot_without_an_expiry_date_is_always_fresh_and_sellable():
    lot = _lot(None, ProductCategory.HANDICRAFT)
    at = dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert shelf_state(lot, at=at) == ShelfState.FRESH
    assert is_sellable(lot, at=at, shipping_days=30) and sellable_until(
        expiry_date=None, category=ProductCategory.HANDICRAFT, shipping_days=30) is None


def test_fresh_food_must_arrive_with_a_day_left():
    # given: mushrooms (≥ 1 day left at delivery), two days on the road
    lot = _lot(dt.date(2026, 12, 5))
    # then: sold through 12-02 (arrives 12-04, one day left), not on 12-03 (arrives on the expiry day)
    assert sellable_until(expiry_date=lot.expiry_date, category=ProductCategory.WILD_MUSHROOM,
                          shipping_days=2) == dt.date(2026, 12, 2)
    assert is_sellable(lot, at=dt.datetime(2026, 12, 2, 15, 59, tzinfo=UTC), shipping_days=2)  # 12-02 23:59
    assert not is_sellable(lot, at=dt.datetime(2026, 12, 2, 16, 0, tzinfo=UTC), shipping_days=2)  # 12-03 00:00
    assert expiry_floor(category=ProductCategory.WILD_MUSHROOM, at=dt.datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
                        shipping_days=2) == dt.date(2026, 12, 6)


def test_tea_is_not_sold_with_less_than_half_a_year_left():
    lot = _lot(dt.date(2027, 6, 1), ProductCategory.TEA)
    assert rule_for(ProductCategory.TEA).min_remaining_days == 180
    assert is_sellable(lot, at=dt.datetime(2026, 11, 30, tzinfo=UTC), shipping_days=2)
    assert not is_sellable(lot, at=dt.datetime(2026, 12, 2, tzinfo=UTC), shipping_days=2)


@override_settings(XINREN_SHELF_LIFE={"wild_mushroom": {"min_remaining_days": 3, "expiring_days": 5}})
def test_settings_override_a_categorys_rule():
    assert rule_for(ProductCategory.WILD_MUSHROOM).min_remaining_days == 3
    assert shelf_state(_lot(dt.date(2026, 12, 5)), at=dt.datetime(2026, 12, 1, tzinfo=UTC)) == ShelfState.EXPIRING
    assert rule_for(ProductCategory.TEA).min_remaining_days == 180  # others keep their default

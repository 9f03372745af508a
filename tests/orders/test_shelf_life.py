"""Nothing expired is sold: stock counts only items that arrive within their shelf life; placing and shipping
refuse the rest; the shop and the console say why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from xinren.catalog.models import Batch, Item, Product
from xinren.catalog.shelf_life import local_date
from xinren.coldchain.services import promise_set
from xinren.core.errors import Conflict
from xinren.orders import errors
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Offer, Order, Shipment, ShipmentItem
from xinren.orders.selectors import items_available_for_line
from xinren.orders.stock import availability_of

from ..factories import BatchFactory, ItemFactory
from ..fixtures.accounts import browser_of
from .flows import lot_harvested, order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return local_date(timezone.now())


def _lot(product: Product, *, days_left: int, items: int, lot: str) -> tuple[Batch, list[Item]]:
    """A lot of the product whose expiry date is `days_left` days from today (Beijing), with serials <lot>-n."""
    batch = BatchFactory(product=product, lot=lot, production_date=_today() - dt.timedelta(days=30),
                         expiry_date=_today() + dt.timedelta(days=days_left))
    return batch, [ItemFactory(batch=batch, serial=f"{lot}{n}") for n in range(1, items + 1)]


@pytest.fixture
def mixed(product: Product, offer: Offer) -> dict[str, list[Item]]:
    """Mushrooms, five in stock: three items of a lot that expired yesterday, two of a lot with ten days left."""
    _old, expired = _lot(product, days_left=-1, items=3, lot="OLD")
    _new, fresh = _lot(product, days_left=10, items=2, lot="NEW")
    return {"expired": expired, "fresh": fresh}


def test_stock_counts_only_items_of_lots_within_their_shelf_life(offer, mixed):
    available = availability_of(offer)
    assert (available.stock, available.sellable, available.expired, available.expiring, available.stopped) == (
        5, 2, 3, 0, "")


def test_an_order_beyond_the_fresh_items_is_refused_and_changes_nothing(consumer, product, offer, mixed):
    # when
    with pytest.raises(Conflict) as refused:
        order_placed(consumer, product, 3)
    # then
    assert refused.value.code == errors.OUT_OF_STOCK
    assert str(refused.value.message) == f"库存不足：{product.name} 仅剩 2 件"
    assert refused.value.details["available"] == 2
    assert Offer.objects.get(pk=offer.pk).stock == 5 and not Order.objects.exists()


def test_open_orders_hold_fresh_items(consumer, product, offer, mixed):
    # given
    order_placed(consumer, product, 1)
    # then: one fresh item left, and the offer's own count went down by one
    available = availability_of(Offer.objects.get(pk=offer.pk))
    assert (available.stock, available.sellable) == (4, 1)


def test_a_product_whose_lots_all_expired_stops_selling(consumer, product, offer):
    # given: the matsutake case, thirteen in stock but every item expired
    Offer.objects.filter(pk=offer.pk).update(stock=13)
    _lot(product, days_left=-1, items=13, lot="XG")
    # when
    with pytest.raises(Conflict) as refused:
        order_placed(consumer, product, 1)
    # then
    assert refused.value.code == errors.OFFER_EXPIRED == "offer.shelf_life"
    assert str(refused.value.message) == f"“{product.name}”已过保质期，停止销售"
    assert Offer.objects.get(pk=offer.pk).stock == 13 and not Order.objects.exists()


def test_a_lot_that_would_arrive_on_its_last_day_is_not_sold(product, offer):
    # given: mushrooms need a day left at delivery, two days on the road by default
    _lot(product, days_left=2, items=4, lot="SHORT")
    # then
    available = availability_of(offer)
    assert (available.sellable, available.expiring, available.stopped) == (0, 4, "too_short")
    assert available.stop_label == "临近保质期，停止销售"


def test_a_lot_with_just_enough_days_left_is_sold(product, offer):
    _lot(product, days_left=3, items=4, lot="JUST")
    assert availability_of(offer).sellable == 4


def test_a_faster_delivery_promise_sells_a_lot_longer(merchant_admin, product, offer):
    # given: a 24-hour origin-to-table promise, so one day on the road
    batch, _items = _lot(product, days_left=2, items=4, lot="FAST")
    lot_harvested(merchant_admin, batch)
    promise_set(actor=merchant_admin, product_id=product.pk, hours=24, text="24小时到家")
    # then
    assert availability_of(offer).sellable == 4


def test_a_product_without_serialized_items_is_counted_by_the_offer(offer):
    available = availability_of(offer)
    assert (available.tracked, available.sellable, available.stopped) == (False, 5, "")


# -- shipping ---------------------------------------------------------------------------------------------------------


def test_shipping_an_expired_item_is_refused_with_its_serial_and_date(merchant_actor, consumer, product, offer, mixed):
    # given: a paid order of one (there are fresh items to sell)
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    expired = mixed["expired"][0]
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()
    # when
    with pytest.raises(Conflict) as refused:
        order_shipped(merchant_actor, order, [expired])
    # then
    assert refused.value.code == errors.SHIPMENT_ITEM_EXPIRED
    assert str(refused.value.message) == f"单品 OLD1（批号 OLD）已于 {yesterday} 过保质期，不能发货，请换一件"
    assert refused.value.details == {"field": "items", "serial": "OLD1", "lot": "OLD", "expiry_date": yesterday}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert not Shipment.objects.exists() and not ShipmentItem.objects.exists()


def test_shipping_an_item_that_would_arrive_too_late_is_refused(merchant_actor, consumer, product, offer, mixed):
    # given
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    _batch, short = _lot(product, days_left=2, items=1, lot="SHORT")
    # when
    with pytest.raises(Conflict) as refused:
        order_shipped(merchant_actor, order, short)
    # then
    expiry = (_today() + dt.timedelta(days=2)).isoformat()
    assert str(refused.value.message) == (
        f"单品 SHORT1（批号 SHORT）保质期至 {expiry}，送达时剩余保质期不足 1 天，不能发货，请换一件"
    )
    assert not Shipment.objects.exists()


def test_shipping_a_fresh_item_goes_through(merchant_actor, consumer, product, offer, mixed):
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    shipment = order_shipped(merchant_actor, order, mixed["fresh"][:1])
    assert [row.item.serial for row in shipment.items.all()] == ["NEW1"]


# -- pages ------------------------------------------------------------------------------------------------------------


def test_the_shop_says_an_expired_product_stopped_selling_rather_than_its_stock(product, offer):
    # given
    Offer.objects.filter(pk=offer.pk).update(stock=13)
    _lot(product, days_left=-1, items=13, lot="XG")
    # when
    listing = Client().get("/shop/").content.decode()
    page = Client().get(f"/shop/products/{product.pk}/").content.decode()
    # then
    assert "已过保质期，停止销售" in listing and "仅剩" not in listing
    assert "已过保质期，停止销售" in page and "13 件" not in page and "提交订单" not in page


def test_the_shop_shows_only_the_fresh_count(product, offer, mixed):
    listing = Client().get("/shop/").content.decode()
    page = Client().get(f"/shop/products/{product.pk}/").content.decode()
    assert "仅剩 2 件" in listing
    assert "2 件" in page and "5 件" not in page


def test_the_console_counts_expired_and_expiring_items(merchant_actor, product, offer, mixed):
    # given
    _lot(product, days_left=1, items=4, lot="SOON")
    # when
    html = browser_of(merchant_actor.user).get("/merchant/offers/").content.decode()
    # then
    assert "已过期 3 件" in html and "即将过期 4 件" in html and "（填写 5）" in html


def test_the_ship_form_offers_only_items_that_may_still_ship(merchant_actor, consumer, product, offer, mixed):
    # given
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    # when
    offered = items_available_for_line(actor=merchant_actor, line=order.lines.get())
    # then
    assert [item.serial for item in offered] == ["NEW1", "NEW2"]

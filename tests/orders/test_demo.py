"""The demo orders load on top of the demo world, through the services."""

from __future__ import annotations

import pytest

from xinren.accounts.consumers import consumer_authenticate
from xinren.catalog.models import Item
from xinren.orders.demo import CONSUMERS, DEMO_CONSUMER_PASSWORD
from xinren.orders.models import Offer, Order, Shipment, ShipmentItem
from xinren.orders.selectors import item_purchase_for_user
from xinren.orders.tracking import parcel_tracking
from xinren.trace.selectors import events_for_item

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_state(demo_world):
    # given: the demo world, whose orders came with it
    # then
    assert sorted(Offer.objects.values_list("price_fen", "active")) == [
        (6800, True), (12800, True), (39800, True), (45800, True)
    ]
    # (the demo reviews add delivered orders of their own buyers; these are the four signed-in demo consumers')
    phones = [phone for phone, *_ in CONSUMERS]
    orders = Order.objects.filter(consumer__phone__in=phones)
    assert sorted(orders.values_list("status", flat=True)) == [
        "delivered", "delivered", "paid", "pending_payment", "shipped"
    ]
    assert sorted(Shipment.objects.filter(order__in=orders).values_list("delivery_confirmed_by", flat=True)) == [
        "", "consumer", "logistics"
    ]
    assert ShipmentItem.objects.filter(shipment__order__in=orders).count() == 4
    consumer = consumer_authenticate(phone="13800000001", password=DEMO_CONSUMER_PASSWORD)
    shipped = ShipmentItem.objects.filter(shipment__order__consumer=consumer).select_related("item").first()
    assert shipped is not None
    assert item_purchase_for_user(user=consumer, item=shipped.item) == shipped.line
    # (this consumer's parcel is delivered: its trail ends with the carrier's updates and the receipt the delivery
    # recorded)
    trail = list(events_for_item(item=shipped.item))
    assert [e.biz_step for e in trail][-6:] == [
        "storing", "shipping", "departing", "arriving", "out_for_delivery", "receiving"
    ]
    assert trail[-1] == shipped.shipment.receipt_event
    # and the first item of each lot keeps its plain history
    first = Item.objects.filter(product__category="wild_mushroom").first()
    assert first is not None and not ShipmentItem.objects.filter(item=first).exists()
    # and each shipped parcel has a timeline of hubs and the last mile, with a delivery estimate
    timelines = {
        shipment.order.status: parcel_tracking(shipment=shipment)
        for shipment in Shipment.objects.filter(order__in=orders).select_related("order")
        if shipment.delivery_confirmed_by != "consumer"
    }
    delivered, in_transit = timelines["delivered"], timelines["shipped"]
    assert [s.kind for s in delivered.steps] == [
        "delivered", "out_for_delivery", "arriving", "departing", "shipping"
    ]
    assert [s.title for s in delivered.steps][2:4] == ["到达 滇冷链上海浦东张江站", "离开 滇冷链上海分拨中心"]
    assert (delivered.estimate.state, delivered.coldchain_state) == ("on_time", "ok")
    assert [s.kind for s in in_transit.steps] == ["arriving", "departing", "shipping"]
    assert (in_transit.estimate.state, in_transit.coldchain_state) == ("pending", "ok")
    assert in_transit.estimate.summary.startswith("预计 ")

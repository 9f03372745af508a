"""Shipping names the serialized items; the trace records it; delivery is confirmed by logistics or consumer."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.catalog.models import PartnerGrant
from xinren.coldchain.selectors import promise_results_for_batch
from xinren.coldchain.services import promise_set
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.orders.choices import DeliveryConfirmedBy, OrderStatus, ShipmentStatus
from xinren.orders.models import Order, OrderStatusChange, Shipment, ShipmentItem
from xinren.orders.selectors import (
    item_purchase_for_user,
    items_available_for_line,
    line_reviewable_get,
    partner_shipment_list,
)
from xinren.orders.services import order_delivery_confirm, order_ship, shipment_deliver_by_partner
from xinren.trace.models import EventSubject, TraceEvent
from xinren.trace.selectors import events_for_item
from xinren.trace.services import event_record

from ..factories import BatchFactory, ItemFactory, OrganizationFactory, ProductFactory, actor_for, legacy_grant
from .flows import order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db


def test_shipping_names_the_items_and_records_an_epcis_shipping_event(merchant_actor, paid_order, items):
    # when
    shipment = order_shipped(merchant_actor, paid_order, items[:2])
    # then
    order = Order.objects.get(pk=paid_order.pk)
    assert (order.status, order.shipped_at) == (OrderStatus.SHIPPED, shipment.shipped_at)
    assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
        "顺丰速运", "SF1234567890", ShipmentStatus.IN_TRANSIT
    )
    assert [row.item for row in ShipmentItem.objects.filter(shipment=shipment)] == items[:2]
    event = TraceEvent.objects.get()
    assert shipment.trace_event == event
    assert (event.organization, event.event_type, event.biz_step, event.disposition, event.action) == (
        merchant_actor.organization, "ObjectEvent", "shipping", "in_transit", "OBSERVE"
    )
    assert sorted(EventSubject.objects.filter(event=event).values_list("item__serial", flat=True)) == [
        "SN0001", "SN0002"
    ]
    assert event.event_time_zone_offset == "+08:00"
    # the items' public pages must be re-published with the new event
    assert set(PageRefresh.objects.filter(kind="item").values_list("object_id", flat=True)) == {
        items[0].pk, items[1].pk
    }
    assert [e.biz_step for e in events_for_item(item=items[0])] == ["shipping"]
    assert list(OrderStatusChange.objects.filter(order=order).values_list("to_status", flat=True)) == [
        "pending_payment", "paid", "shipped"
    ]


def test_items_can_be_given_as_serials_or_full_uris(settings, merchant_actor, paid_order, items):
    # when
    shipment = order_ship(
        actor=merchant_actor, order_number=paid_order.number,
        codes=["SN0003", items[3].digital_link.uri(settings.XINREN_RESOLVER)], carrier="顺丰速运",
        tracking_number="SF1234567890",
    )
    # then
    assert sorted(shipment.items.values_list("item__serial", flat=True)) == ["SN0003", "SN0004"]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["SN0001"], "“楚雄野生牛肝菌 500g”应发 2 件，实际选择了 1 件"),
        (["SN0001", "SN0002", "SN0003"], "“楚雄野生牛肝菌 500g”应发 2 件，实际选择了 3 件"),
        (["SN0001", "SN0001"], "单品 SN0001 重复了"),
        (["SN0001", "NOPE99"], "找不到单品 NOPE99，或它不是本订单的商品"),
        ([], "请选择或扫描发出的单品"),
        (["批号"], "只能使用 1–20 位字母、数字和 GS1 允许的符号"),
    ],
)
def test_the_items_must_match_the_order_exactly(merchant_actor, paid_order, items, codes, message):
    # when
    with pytest.raises(InvalidInput) as caught:
        order_ship(
            actor=merchant_actor, order_number=paid_order.number, codes=codes, carrier="顺丰速运",
            tracking_number="SF1234567890",
        )
    # then
    assert (caught.value.code, str(caught.value.message)) == ("shipment.items_invalid", message)
    assert Shipment.objects.count() == 0
    assert TraceEvent.objects.count() == 0
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID


def test_a_lot_level_code_or_another_products_item_is_refused(merchant, merchant_actor, paid_order, items, batch):
    # given an item of another product of the same merchant
    stranger = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=merchant)), serial="OTHER1")
    for codes in ([batch.digital_link.path, "SN0001"], ["SN0001", stranger.digital_link.path]):
        # when
        with pytest.raises(InvalidInput):
            order_ship(
                actor=merchant_actor, order_number=paid_order.number, codes=codes, carrier="顺丰速运",
                tracking_number="SF1234567890",
            )
    # then
    assert Shipment.objects.count() == 0


def test_an_item_is_sold_once(merchant_actor, consumer, other_consumer, product, offer, paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    second = order_placed(other_consumer, product)
    order_paid(other_consumer, second)
    # when
    with pytest.raises(Conflict) as caught:
        order_shipped(merchant_actor, second, [items[1]])
    # then
    assert caught.value.code == "shipment.item_already_shipped"
    assert caught.value.details == {"field": "items", "serials": ["SN0002"]}
    assert Shipment.objects.count() == 1
    assert list(items_available_for_line(actor=merchant_actor, line=second.lines.get())) == items[2:]


def test_only_paid_orders_ship(merchant_actor, consumer, product, offer, items):
    # given
    order = order_placed(consumer, product)
    # when
    with pytest.raises(Conflict) as caught:
        order_shipped(merchant_actor, order, items[:1])
    # then
    assert caught.value.code == "order.transition_invalid"
    assert TraceEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"carrier": " "}, "carrier"), ({"tracking_number": "SF 12"}, "tracking_number")],
)
def test_carrier_and_tracking_number_are_checked(merchant_actor, paid_order, items, fields, field):
    with pytest.raises(InvalidInput) as caught:
        order_shipped(merchant_actor, paid_order, items[:2], **fields)
    assert caught.value.details == {"field": field}
    assert Shipment.objects.count() == 0


def test_shipping_time_can_be_back_dated_a_little_but_not_forward(merchant_actor, paid_order, items):
    # given an order paid yesterday
    now = clock.now()
    Order.objects.filter(pk=paid_order.pk).update(paid_at=now - dt.timedelta(days=1))
    codes = [item.digital_link.path for item in items[:2]]
    # then the future, more than 7 days back, and before the payment are refused
    for shipped_at in (now + dt.timedelta(hours=1), now - dt.timedelta(days=8), now - dt.timedelta(days=2)):
        with pytest.raises(InvalidInput) as caught:
            order_ship(actor=merchant_actor, order_number=paid_order.number, codes=codes, carrier="顺丰速运",
                       tracking_number="SF1234567890", shipped_at=shipped_at)
        assert caught.value.details == {"field": "shipped_at"}
    # and three hours ago is fine
    earlier = now - dt.timedelta(hours=3)
    shipment = order_ship(actor=merchant_actor, order_number=paid_order.number, codes=codes, carrier="顺丰速运",
                          tracking_number="SF1234567890", shipped_at=earlier)
    assert shipment.shipped_at == earlier
    assert shipment.trace_event is not None and shipment.trace_event.event_time == earlier


def test_other_merchants_viewers_and_partners_cannot_ship(merchant, other_actor, logistics_actor, paid_order, items):
    for actor, error in ((other_actor, NotFound), (actor_for(merchant, Role.VIEWER), PermissionDenied),
                         (logistics_actor, PermissionDenied)):
        with pytest.raises(error):
            order_shipped(actor, paid_order, items[:2])
    assert Shipment.objects.count() == 0
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID


def test_the_consumer_confirms_delivery(merchant_actor, consumer, paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    # when
    order = order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    # then
    shipment = Shipment.objects.get()
    assert order.status == OrderStatus.DELIVERED and order.delivered_at == shipment.delivered_at
    assert (shipment.status, shipment.delivery_confirmed_by, shipment.confirmed_by_user) == (
        ShipmentStatus.DELIVERED, DeliveryConfirmedBy.CONSUMER, consumer
    )
    # and a second confirmation is refused
    with pytest.raises(Conflict):
        order_delivery_confirm(consumer=consumer, order_number=paid_order.number)


def test_a_buyers_confirmation_is_a_receiving_event_the_platform_signs(merchant_actor, consumer, paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    # when
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    # then: the delivered items' trail ends at the buyer, vouched for by the platform (created when absent)
    shipment = Shipment.objects.get()
    receipt = shipment.receipt_event
    assert receipt is not None and receipt.ledger_leaf_hash
    assert (receipt.biz_step, receipt.event_type, receipt.organization.kind, receipt.recorded_by) == (
        "receiving", "ObjectEvent", "platform", consumer
    )
    assert receipt.event_time == shipment.delivered_at
    assert sorted(EventSubject.objects.filter(event=receipt).values_list("item__serial", flat=True)) == [
        "SN0001", "SN0002"
    ]
    # no place: the buyer's address never enters the log
    assert (receipt.place, receipt.biz_location, receipt.read_point) == (None, "", "")
    assert [e.biz_step for e in events_for_item(item=items[0])][-2:] == ["shipping", "receiving"]


def test_a_promise_is_measured_to_the_buyers_confirmation(merchant_actor, consumer, paid_order, items, batch):
    # given: harvested, a 48-hour promise, shipped two hours later
    start = clock.now() - dt.timedelta(hours=30)
    event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="harvesting", event_time=start,
                 identifiers=[batch.digital_link.path])  # fmt: skip
    promise_set(actor=merchant_actor, product_id=batch.product_id, hours=48, text="48小时从产地到餐桌")
    order_shipped(merchant_actor, paid_order, items[:2])
    assert [(r.pending, r.kept) for r in promise_results_for_batch(batch=batch)] == [(2, 0)]
    # when
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    # then: both units arrived about 30 hours after the harvest
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.kept, result.pending, result.unconfirmed, result.outcome) == (2, 0, 0, "kept")
    assert result.measured_hours is not None and 29.9 <= result.measured_hours <= 30.1


def test_a_late_confirmation_by_the_buyer_breaks_no_promise(merchant_actor, consumer, paid_order, items, batch):
    # given: harvested 60 hours ago, a 48-hour promise
    event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="harvesting",
                 event_time=clock.now() - dt.timedelta(hours=60), identifiers=[batch.digital_link.path])  # fmt: skip
    promise_set(actor=merchant_actor, product_id=batch.product_id, hours=48, text="48小时从产地到餐桌")
    order_shipped(merchant_actor, paid_order, items[:2])
    # when the buyer confirms now
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    # then: the parcel may have arrived well before the buyer said so; the delivery time is unverified, not late
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.kept, result.broken, result.unconfirmed, result.outcome, result.measured_hours) == (
        0, 0, 2, None, None
    )


def test_a_refused_confirmation_records_no_receipt(consumer, other_consumer, merchant_actor, paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    # when someone else tries
    with pytest.raises(NotFound):
        order_delivery_confirm(consumer=other_consumer, order_number=paid_order.number)
    # then
    assert list(TraceEvent.objects.values_list("biz_step", flat=True)) == ["shipping"]


def test_the_consumer_cannot_confirm_before_shipping_or_for_others(consumer, other_consumer, paid_order):
    with pytest.raises(Conflict):
        order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    with pytest.raises(NotFound):
        order_delivery_confirm(consumer=other_consumer, order_number=paid_order.number)
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID


def test_a_granted_logistics_organization_confirms_delivery(
    merchant_admin, logistics, logistics_actor, paid_order, items
):
    # given the merchant granted the logistics firm and named it as the carrier
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    shipment = order_shipped(merchant_admin, paid_order, items[:2], carrier_organization=logistics.slug)
    assert list(partner_shipment_list(actor=logistics_actor)) == [shipment]
    # when
    shipment_deliver_by_partner(actor=logistics_actor, shipment_id=shipment.pk)
    # then
    shipment.refresh_from_db()
    assert (shipment.status, shipment.delivery_confirmed_by, shipment.confirmed_by_organization) == (
        ShipmentStatus.DELIVERED, DeliveryConfirmedBy.LOGISTICS, logistics
    )
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.DELIVERED
    assert list(partner_shipment_list(actor=logistics_actor)) == []
    # and the carrier signed the receiving event itself
    receipt = TraceEvent.objects.get(biz_step="receiving")
    assert (shipment.receipt_event, receipt.organization) == (receipt, logistics)
    assert EventSubject.objects.filter(event=receipt).count() == 2


def test_logistics_without_a_grant_or_not_the_named_carrier_finds_nothing(
    merchant_admin, logistics, logistics_actor, paid_order, items
):
    # given a shipment by a merchant that has not granted this firm
    shipment = order_shipped(merchant_admin, paid_order, items[:2])
    # then
    with pytest.raises(NotFound):
        shipment_deliver_by_partner(actor=logistics_actor, shipment_id=shipment.pk)
    # and once granted, but another carrier was named, still nothing
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    rival = OrganizationFactory(kind="logistics", slug="rival")
    PartnerGrant.objects.create(owner=merchant_admin.organization, partner=rival, legacy_all_products=True)
    Shipment.objects.filter(pk=shipment.pk).update(carrier_organization=rival)
    with pytest.raises(NotFound):
        shipment_deliver_by_partner(actor=logistics_actor, shipment_id=shipment.pk)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.IN_TRANSIT


def test_only_a_granted_logistics_firm_can_be_named_carrier(merchant_actor, logistics, paid_order, items):
    with pytest.raises(InvalidInput) as caught:
        order_shipped(merchant_actor, paid_order, items[:2], carrier_organization=logistics.slug)
    assert caught.value.details == {"field": "carrier_organization"}
    assert Shipment.objects.count() == 0


def test_a_merchant_cannot_confirm_delivery_as_a_partner(merchant_actor, paid_order, items):
    shipment = order_shipped(merchant_actor, paid_order, items[:2])
    with pytest.raises(PermissionDenied):
        shipment_deliver_by_partner(actor=merchant_actor, shipment_id=shipment.pk)


def test_this_is_the_item_you_bought(merchant_actor, consumer, other_consumer, paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    line = paid_order.lines.get()
    # then
    assert item_purchase_for_user(user=consumer, item=items[0]) == line
    assert item_purchase_for_user(user=consumer, item=items[2]) is None
    assert item_purchase_for_user(user=other_consumer, item=items[0]) is None
    from django.contrib.auth.models import AnonymousUser

    assert item_purchase_for_user(user=AnonymousUser(), item=items[0]) is None


def test_a_line_is_reviewable_once_delivered_and_only_by_its_buyer(merchant_actor, consumer, other_consumer,
                                                                  paid_order, items):
    # given
    order_shipped(merchant_actor, paid_order, items[:2])
    line = paid_order.lines.get()
    # then
    with pytest.raises(Conflict) as caught:
        line_reviewable_get(consumer=consumer, line_id=line.pk)
    assert caught.value.code == "order_line.not_delivered"
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    assert line_reviewable_get(consumer=consumer, line_id=line.pk) == line
    with pytest.raises(NotFound):
        line_reviewable_get(consumer=other_consumer, line_id=line.pk)

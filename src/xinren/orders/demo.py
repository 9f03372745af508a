"""Demo offers, consumers and orders, made through the same services people use.

Called by the demo loader after its products, lots, items and partner grants exist. Items for the demo shipments
are taken from the newest end of each product's stock, so the first item of every lot keeps its plain history.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from zoneinfo import ZoneInfo

from xinren.accounts.actors import Actor
from xinren.accounts.consumers import consumer_signup
from xinren.accounts.models import Membership, Organization, User
from xinren.catalog.models import Item, Product
from xinren.coldchain.services import leg_open, readings_ingest
from xinren.core import clock
from xinren.orders.models import Order, Shipment, ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.trace.models import Place
from xinren.trace.services import place_create

from .services import (
    LineRequest,
    offer_save,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
    shipment_deliver_by_partner,
    shipment_update_post,
)

# The same password as the demo's merchant and partner logins.
DEMO_CONSUMER_PASSWORD = "xinren-demo-2026"
LOGISTICS_SLUG = "dianleng-logistics"

# GTIN-13 -> (price in fen, stock)
OFFERS = {
    "6975830100012": (12800, 40),
    "6975830100029": (39800, 20),
    "6975830200019": (45800, 60),
    "6975830300016": (6800, 100),
}
# phone, recipient name, address
CONSUMERS = [
    ("13800000001", "王小明", "上海市浦东新区张杨路 500 号 12 楼"),
    ("13800000002", "李娜", "北京市朝阳区建国路 88 号 3 单元 601"),
    ("13800000003", "陈晓燕", "广东省广州市天河区体育西路 103 号"),
    ("13800000004", "刘建国", "四川省成都市武侯区人民南路四段 27 号"),
]
# consumer index, GTIN-13, quantity, what happens: "pending", "paid", "shipped", "delivered_by_logistics",
# "delivered_by_consumer"
ORDERS = [
    (0, "6975830100012", 1, "delivered_by_logistics"),
    (0, "6975830300016", 2, "shipped"),
    (1, "6975830100029", 1, "paid"),
    (2, "6975830200019", 1, "delivered_by_consumer"),
    (3, "6975830300016", 1, "pending"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The parcels' journeys (docs/tracking.md), by index in ORDERS, in hours before the demo is loaded: when the order
# was placed and shipped, the carrier's updates (status, hours ago, place key or ""), and the delivery. The
# parcels leave the Shanghai hub, where the lots' histories end, after the newest lot arrived there.
JOURNEYS: dict[int, dict[str, Any]] = {
    0: {"placed": 5.4, "shipped": 5.0, "updates": [
        ("departed", 4.7, "shanghai-hub"), ("arrived", 2.8, "zhangjiang"), ("out_for_delivery", 2.0, "zhangjiang"),
        ("delivered", 1.2, ""),
    ], "coldchain": (4.0, 1.2)},
    1: {"placed": 8.3, "shipped": 8.0, "updates": [
        ("departed", 7.5, "shanghai-hub"), ("arrived", 1.0, "zhangjiang"),
    ], "coldchain": (4.0, 0.1)},
    3: {"placed": 50.5, "shipped": 50.0, "updates": [
        ("departed", 49.0, "shanghai-hub"), ("in_transit", 36.0, ""), ("arrived", 28.0, "guangzhou-hub"),
        ("departed", 8.0, "guangzhou-hub"), ("out_for_delivery", 5.0, "guangzhou-hub"),
    ], "confirmed": 3.0},
}
# The carrier's places besides the hubs of the demo data: the last-mile station in Pudong and the Guangzhou hub.
JOURNEY_PLACES = {
    "zhangjiang": ("滇冷链上海浦东张江站", "31.204", "121.590", "上海市浦东新区张江镇"),
    "guangzhou-hub": ("滇冷链广州分拨中心", "23.186", "113.360", "广东省广州市白云区太和镇"),
}


def _owner_actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=membership.role, user=membership.user)


def _pay(consumer: User, order: Order) -> None:
    payment = payment_start(consumer=consumer, order_number=order.number, return_url=f"/shop/orders/{order.number}/")
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    payment_refresh(payment_id=payment.pk)


def _ship(actor: Actor, order: Order) -> Shipment:
    codes: list[str] = []
    for line in order.lines.all():
        items = (
            Item.objects.filter(product_id=line.product_id)
            .exclude(pk__in=ShipmentItem.objects.values("item_id"))
            .select_related("batch", "product")
            .order_by("-id")[: line.quantity]
        )
        codes += [item.digital_link.path for item in items]
    return order_ship(
        actor=actor,
        order_number=order.number,
        codes=codes,
        carrier="滇冷链物流",
        tracking_number=f"DL{order.number[-10:]}",
        carrier_organization_slug=LOGISTICS_SLUG,
    )


def _places(carrier: Actor) -> dict[str, Place]:
    places = {"shanghai-hub": Place.objects.get(organization=carrier.organization, name="滇冷链上海分拨中心")}
    for key, (name, lat, lng, address) in JOURNEY_PLACES.items():
        places[key] = place_create(actor=carrier, name=name, latitude=lat, longitude=lng, address=address)
    return places


def _readings(start: dt.datetime, end: dt.datetime, centre: float, device: str) -> list[dict[str, Any]]:
    """The carrier's logger in the parcel: a reading every 10 minutes, within the product's range."""
    readings = []
    at = start + dt.timedelta(minutes=5)
    while at <= end:
        minute = (at - start).total_seconds() / 60
        value = round(centre + 0.7 * math.sin(minute / 37), 1)
        readings.append({"sensorMetadata": {"time": at.isoformat(), "deviceID": device},
                         "sensorReport": [{"type": "Temperature", "value": value, "uom": "CEL"}]})
        at += dt.timedelta(minutes=10)
    return readings


def _journey(*, journey: dict[str, Any], shipment: Shipment, carrier: Actor, places: dict[str, Place],
             now: dt.datetime) -> None:
    """The carrier's updates (through the service its API calls) and the parcel's cold-chain logger."""
    def ago(hours: float) -> dt.datetime:
        return (now - dt.timedelta(hours=hours)).astimezone(SHANGHAI)

    if "coldchain" in journey and shipment.trace_event is not None:
        centre, until = journey["coldchain"]
        for leg in leg_open(actor=carrier, shipping_event_id=shipment.trace_event.event_id):
            device = f"urn:epc:id:giai:6975830.{8000 + leg.pk}"
            readings_ingest(actor=carrier, leg_id=leg.pk, readings=_readings(leg.departed_at, ago(until), centre,
                                                                              device))
    for number, (status, hours, place) in enumerate(journey["updates"], start=1):
        shipment_update_post(
            actor=carrier, shipment_id=shipment.pk, update_id=f"{shipment.tracking_number}-{number}", status=status,
            at=ago(hours), place_id=places[place].pk if place and status != "delivered" else None,
        )


def _played(now: dt.datetime, journey: dict[str, Any] | None, moment: str) -> AbstractContextManager[None]:
    """Run as if it were that moment of the parcel's journey; now when the order has none."""
    if journey is None or moment not in journey:
        return nullcontext()
    return clock.played_at(now - dt.timedelta(hours=journey[moment]))


def demo_orders_load() -> None:
    """Offers for the demo products, four consumers (password DEMO_CONSUMER_PASSWORD) and orders in each state.

    Order, payment and shipping times come from the services' own clock: an order cannot be back-dated, and its
    shipment cannot precede its payment.
    """
    products = {product.gtin[1:]: product for product in Product.objects.select_related("merchant")}
    merchants: dict[int, Actor] = {}
    for gtin13, (price_fen, stock) in OFFERS.items():
        product = products[gtin13]
        actor = merchants.setdefault(product.merchant_id, _owner_actor(product.merchant))
        offer_save(actor=actor, product_id=product.pk, price_fen=price_fen, stock=stock)
    consumers = [
        consumer_signup(phone=phone, password=DEMO_CONSUMER_PASSWORD) for phone, _name, _address in CONSUMERS
    ]
    logistics = _owner_actor(Organization.objects.get(slug=LOGISTICS_SLUG))
    places = _places(logistics)
    now = clock.now()
    for index, (who, gtin13, quantity, outcome) in enumerate(ORDERS):
        _phone, name, address = CONSUMERS[who]
        consumer = consumers[who]
        product = products[gtin13]
        journey = JOURNEYS.get(index)
        with _played(now, journey, "placed"):
            order = order_place(
                consumer=consumer,
                lines=[LineRequest(product_id=product.pk, quantity=quantity)],
                recipient_name=name,
                recipient_phone=consumer.phone or "",
                shipping_address=address,
            )
            if outcome == "pending":
                continue
            _pay(consumer, order)
        if outcome == "paid":
            continue
        with _played(now, journey, "shipped"):
            shipment = _ship(merchants[product.merchant_id], order)
        if journey:
            _journey(journey=journey, shipment=shipment, carrier=logistics, places=places, now=now)
        delivered = Shipment.objects.filter(pk=shipment.pk, delivered_at__isnull=False).exists()
        if outcome == "delivered_by_logistics" and not delivered:
            shipment_deliver_by_partner(actor=logistics, shipment_id=shipment.pk)
        elif outcome == "delivered_by_consumer":
            with _played(now, journey, "confirmed"):
                order_delivery_confirm(consumer=consumer, order_number=order.number)

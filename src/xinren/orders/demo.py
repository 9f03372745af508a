"""Demo offers, consumers and orders, made through the same services people use.

Called by the demo loader after its products, lots, items and partner grants exist. Items for the demo shipments
are taken from the newest end of each product's stock, so the first item of every lot keeps its plain history.
"""

from __future__ import annotations

from xinren.accounts.actors import Actor
from xinren.accounts.consumers import consumer_signup
from xinren.accounts.models import Membership, Organization, User
from xinren.catalog.models import Item, Product
from xinren.orders.models import Order, Shipment, ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token

from .services import (
    LineRequest,
    offer_save,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
    shipment_deliver_by_partner,
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
    for who, gtin13, quantity, outcome in ORDERS:
        _phone, name, address = CONSUMERS[who]
        consumer = consumers[who]
        product = products[gtin13]
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
        shipment = _ship(merchants[product.merchant_id], order)
        if outcome == "delivered_by_logistics":
            shipment_deliver_by_partner(actor=logistics, shipment_id=shipment.pk)
        elif outcome == "delivered_by_consumer":
            order_delivery_confirm(consumer=consumer, order_number=order.number)

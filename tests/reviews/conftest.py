"""Delivered order lines to review, a platform organization that signs reviews, and operators."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization, User
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Offer, Order, OrderLine
from xinren.orders.services import order_delivery_confirm

from ..factories import BatchFactory, ItemFactory, OrganizationFactory, ProductFactory, UserFactory, actor_for
from ..orders.flows import order_paid, order_placed, order_shipped

_numbers = itertools.count(1)
_phones = itertools.count(1)


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


def consumer_new(*, joined_days_ago: int = 365) -> User:
    phone = f"139{next(_phones):08d}"
    return UserFactory(
        username=phone, phone=phone, display_name=f"{phone[:3]}****{phone[-4:]}",
        date_joined=clock.now() - dt.timedelta(days=joined_days_ago),
    )


@pytest.fixture
def platform(db) -> Organization:  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="信任平台", slug="xinren", kind=OrganizationKind.PLATFORM)


@pytest.fixture
def operator(platform) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(platform, Role.ADMIN)


@pytest.fixture
def consumer(db) -> User:  # type: ignore[no-untyped-def]
    return consumer_new()


@pytest.fixture
def other_consumer(db) -> User:  # type: ignore[no-untyped-def]
    return consumer_new()


@pytest.fixture
def product(merchant) -> Product:  # type: ignore[no-untyped-def]
    product = ProductFactory(merchant=merchant, name="楚雄野生牛肝菌 500g")
    Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=1000)
    return product


@pytest.fixture
def other_product(other_merchant) -> Product:  # type: ignore[no-untyped-def]
    product = ProductFactory(merchant=other_merchant, name="普洱古树生茶 357g")
    Offer.objects.create(merchant=other_merchant, product=product, price_fen=26800, stock=1000)
    return product


def line_through_flow(consumer: User, product: Product, *, deliver: bool = True) -> OrderLine:
    """An order line taken through the real order services: placed, paid, shipped and (by default) received."""
    merchant_actor = actor_for(product.merchant, Role.STAFF)
    batch = BatchFactory(product=product, quantity=10)
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    order_shipped(merchant_actor, order, [ItemFactory(batch=batch)])
    if deliver:
        order_delivery_confirm(consumer=consumer, order_number=order.number)
    return OrderLine.objects.select_related("order").get(order=order)


def line_delivered(consumer: User, product: Product, *, delivered_at: dt.datetime | None = None) -> OrderLine:
    """A delivered order line written directly, for tests that need many of them quickly."""
    at = delivered_at or clock.now()
    offer = Offer.objects.filter(product=product).first()
    assert offer is not None
    order = Order.objects.create(
        number=f"T{next(_numbers):012d}", consumer=consumer, merchant=product.merchant, status=OrderStatus.DELIVERED,
        total_fen=offer.price_fen, recipient_name="王小明", recipient_phone="13900001111",
        shipping_address="上海市浦东新区张杨路 500 号", placed_at=at - dt.timedelta(days=2), delivered_at=at,
    )
    return OrderLine.objects.create(
        order=order, product=product, offer=offer, product_name=product.name, gtin=product.gtin,
        unit_price_fen=offer.price_fen, quantity=1, total_fen=offer.price_fen,
    )


def statement_of(leaf_hash: str) -> dict:
    """The statement signed under a leaf hash (still pending: the tests do not integrate the log)."""
    envelope = bytes(PendingEntry.objects.get(leaf_hash=bytes.fromhex(leaf_hash)).envelope)
    return json.loads(parse_envelope(envelope).payload)

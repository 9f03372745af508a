"""Support tests: a merchant's product on sale, an order of it paid by the consumer, and helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.models import Organization, User
from xinren.catalog.models import Product
from xinren.orders.models import Offer, Order

from ..factories import ProductFactory
from ..orders.flows import order_paid, order_placed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


@pytest.fixture
def on_sale(merchant: Organization, product: Product) -> Product:
    """The merchant's mushrooms, on sale."""
    Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=100)
    return product


@pytest.fixture
def not_on_sale(merchant: Organization) -> Product:
    """Another product of the merchant's that has no offer (not for sale)."""
    return ProductFactory(merchant=merchant, name="松茸干片 100g")


@pytest.fixture
def order(consumer: User, on_sale: Product) -> Order:
    """The consumer's paid order of the mushrooms."""
    placed = order_placed(consumer, on_sale, 1)
    order_paid(consumer, placed)
    return Order.objects.get(pk=placed.pk)

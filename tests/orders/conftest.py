"""Consumers, a product for sale with serialized items, and a clean rate-limit cache."""

from __future__ import annotations

import pytest

from xinren.accounts.models import User
from xinren.catalog.models import Batch, Item, Product
from xinren.orders.models import Offer

from ..factories import BatchFactory, ItemFactory, ProductFactory, UserFactory


def consumer_with_phone(phone: str) -> User:
    return UserFactory(username=phone, phone=phone, display_name=f"{phone[:3]}****{phone[-4:]}")


@pytest.fixture
def consumer(db) -> User:  # type: ignore[no-untyped-def]
    return consumer_with_phone("13812341234")


@pytest.fixture
def other_consumer(db) -> User:  # type: ignore[no-untyped-def]
    return consumer_with_phone("13987654321")


@pytest.fixture
def product(merchant) -> Product:  # type: ignore[no-untyped-def]
    return ProductFactory(merchant=merchant, name="楚雄野生牛肝菌 500g")


@pytest.fixture
def offer(merchant, product) -> Offer:  # type: ignore[no-untyped-def]
    return Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=5)


@pytest.fixture
def batch(product) -> Batch:  # type: ignore[no-untyped-def]
    return BatchFactory(product=product, lot="NH20260701", quantity=10)


@pytest.fixture
def items(batch) -> list[Item]:  # type: ignore[no-untyped-def]
    return [ItemFactory(batch=batch, serial=f"SN{n:04d}") for n in range(1, 6)]

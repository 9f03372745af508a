"""Signed-in browsers for each role and organization kind."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.models import Batch, Product

from ..factories import BatchFactory, ItemFactory, ProductFactory, actor_for


def signed_in(actor: Actor) -> Client:
    """A browser signed in as the actor's person."""
    assert actor.user is not None
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def staff(merchant_actor: Actor) -> Client:
    return signed_in(merchant_actor)


@pytest.fixture
def admin(merchant_admin: Actor) -> Client:
    return signed_in(merchant_admin)


@pytest.fixture
def viewer(merchant) -> Client:  # type: ignore[no-untyped-def]
    return signed_in(actor_for(merchant, Role.VIEWER))


@pytest.fixture
def logistics_staff(logistics_actor: Actor) -> Client:
    return signed_in(logistics_actor)


@pytest.fixture
def product(merchant) -> Product:  # type: ignore[no-untyped-def]
    return ProductFactory(merchant=merchant, name="野生牛肝菌", status="draft")


@pytest.fixture
def batch(product: Product) -> Batch:
    return BatchFactory(product=product, lot="L20260701", quantity=100)


@pytest.fixture
def other_batch(other_merchant) -> Batch:  # type: ignore[no-untyped-def]
    other_product = ProductFactory(merchant=other_merchant, name="普洱生茶")
    other = BatchFactory(product=other_product, lot="P2026", quantity=10)
    ItemFactory(batch=other)
    return other

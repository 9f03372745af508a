"""Signed-in browsers for each role and organization kind, and a product still in draft."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.models import Product

from ..factories import ProductFactory, actor_for
from ..fixtures.accounts import browser_of


def signed_in(actor: Actor) -> Client:
    """A browser signed in as the actor's person."""
    assert actor.user is not None
    return browser_of(actor.user)


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
def draft_product(merchant) -> Product:  # type: ignore[no-untyped-def]
    """A product not yet published, named plainly."""
    return ProductFactory(merchant=merchant, name="野生牛肝菌", status="draft")


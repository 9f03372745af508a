"""Fixtures for the evidence tests: the merchant's product and lot, a granted lab, a stored photo."""

from __future__ import annotations

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.models import Batch, Product
from xinren.catalog.services import partner_grant
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest

from ..factories import BatchFactory, ProductFactory, actor_for
from . import samples


@pytest.fixture
def product(merchant) -> Product:  # type: ignore[no-untyped-def]
    return ProductFactory(merchant=merchant, gtin="06901234567892", name="野生松茸")


@pytest.fixture
def batch(product: Product) -> Batch:
    return BatchFactory(product=product, lot="L20260701")


@pytest.fixture
def photo(db) -> MediaFile:  # type: ignore[no-untyped-def]
    return media_ingest(content=samples.jpeg_with_gps(), filename="forest.jpg")


@pytest.fixture
def lab_actor(lab, merchant_admin) -> Actor:  # type: ignore[no-untyped-def]
    partner_grant(actor=merchant_admin, partner_slug=lab.slug)
    return actor_for(lab, Role.STAFF)

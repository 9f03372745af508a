"""Fixtures for the trust tests: an alliance, a lot of the product, places, a carrier; events, photos, statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.catalog.models import Batch, Item, Product
from xinren.evidence.models import Evidence
from xinren.evidence.services import evidence_attach, media_ingest
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import Place, TraceEvent
from xinren.trace.services import event_record, place_create
from xinren.trust.models import AllianceRegion

from ..evidence.samples import png
from ..factories import BatchFactory, ItemFactory, OrganizationFactory, actor_for, legacy_grant

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def alliance(db) -> Organization:  # type: ignore[no-untyped-def]
    """An alliance registered in 楚雄州 that has declared 楚雄州 (532300) as its region."""
    organization = OrganizationFactory(
        name="楚雄野生菌产业联盟", slug="chuxiong-alliance", kind=OrganizationKind.ALLIANCE, region="云南省楚雄州"
    )
    AllianceRegion.objects.create(alliance=organization, code="532300", declared_at=NOW)
    return organization


@pytest.fixture
def lot(product: Product) -> Batch:
    return BatchFactory(product=product, lot="NH20261101")


@pytest.fixture
def lot_item(lot: Batch) -> Item:
    return ItemFactory(batch=lot, serial="NH0001")


@pytest.fixture
def forest(merchant_actor: Actor) -> Place:
    return place_create(
        actor=merchant_actor,
        name="南华县野生菌采集点",
        latitude="25.192",
        longitude="101.274",
        address="云南省楚雄州南华县五街镇",
    )


@pytest.fixture
def kunming(merchant_actor: Actor) -> Place:
    return place_create(
        actor=merchant_actor, name="昆明分拣中心", latitude="25.021", longitude="102.742", address="云南省昆明市官渡区"
    )


@pytest.fixture
def carrier(logistics: Organization, merchant: Organization) -> Actor:
    legacy_grant(actor=actor_for(merchant, Role.ADMIN), partner_slug=logistics.slug)
    return actor_for(logistics, Role.STAFF)


def record(
    actor: Actor,
    lot: Batch,
    step: str,
    hours_ago: float,
    *,
    place: Place | None = None,
    items: list[Item] | None = None,
) -> TraceEvent:
    identifiers = [i.digital_link.path for i in items] if items else [lot.digital_link.path]
    return event_record(
        actor=actor,
        event_type="ObjectEvent",
        biz_step=step,
        event_time=NOW - dt.timedelta(hours=hours_ago),
        identifiers=identifiers,
        place_id=place.pk if place else None,
        action="ADD" if step in ("harvesting", "commissioning") else "OBSERVE",
    )


def photo(actor: Actor, lot: Batch, purpose: str = "origin", caption: str = "雨季清晨的采集点") -> Evidence:
    media = media_ingest(content=png(), filename="photo.png")
    return evidence_attach(actor=actor, media=media, batch=lot, purpose=purpose, caption=caption)


def integrate() -> None:
    log_integrate_all()

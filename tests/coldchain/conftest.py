"""A lot shipped by a granted logistics firm, with an open leg; helpers that build EPCIS sensor elements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import BatchFactory, ItemFactory, ProductFactory, actor_for
from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.models import Batch, Item, Product
from xinren.coldchain.models import Leg
from xinren.coldchain.services import leg_open, profile_set
from xinren.core import clock
from xinren.trace.models import Place, TraceEvent
from xinren.trace.services import event_record, place_create

from ..factories import legacy_grant

DEVICE = "urn:epc:id:giai:4000001.1001"


@dataclass
class Shipped:
    merchant: Actor
    carrier: Actor
    product: Product
    batch: Batch
    items: list[Item]
    hub: Place
    harvest: TraceEvent
    shipping: TraceEvent
    leg: Leg
    departed: dt.datetime


def element(
    at: dt.datetime,
    temperature: float | None = 4.0,
    *,
    device: str = DEVICE,
    humidity: float | None = None,
    uom: str = "CEL",
    position: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """One EPCIS 2.0 sensor element."""
    reports: list[dict[str, Any]] = []
    if temperature is not None:
        reports.append({"type": "Temperature", "value": temperature, "uom": uom})
    if humidity is not None:
        reports.append({"type": "RelativeHumidity", "value": humidity, "uom": "P1"})
    if position is not None:
        reports += [
            {"component": "latitude", "value": position[0], "uom": "DD"},
            {"component": "longitude", "value": position[1], "uom": "DD"},
        ]
    return {"sensorMetadata": {"time": at.isoformat(), "deviceID": device}, "sensorReport": reports}


def series(start: dt.datetime, temperatures: list[float | None], *, minutes: int = 5, **kwargs: Any) -> list[dict]:
    """Readings every `minutes` from `start`."""
    return [element(start + dt.timedelta(minutes=minutes * i), t, **kwargs) for i, t in enumerate(temperatures)]


@pytest.fixture
def shipped(merchant, logistics) -> Shipped:  # type: ignore[no-untyped-def]
    merchant_actor = actor_for(merchant, Role.ADMIN)
    carrier = actor_for(logistics, Role.STAFF)
    legacy_grant(actor=merchant_actor, partner_slug=logistics.slug)
    product = ProductFactory(merchant=merchant, name="楚雄野生牛肝菌")
    batch = BatchFactory(product=product, lot="NH20260701")
    items = [ItemFactory(batch=batch) for _ in range(3)]
    hub = place_create(actor=carrier, name="昆明分拨中心", latitude=Decimal("24.985"), longitude=Decimal("102.745"))
    now = clock.now()
    harvest_at = (now - dt.timedelta(hours=40)).replace(microsecond=0)
    departed = harvest_at + dt.timedelta(hours=20)
    harvest = event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="harvesting",
        action="ADD",
        event_time=harvest_at,
        identifiers=[batch.digital_link.path],
        quantity=Decimal(100),
        uom="H87",
    )
    shipping = event_record(
        actor=carrier,
        event_type="ObjectEvent",
        biz_step="shipping",
        disposition="in_transit",
        event_time=departed,
        identifiers=[item.digital_link.path for item in items],
        place_id=hub.pk,
    )
    profile_set(actor=merchant_actor, product_id=product.pk, temperature_min="0", temperature_max="8")
    (leg,) = leg_open(actor=carrier, shipping_event_id=shipping.event_id)
    return Shipped(
        merchant=merchant_actor,
        carrier=carrier,
        product=product,
        batch=batch,
        items=items,
        hub=hub,
        harvest=harvest,
        shipping=shipping,
        leg=leg,
        departed=departed,
    )

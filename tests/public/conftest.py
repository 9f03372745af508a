"""Story data for the consumer-page tests: a mushroom lot from Nanhua, packed in Kunming, shipped cold."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from xinren.accounts.models import Organization
from xinren.catalog.models import Batch, Item, Product
from xinren.trace.models import EventSubject, Place, TraceEvent

from ..factories import BatchFactory, ItemFactory, ProductFactory

CST = dt.timezone(dt.timedelta(hours=8))
_place_counter = itertools.count(1)


def place_make(organization: Organization, name: str, latitude: str, longitude: str) -> Place:
    return Place.objects.create(
        organization=organization,
        name=name,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
        uri=f"urn:xinren:test:place:{next(_place_counter)}",
    )


def event_make(
    *,
    organization: Organization,
    biz_step: str,
    when: dt.datetime,
    item: Item | None = None,
    batch: Batch | None = None,
    product: Product | None = None,
    place: Place | None = None,
    disposition: str = "",
    document: dict[str, Any] | None = None,
    event_id: str = "",
    is_error_declaration: bool = False,
) -> TraceEvent:
    """An event naming one subject: an item, a lot as a class, or a product as a class."""
    event = TraceEvent.objects.create(
        event_id=event_id or f"urn:uuid:{uuid.uuid4()}",
        is_error_declaration=is_error_declaration,
        organization=organization,
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step=biz_step,
        disposition=disposition,
        event_time=when,
        event_time_zone_offset="+08:00",
        place=place,
        document=document or {"type": "ObjectEvent"},
    )
    if item is not None:
        subject = EventSubject(item=item, batch=item.batch, product=item.product, uri=item.digital_link.path,
                               gtin=item.product.gtin, lot=item.batch.lot, serial=item.serial)
    elif batch is not None:
        subject = EventSubject(batch=batch, product=batch.product, uri=batch.digital_link.path,
                               gtin=batch.product.gtin, lot=batch.lot)
    else:
        assert product is not None
        subject = EventSubject(product=product, uri=product.digital_link.path, gtin=product.gtin)
    subject.event = event
    subject.role = "epc" if item is not None else "quantity"
    subject.save()
    return event


@dataclass
class Story:
    product: Product
    batch: Batch
    item: Item
    other_item: Item


@pytest.fixture
def story(merchant, logistics) -> Story:  # type: ignore[no-untyped-def]
    product = ProductFactory(
        merchant=merchant,
        name="野生牛肝菌",
        origin_region="云南省楚雄州南华县",
        origin_latitude=Decimal("25.19"),
        origin_longitude=Decimal("101.27"),
        description="雨季山林采摘，当天分拣。",
    )
    batch = BatchFactory(product=product, lot="L20260701")
    item = ItemFactory(batch=batch, serial="SER0001")
    other_item = ItemFactory(batch=batch, serial="SER0002")
    farm = place_make(merchant, "南华县五街镇采收点", "25.05", "101.10")
    workshop = place_make(merchant, "昆明分拣包装车间", "25.02", "102.68")
    hub = place_make(logistics, "上海冷链仓", "31.23", "121.47")
    event_make(organization=merchant, biz_step="harvesting", when=dt.datetime(2026, 7, 1, 6, 30, tzinfo=CST),
               batch=batch, place=farm)
    event_make(organization=merchant, biz_step="packing", when=dt.datetime(2026, 7, 1, 15, 0, tzinfo=CST),
               item=item, place=workshop)
    event_make(organization=merchant, biz_step="packing", when=dt.datetime(2026, 7, 1, 15, 5, tzinfo=CST),
               item=other_item, place=workshop)
    event_make(
        organization=logistics,
        biz_step="https://ref.gs1.org/cbv/BizStep-shipping",
        disposition="https://ref.gs1.org/cbv/Disp-in_transit",
        when=dt.datetime(2026, 7, 2, 9, 0, tzinfo=CST),
        batch=batch,
        place=hub,
        document={"type": "ObjectEvent", "sensorElementList": [
            {"sensorReport": [{"type": "gs1:Temperature", "value": 3.5, "uom": "CEL"}]}]},
    )
    return Story(product=product, batch=batch, item=item, other_item=other_item)

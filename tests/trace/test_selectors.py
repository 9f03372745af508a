"""Reads: event_list, event_get, place_list, events_for_item and the EPCIS export."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.catalog.models import Item
from xinren.core.errors import NotFound
from xinren.trace import errors, selectors, services
from xinren.trace.epcis.vocabulary import EPCIS_CONTEXT
from xinren.trace.models import TraceEvent
from xinren.trace.services import external_prefix_declare

from ..conftest import shared_data
from ..factories import ItemFactory, actor_for, legacy_grant
from .conftest import CST, NOW, epcis, object_event


def _record(actor: Actor, identifiers: list[str], *, hour: int, biz_step: str = "shipping") -> TraceEvent:
    return services.event_record(
        actor=actor,
        event_type="ObjectEvent",
        biz_step=biz_step,
        event_time=dt.datetime(2026, 7, 1, hour, 0, tzinfo=CST),
        identifiers=identifiers,
    )


def test_event_list_holds_own_events_and_partners_events_about_own_products(
    merchant_actor: Actor,
    merchant_admin: Actor,
    other_actor: Actor,
    logistics: Organization,
    logistics_actor: Actor,
    item: Item,
) -> None:
    # given
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    own = _record(merchant_actor, [item.digital_link.path], hour=8)
    by_partner = _record(logistics_actor, [item.digital_link.path], hour=10)
    partner_elsewhere = _record(logistics_actor, ["urn:epc:id:sscc:0614141.1234567890"], hour=11)
    external_prefix_declare(actor=actor_for(other_actor.organization, Role.ADMIN), company_prefix="0614141")
    foreign = _record(other_actor, ["urn:epc:id:sgtin:0614141.107346.2017"], hour=9)

    # when / then: newest first
    assert list(selectors.event_list(actor=merchant_actor)) == [by_partner, own]
    assert list(selectors.event_list(actor=logistics_actor)) == [partner_elsewhere, by_partner]
    assert list(selectors.event_list(actor=other_actor)) == [foreign]


def test_event_get_finds_events_in_scope_only(merchant_actor: Actor, other_actor: Actor, item: Item) -> None:
    # given
    event = _record(merchant_actor, [item.digital_link.path], hour=8)

    # when / then
    assert selectors.event_get(actor=merchant_actor, event_id=event.event_id) == event
    with pytest.raises(NotFound) as caught:
        selectors.event_get(actor=other_actor, event_id=event.event_id)
    assert caught.value.code == errors.EVENT_NOT_FOUND


def test_event_get_prefers_the_event_to_its_error_declaration(merchant_actor: Actor) -> None:
    # given
    event_id = "urn:uuid:00000000-0000-4000-8000-00000000000a"
    [original] = services.epcis_capture(actor=merchant_actor, document=epcis(object_event(eventID=event_id)))
    declaration = object_event(eventID=event_id, errorDeclaration={"declarationTime": "2026-07-02T00:00:00Z"})
    services.epcis_capture(actor=merchant_actor, document=epcis(declaration))

    # when / then
    assert selectors.event_get(actor=merchant_actor, event_id=event_id) == original


def test_place_list_holds_own_places(merchant_actor: Actor, other_actor: Actor) -> None:
    # given
    b = services.place_create(actor=merchant_actor, name="B 仓库")
    a = services.place_create(actor=merchant_actor, name="A 菌子山")
    services.place_create(actor=other_actor, name="茶山")

    # when / then
    assert list(selectors.place_list(actor=merchant_actor)) == [a, b]


def test_events_for_item_covers_the_item_its_lot_and_its_product_oldest_first(
    merchant_actor: Actor, item: Item
) -> None:
    # given
    sibling = ItemFactory(batch=item.batch, serial="SIB001")
    other_lot_item = ItemFactory(batch__product=item.product, batch__lot="L2", serial="X1")
    product_level = _record(merchant_actor, [item.product.digital_link.path], hour=12)
    lot_level = _record(merchant_actor, [item.batch.digital_link.path], hour=6, biz_step="harvesting")
    own = _record(merchant_actor, [item.digital_link.path], hour=9)
    _record(merchant_actor, [sibling.digital_link.path], hour=10)
    _record(merchant_actor, [other_lot_item.batch.digital_link.path], hour=7)

    # when
    events = list(selectors.events_for_item(item=item))

    # then
    assert events == [lot_level, own, product_level]


def test_epcis_document_merges_contexts_and_keeps_clashing_ones_on_the_event(merchant_actor: Actor) -> None:
    # given
    [first] = services.epcis_capture(
        actor=merchant_actor,
        document=epcis(
            object_event(**{"example:note": "a"}), context=[EPCIS_CONTEXT, {"example": "http://ns.example.com/epcis/"}]
        ),
    )
    [second] = services.epcis_capture(
        actor=merchant_actor,
        document=epcis(
            object_event(**{"example:note": "b"}), context=[EPCIS_CONTEXT, {"example": "https://other.example/"}]
        ),
    )
    [third] = services.epcis_capture(actor=merchant_actor, document=epcis(object_event()))

    # when
    document = selectors.epcis_document(events=[first, second, third])

    # then
    assert document == {
        "@context": [EPCIS_CONTEXT, {"example": "http://ns.example.com/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": NOW.isoformat(timespec="milliseconds"),
        "epcisBody": {
            "eventList": [
                first.document,
                {**second.document, "@context": [{"example": "https://other.example/"}]},
                third.document,
            ]
        },
    }


def test_an_export_validates_against_the_epcis_schema(merchant_actor: Actor, item: Item) -> None:
    # given
    schema = json.loads(shared_data("epcis", "EPCIS-JSON-Schema.json").read_text())
    services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="harvesting",
        action="ADD",
        event_time=dt.datetime(2026, 7, 1, 6, 0, tzinfo=CST),
        identifiers=[item.batch.digital_link.path],
        sensor_readings=[{"type": "Temperature", "value": 4, "uom": "CEL"}],
    )
    _record(merchant_actor, [item.digital_link.path], hour=8)

    # when
    document = selectors.epcis_document(events=selectors.event_list(actor=merchant_actor))

    # then
    jsonschema.Draft7Validator(schema).validate(document)
    assert len(document["epcisBody"]["eventList"]) == 2

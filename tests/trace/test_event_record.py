"""event_record: one event from simple fields, stored exactly like a captured EPCIS 2.0 event."""

# ruff: noqa: E501  (the tables of cases read best one case a line)

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from xinren.accounts.actors import Actor
from xinren.catalog.models import Batch, Item, Product
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.models import AuditEntry, PageRefresh
from xinren.trace import errors, services
from xinren.trace.choices import SubjectRole
from xinren.trace.models import EventSubject, Place

from ..factories import BatchFactory, actor_for
from .conftest import CST, NOTHING, NOW, written

WHEN = dt.datetime(2026, 7, 1, 8, 30, tzinfo=CST)
RECORDED = "2026-07-03T02:00:00.000+00:00"


def _uri(path: str) -> str:
    return f"{settings.XINREN_RESOLVER}{path}"


def _subjects(event_pk: int) -> list[tuple[Any, ...]]:
    return list(
        EventSubject.objects.filter(event_id=event_pk)
        .order_by("id")
        .values_list("role", "uri", "gtin", "lot", "serial", "quantity", "uom", "product_id", "batch_id", "item_id")
    )


@pytest.fixture
def place(merchant_actor: Actor) -> Place:
    return services.place_create(actor=merchant_actor, name="南华县菌子山", latitude="25.2", longitude="101.27")


def test_object_event_for_an_item_is_stored_as_epcis_json_and_linked(
    merchant_actor: Actor, item: Item, place: Place
) -> None:
    # given
    audit_before = AuditEntry.objects.filter(action="trace.capture").count()

    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="shipping",
        disposition="in_transit",
        event_time=WHEN,
        identifiers=[item.digital_link.path],
        place_id=place.pk,
    )

    # then
    assert event.event_id.startswith("urn:uuid:")
    assert event.document == {
        "type": "ObjectEvent",
        "eventTime": "2026-07-01T08:30:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": place.uri},
        "bizLocation": {"id": place.uri},
        "epcList": [_uri("/01/06901234567892/10/L20260701/21/ABC123")],
        "eventID": event.event_id,
        "recordTime": RECORDED,
    }
    assert (event.event_type, event.action, event.biz_step, event.disposition) == (
        "ObjectEvent",
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert event.event_time == WHEN
    assert event.event_time_zone_offset == "+08:00"
    assert event.record_time == NOW
    assert (event.read_point, event.biz_location, event.place) == (place.uri, place.uri, place)
    assert (event.organization, event.recorded_by, event.is_error_declaration) == (
        merchant_actor.organization,
        merchant_actor.user,
        False,
    )
    assert _subjects(event.pk) == [
        (
            SubjectRole.EPC,
            _uri("/01/06901234567892/10/L20260701/21/ABC123"),
            "06901234567892",
            "L20260701",
            "ABC123",
            None,
            "",
            item.product_id,
            item.batch_id,
            item.pk,
        )
    ]
    assert sorted(PageRefresh.objects.values_list("kind", "object_id")) == [
        ("batch", item.batch_id),
        ("item", item.pk),
        ("product", item.product_id),
    ]
    assert AuditEntry.objects.filter(action="trace.capture").count() == audit_before + 1
    entry = AuditEntry.objects.filter(action="trace.capture").get()
    assert entry.data == {"count": 1, "event_ids": [event.event_id]}
    assert entry.organization == merchant_actor.organization


def test_sgtin_urn_and_full_cbv_uris_are_accepted_and_cbv_terms_kept_short(merchant_actor: Actor, item: Item) -> None:
    # given: the SGTIN of the item (company prefix 0690123, item reference 045678 → GTIN 06901234567892)
    sgtin = "urn:epc:id:sgtin:6901234.056789.ABC123"

    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="https://ref.gs1.org/cbv/BizStep-receiving",
        disposition="urn:epcglobal:cbv:disp:sellable_not_accessible",
        event_time=WHEN,
        identifiers=[sgtin],
    )

    # then
    assert (event.biz_step, event.disposition) == ("receiving", "sellable_not_accessible")
    assert (event.document["bizStep"], event.document["disposition"]) == ("receiving", "sellable_not_accessible")
    assert event.document["epcList"] == [sgtin]
    assert EventSubject.objects.get(event=event).item == item


def test_harvesting_is_the_platforms_own_step_written_as_its_uri(merchant_actor: Actor, batch: Batch) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="harvesting",
        action="ADD",
        event_time=WHEN,
        identifiers=[batch.digital_link.path],
    )

    # then
    assert event.biz_step == "harvesting"
    assert event.document["bizStep"] == "urn:xinren:voc:bizstep:harvesting"


def test_a_lot_with_a_quantity_becomes_a_quantity_element(merchant_actor: Actor, batch: Batch) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="commissioning",
        action="ADD",
        disposition="active",
        event_time=WHEN,
        identifiers=[batch.digital_link.path],
        quantity=Decimal("12.5"),
        uom="KGM",
    )

    # then
    assert "epcList" not in event.document
    assert event.document["quantityList"] == [
        {"epcClass": _uri("/01/06901234567892/10/L20260701"), "quantity": 12.5, "uom": "KGM"}
    ]
    assert _subjects(event.pk) == [
        (
            SubjectRole.QUANTITY,
            _uri("/01/06901234567892/10/L20260701"),
            "06901234567892",
            "L20260701",
            "",
            Decimal("12.5"),
            "KGM",
            batch.product_id,
            batch.pk,
            None,
        )
    ]


def test_whole_numbers_stay_integers_in_the_document(merchant_actor: Actor, batch: Batch) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="commissioning",
        action="ADD",
        event_time=WHEN,
        identifiers=[batch.digital_link.path],
        quantity=Decimal(100),
        uom="H87",
    )

    # then
    assert event.document["quantityList"][0]["quantity"] == 100
    assert isinstance(event.document["quantityList"][0]["quantity"], int)


def test_sensor_readings_become_a_sensor_element(merchant_actor: Actor, item: Item) -> None:
    # given
    readings = [
        {"type": "Temperature", "value": 4.2, "uom": "CEL", "time": WHEN},
        {"type": "Temperature", "value": Decimal("4.6"), "uom": "CEL", "time": WHEN + dt.timedelta(hours=2)},
        {"type": "RelativeHumidity", "value": 80, "uom": "P1", "time": None},
    ]

    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="shipping",
        event_time=WHEN,
        identifiers=[item.digital_link.path],
        sensor_readings=readings,
    )

    # then
    assert event.document["sensorElementList"] == [
        {
            "sensorReport": [
                {"type": "Temperature", "value": 4.2, "uom": "CEL", "time": "2026-07-01T08:30:00+08:00"},
                {"type": "Temperature", "value": 4.6, "uom": "CEL", "time": "2026-07-01T10:30:00+08:00"},
                {"type": "RelativeHumidity", "value": 80, "uom": "P1"},
            ]
        }
    ]


def test_sensor_readings_alone_need_a_read_point(merchant_actor: Actor, place: Place) -> None:
    # given
    readings = [{"type": "Temperature", "value": 18, "uom": "CEL"}]

    # when
    with pytest.raises(InvalidInput) as caught:
        services.event_record(
            actor=merchant_actor,
            event_type="ObjectEvent",
            biz_step="sensor_reporting",
            event_time=WHEN,
            identifiers=[],
            sensor_readings=readings,
        )
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="sensor_reporting",
        event_time=WHEN,
        identifiers=[],
        sensor_readings=readings,
        place_id=place.pk,
    )

    # then
    assert (caught.value.code, caught.value.details["field"]) == (errors.FIELD_REQUIRED, "epcList")
    assert "epcList" not in event.document
    assert event.document["readPoint"] == {"id": place.uri}
    assert EventSubject.objects.filter(event=event).count() == 0


def test_aggregation_event_packs_items_into_a_case(merchant_actor: Actor, item: Item) -> None:
    # given
    case = "urn:epc:id:sscc:6901234.0000000001"

    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="AggregationEvent",
        biz_step="packing",
        action="ADD",
        disposition="container_closed",
        event_time=WHEN,
        identifiers=[item.digital_link.path],
        parent=case,
    )

    # then
    assert event.document["parentID"] == case
    assert event.document["childEPCs"] == [_uri(item.digital_link.path)]
    assert event.action == "ADD"
    assert [(row[0], row[1], row[9]) for row in _subjects(event.pk)] == [
        (SubjectRole.PARENT, case, None),
        (SubjectRole.CHILD, _uri(item.digital_link.path), item.pk),
    ]


def test_transformation_event_turns_a_lot_into_items(merchant_actor: Actor, batch: Batch, item: Item) -> None:
    # given: the lot it makes is registered (an event names only lots the platform knows, ADR 0015)
    made = BatchFactory(product=batch.product, lot="L20260702")

    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="TransformationEvent",
        biz_step="creating_class_instance",
        action="ADD",  # ignored: transformations have no action
        event_time=WHEN,
        identifiers=[batch.digital_link.path],
        quantity=Decimal("3.5"),
        uom="KGM",
        outputs=[item.digital_link.path, made.digital_link.path],
    )

    # then
    assert "action" not in event.document
    assert event.action == ""
    assert event.document["inputQuantityList"] == [
        {"epcClass": _uri(batch.digital_link.path), "quantity": 3.5, "uom": "KGM"}
    ]
    assert event.document["outputEPCList"] == [_uri(item.digital_link.path)]
    assert event.document["outputQuantityList"] == [{"epcClass": _uri(made.digital_link.path)}]
    assert [(row[0], row[8], row[9]) for row in _subjects(event.pk)] == [
        (SubjectRole.INPUT_QUANTITY, batch.pk, None),
        (SubjectRole.OUTPUT, batch.pk, item.pk),
        (SubjectRole.OUTPUT_QUANTITY, made.pk, None),
    ]


def test_unregistered_identifiers_are_stored_unlinked(merchant_actor: Actor, db: None) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="receiving",
        event_time=WHEN,
        identifiers=["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:grai:4012345.55555.987"],
    )

    # then
    assert [(row[0], row[2], row[7], row[8], row[9]) for row in _subjects(event.pk)] == [
        (SubjectRole.EPC, "10614141073464", None, None, None),
        (SubjectRole.EPC, "", None, None, None),
    ]
    assert PageRefresh.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"event_time": dt.datetime(2026, 7, 1, 8, 30)}, errors.TIME_INVALID, "eventTime"),
        ({"identifiers": []}, errors.FIELD_REQUIRED, "epcList"),
        ({"biz_step": "shippping"}, errors.TERM_UNKNOWN, "bizStep"),
        ({"disposition": "urn:epcglobal:cbv:disp:lost"}, errors.TERM_UNKNOWN, "disposition"),
        ({"action": "MOVE"}, errors.ACTION_INVALID, "action"),
        ({"event_type": "TransactionEvent"}, errors.EVENT_TYPE_UNSUPPORTED, "type"),
        ({"event_type": "example:CustomEvent"}, errors.EVENT_TYPE_UNSUPPORTED, "type"),
        ({"identifiers": ["/01/06901234567893/21/ABC123"]}, errors.IDENTIFIER_CHECK_DIGIT, "epcList[0]"),
        ({"identifiers": ["not an identifier"]}, errors.IDENTIFIER_INVALID, "epcList[0]"),
        ({"identifiers": ["/01/06901234567892/21/A", "/01/06901234567892/21/A"]}, errors.IDENTIFIER_DUPLICATE, "epcList[1]"),
        ({"identifiers": ["/01/06901234567892/10/L1"], "quantity": Decimal(-1), "uom": "KGM"}, errors.QUANTITY_INVALID, "quantityList[0].quantity"),
        ({"identifiers": ["/01/06901234567892/10/L1"], "quantity": Decimal("NaN")}, errors.QUANTITY_INVALID, "quantityList[0].quantity"),
        ({"identifiers": ["/01/06901234567892/10/L1"], "quantity": Decimal(1), "uom": "kilo"}, errors.FIELD_INVALID, "quantityList[0].uom"),
        ({"identifiers": ["/01/06901234567892/10/L1", "/01/06901234567892/10/L2"], "quantity": Decimal(1)}, errors.QUANTITY_INVALID, "quantityList"),
        ({"quantity": Decimal(1)}, errors.QUANTITY_INVALID, "quantityList"),
        ({"sensor_readings": [{"type": "Temperature", "value": "warm"}]}, errors.SENSOR_VALUE_INVALID, "sensorElementList[0].sensorReport[0].value"),
        ({"sensor_readings": [{"type": "Temperature", "value": True}]}, errors.SENSOR_VALUE_INVALID, "sensorElementList[0].sensorReport[0].value"),
        ({"sensor_readings": [{"type": "Warmth", "value": 4}]}, errors.TERM_UNKNOWN, "sensorElementList[0].sensorReport[0].type"),
        ({"sensor_readings": [{"value": 4}]}, errors.FIELD_REQUIRED, "sensorElementList[0].sensorReport[0].type"),
        ({"sensor_readings": [{"type": "Temperature", "value": 4, "colour": "red"}]}, errors.FIELD_UNKNOWN, "sensorElementList[0].sensorReport[0].colour"),
        ({"read_point": "dock 4"}, errors.URI_INVALID, "readPoint.id"),
        ({"parent": "urn:epc:id:sscc:0614141.1234567890"}, errors.FIELD_INVALID, "parentID"),
        ({"outputs": ["/01/06901234567892/21/B"]}, errors.FIELD_INVALID, "outputEPCList"),
    ],
)  # fmt: skip
def test_invalid_fields_are_refused_with_the_field_named_and_nothing_written(
    merchant_actor: Actor, fields: dict[str, Any], code: str, field: str
) -> None:
    # given
    arguments: dict[str, Any] = {
        "event_type": "ObjectEvent",
        "biz_step": "shipping",
        "event_time": WHEN,
        "identifiers": ["/01/06901234567892/21/ABC123"],
    }
    arguments.update(fields)

    # when
    with pytest.raises(InvalidInput) as caught:
        services.event_record(actor=merchant_actor, **arguments)

    # then
    assert caught.value.code == code
    assert caught.value.details["event"] == 0
    assert caught.value.details["field"] == field
    assert written() == NOTHING


def test_aggregation_without_parent_is_refused(merchant_actor: Actor, item: Item) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        services.event_record(
            actor=merchant_actor,
            event_type="AggregationEvent",
            biz_step="packing",
            action="ADD",
            event_time=WHEN,
            identifiers=[item.digital_link.path],
        )

    # then
    assert (caught.value.code, caught.value.details["field"]) == (errors.FIELD_REQUIRED, "parentID")
    assert written()["events"] == 0


def test_transformation_needs_inputs_and_outputs(merchant_actor: Actor, batch: Batch) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        services.event_record(
            actor=merchant_actor,
            event_type="TransformationEvent",
            biz_step="creating_class_instance",
            event_time=WHEN,
            identifiers=[batch.digital_link.path],
        )

    # then
    assert (caught.value.code, caught.value.details["field"]) == (errors.FIELD_REQUIRED, "outputEPCList")


def test_a_place_of_another_organization_is_not_found(merchant_actor: Actor, other_actor: Actor, item: Item) -> None:
    # given
    foreign = services.place_create(actor=other_actor, name="普洱茶山")
    before = written()

    # when
    with pytest.raises(NotFound) as caught:
        services.event_record(
            actor=merchant_actor,
            event_type="ObjectEvent",
            biz_step="shipping",
            event_time=WHEN,
            identifiers=[item.digital_link.path],
            place_id=foreign.pk,
        )

    # then
    assert caught.value.code == errors.PLACE_NOT_FOUND
    assert written() == before


def test_a_read_point_given_with_a_place_is_kept(merchant_actor: Actor, item: Item, place: Place) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="inspecting",
        event_time=WHEN,
        identifiers=[item.digital_link.path],
        place_id=place.pk,
        read_point="urn:epc:id:sgln:6901234.00001.7",
    )

    # then
    assert event.document["readPoint"] == {"id": "urn:epc:id:sgln:6901234.00001.7"}
    assert event.document["bizLocation"] == {"id": place.uri}
    assert event.place == place


def test_lab_may_record_with_a_grant(merchant_admin: Actor, item: Item, lab: Any) -> None:
    # given
    from ..factories import legacy_grant

    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    lab_actor = actor_for(lab)

    # when
    event = services.event_record(
        actor=lab_actor,
        event_type="ObjectEvent",
        biz_step="inspecting",
        disposition="conformant",
        event_time=WHEN,
        identifiers=[item.batch.digital_link.path],
    )

    # then
    assert event.organization == lab
    assert EventSubject.objects.get(event=event).batch == item.batch


def test_product_level_identifier_links_the_product_only(merchant_actor: Actor, product: Product) -> None:
    # when
    event = services.event_record(
        actor=merchant_actor,
        event_type="ObjectEvent",
        biz_step="inspecting",
        event_time=WHEN,
        identifiers=[product.digital_link.path],
    )

    # then
    assert [(row[7], row[8], row[9]) for row in _subjects(event.pk)] == [(product.pk, None, None)]
    assert sorted(PageRefresh.objects.values_list("kind", "object_id")) == [("product", product.pk)]

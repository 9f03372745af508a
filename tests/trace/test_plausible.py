"""Nothing impossible is signed: times, sensor values and identifiers, through every way in (ADR 0015)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.models import Batch, Item
from xinren.core import plausible
from xinren.core.errors import InvalidInput
from xinren.ledger.store.models import PendingEntry
from xinren.trace import errors, services

from ..factories import BatchFactory, ItemFactory, actor_for
from .conftest import CST, NOW, epcis, object_event, written
from .test_ledger_link import _envelope, _lab_key

pytestmark = pytest.mark.django_db


def _written() -> dict[str, int]:
    return {**written(), "pending": PendingEntry.objects.count()}


def _record(actor: Actor, **fields: Any) -> None:
    arguments: dict[str, Any] = {
        "actor": actor, "event_type": "ObjectEvent", "biz_step": "shipping",
        "event_time": dt.datetime(2026, 7, 2, 9, 0, tzinfo=CST), "identifiers": [],
    }  # fmt: skip
    arguments.update(fields)
    services.event_record(**arguments)


def _refused(call: Any) -> InvalidInput:
    before = _written()
    with pytest.raises(InvalidInput) as caught:
        call()
    assert _written() == before
    return caught.value


# -- times -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2027, 2030, 2099])
def test_the_event_form_refuses_an_event_in_the_future(merchant_actor: Actor, item: Item, year: int) -> None:
    # when / then
    error = _refused(lambda: _record(merchant_actor, event_time=dt.datetime(year, 1, 5, 9, 0, tzinfo=CST),
                                     identifiers=[item.digital_link.path]))
    assert error.code == plausible.TIME_FUTURE
    assert error.details["field"] == "eventTime"
    assert error.details["latest"] == "2026-07-03T02:05:00+00:00"


def test_a_clock_a_little_ahead_is_tolerated(merchant_actor: Actor, item: Item) -> None:
    # when: four minutes ahead of the server (the skew allows five)
    _record(merchant_actor, event_time=NOW + dt.timedelta(minutes=4), identifiers=[item.digital_link.path])

    # then
    assert written()["events"] == 1


@pytest.mark.parametrize(
    ("event_time", "code"),
    [
        ("2030-01-01T08:00:00+08:00", plausible.TIME_FUTURE),
        ("0001-01-01T00:00:00+08:00", plausible.TIME_TOO_EARLY),  # year 0 in UTC: unreadable on PostgreSQL
        ("1999-12-31T23:59:59Z", plausible.TIME_TOO_EARLY),
    ],
)
def test_epcis_capture_refuses_impossible_event_times(merchant_actor: Actor, event_time: str, code: str) -> None:
    # when / then
    error = _refused(lambda: services.epcis_capture(
        actor=merchant_actor, document=epcis(object_event(), object_event(eventTime=event_time))
    ))
    assert (error.code, error.details["event"], error.details["field"]) == (code, 1, "eventTime")


def test_an_error_declaration_in_the_future_is_refused(merchant_actor: Actor) -> None:
    # when / then
    error = _refused(lambda: services.epcis_capture(actor=merchant_actor, document=epcis(object_event(
        errorDeclaration={"declarationTime": "2027-07-02T10:00:00+08:00", "reason": "incorrect_data"}
    ))))
    assert (error.code, error.details["field"]) == (plausible.TIME_FUTURE, "errorDeclaration.declarationTime")


def test_an_event_before_its_lot_was_produced_is_refused(merchant_actor: Actor, item: Item) -> None:
    # given: the lot was produced on 1 July 2026; harvesting may precede that by the lead time (30 days)
    assert item.batch.production_date == dt.date(2026, 7, 1)
    _record(merchant_actor, event_time=dt.datetime(2026, 6, 2, 8, 0, tzinfo=CST), identifiers=[item.digital_link.path])

    # when / then
    error = _refused(lambda: _record(
        merchant_actor, event_time=dt.datetime(2026, 5, 20, 8, 0, tzinfo=CST), identifiers=[item.digital_link.path]
    ))
    assert error.code == plausible.TIME_BEFORE_EXISTENCE
    assert error.details["existed_from"] == "2026-06-01T00:00:00+14:00"


def test_a_self_signed_event_in_the_future_never_reaches_the_log(merchant_admin: Actor, lab: Any) -> None:
    # given
    from ..factories import legacy_grant

    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    lab_admin = actor_for(lab, Role.ADMIN)
    private, key_id = _lab_key(lab_admin)
    item = ItemFactory(batch__product__merchant=merchant_admin.organization)
    event = {
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting",
        "eventTime": "2099-07-02T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
        "epcList": [f"https://id.example.org{item.digital_link.path}"],
    }  # fmt: skip

    # when / then
    error = _refused(lambda: services.epcis_capture_signed(
        actor=lab_admin, envelopes=[_envelope(private, key_id, event)]
    ))
    assert error.code == plausible.TIME_FUTURE


# -- sensor values -----------------------------------------------------------------------------------------------------


def test_the_event_form_refuses_500_degrees(merchant_actor: Actor, item: Item) -> None:
    # when / then
    error = _refused(lambda: _record(merchant_actor, identifiers=[item.digital_link.path], sensor_readings=[
        {"type": "Temperature", "value": 500, "uom": "CEL"}
    ]))
    assert error.code == plausible.VALUE_IMPOSSIBLE
    assert error.details["field"] == "sensorElementList[0].sensorReport[0].value"
    assert (error.details["low"], error.details["high"]) == ("-80", "300")


@pytest.mark.parametrize(
    "report",
    [
        {"type": "Temperature", "value": 500, "uom": "CEL"},
        {"type": "Temperature", "maxValue": 1000, "uom": "FAH"},
        {"type": "Temperature", "value": -300, "uom": "CEL"},
        {"type": "RelativeHumidity", "value": 140, "uom": "P1"},
        {"type": "Temperature", "value": 4.2},  # no unit: cannot be judged
    ],
)
def test_epcis_capture_refuses_impossible_sensor_values(merchant_actor: Actor, report: dict[str, Any]) -> None:
    # given
    element = {"sensorMetadata": {"time": "2026-07-01T08:00:00+08:00"}, "sensorReport": [report]}

    # when / then
    error = _refused(lambda: services.epcis_capture(
        actor=merchant_actor, document=epcis(object_event(sensorElementList=[element]))
    ))
    assert error.code == plausible.VALUE_IMPOSSIBLE


def test_a_sensor_time_in_the_future_is_refused(merchant_actor: Actor) -> None:
    # given
    element = {"sensorMetadata": {"time": "2027-07-01T08:00:00+08:00"},
               "sensorReport": [{"type": "Temperature", "value": 4.0, "uom": "CEL"}]}

    # when / then
    error = _refused(lambda: services.epcis_capture(
        actor=merchant_actor, document=epcis(object_event(sensorElementList=[element]))
    ))
    assert (error.code, error.details["field"]) == (plausible.TIME_FUTURE, "sensorElementList[0].sensorMetadata.time")


def test_plausible_readings_are_recorded(merchant_actor: Actor, item: Item) -> None:
    # when
    _record(merchant_actor, identifiers=[item.digital_link.path], sensor_readings=[
        {"type": "Temperature", "value": -18.5, "uom": "CEL"}, {"type": "RelativeHumidity", "value": 85, "uom": "P1"},
    ])

    # then
    assert written()["events"] == 1


# -- identifiers -------------------------------------------------------------------------------------------------------


def test_a_serial_the_platform_does_not_know_is_refused(merchant_actor: Actor, item: Item) -> None:
    # when / then
    error = _refused(lambda: _record(merchant_actor, identifiers=[f"/01/{item.product.gtin}/21/NOTASERIAL"]))
    assert (error.code, error.details["unknown"]) == (errors.IDENTIFIER_UNKNOWN, "item")


def test_a_lot_the_platform_does_not_know_is_refused(merchant_actor: Actor, batch: Batch) -> None:
    # when / then
    error = _refused(lambda: _record(merchant_actor, identifiers=[f"/01/{batch.product.gtin}/10/NOLOT"]))
    assert (error.code, error.details["unknown"]) == (errors.IDENTIFIER_UNKNOWN, "lot")


def test_the_gs1_example_gtin_is_refused_unless_declared(other_actor: Actor, db: None) -> None:
    # when / then: another organization, which declared nothing
    error = _refused(lambda: _record(other_actor, identifiers=["/01/00614141123452"]))
    assert (error.code, error.details["unknown"]) == (errors.IDENTIFIER_UNKNOWN, "product")


def test_a_declared_prefix_covers_only_its_organization_and_its_prefix(merchant_actor: Actor, db: None) -> None:
    # when / then: the merchant declared 0614141 (the trace tests' fixture), not 0614142
    error = _refused(lambda: _record(merchant_actor, identifiers=["/01/00614142123451"]))
    assert error.code == errors.IDENTIFIER_UNKNOWN


@pytest.mark.parametrize(
    ("prefix", "note"), [("12345", ""), ("0614141X", ""), ("1234567890123", ""), ("6901234", "长" * 256)]
)
def test_a_malformed_prefix_declaration_is_refused(merchant_admin: Actor, prefix: str, note: str) -> None:
    # when / then
    with pytest.raises(InvalidInput) as caught:
        services.external_prefix_declare(actor=merchant_admin, company_prefix=prefix, note=note)
    assert caught.value.code == errors.EXTERNAL_PREFIX_INVALID


def test_a_registered_lot_of_a_new_product_links(merchant_actor: Actor, item: Item) -> None:
    # given
    lot = BatchFactory(product=item.product, lot="L9")

    # when
    _record(merchant_actor, identifiers=[lot.digital_link.path])

    # then
    assert written()["events"] == 1


def test_the_page_marks_identifiers_declared_external(client: Any, merchant_actor: Actor, item: Item) -> None:
    # given: our item aggregated onto a partner's pallet, and with a GS1 example item (declared external)
    _record(merchant_actor, identifiers=[item.digital_link.path, "urn:epc:id:sgtin:0614141.107346.2017"])

    # when
    page = client.get(item.digital_link.path).content.decode()
    story = client.get(item.digital_link.path, HTTP_ACCEPT="application/json").json()

    # then
    assert "外部标识" in page and "urn:epc:id:sgtin:0614141.107346.2017" in page
    [event] = story["events"]
    assert event["external_identifiers"] == ["urn:epc:id:sgtin:0614141.107346.2017"]

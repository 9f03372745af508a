"""The batch ingest of sensor readings: storing, signing, refusing, and finding excursions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from tests.factories import OrganizationFactory, actor_for
from tests.fixtures.immutable import tampering
from xinren.accounts.choices import OrganizationKind
from xinren.coldchain.ingest import reading_batch_verify
from xinren.coldchain.models import Excursion, Leg, Reading, ReadingBatch
from xinren.coldchain.readings import readings_canonical_bytes
from xinren.coldchain.services import readings_ingest
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry

from .conftest import DEVICE, Shipped, element, series

pytestmark = pytest.mark.django_db
HUB = (24.9851, 102.7452)


def _state(leg: Leg) -> tuple[int, int, int, int]:
    leg.refresh_from_db()
    return (Reading.objects.count(), ReadingBatch.objects.count(), Excursion.objects.count(), leg.reading_count)


def test_a_batch_is_stored_signed_and_its_digest_checks_out(shipped: Shipped) -> None:
    # given
    readings = series(shipped.departed, [3.5, 4.0, 4.25, 0.05], humidity=88.0)
    PageRefresh.objects.all().delete()
    # when
    result = readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    batch = ReadingBatch.objects.get()
    assert (result.received, result.stored, result.duplicates, result.excursions) == (4, 4, 0, [])
    assert result.sha256 == batch.sha256 == batch.statement["readings"]["sha256"]
    assert result.leaf_hash == batch.ledger_leaf_hash
    signed = json.loads(
        parse_envelope(
            bytes(PendingEntry.objects.get(leaf_hash=bytes.fromhex(batch.ledger_leaf_hash)).envelope)
        ).payload
    )
    assert signed["readings"]["sha256"] == hashlib.sha256(readings_canonical_bytes(batch.readings.all())).hexdigest()
    assert reading_batch_verify(batch=batch) is True
    first = shipped.departed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    canonical = readings_canonical_bytes(batch.readings.all()).decode()
    assert canonical.splitlines()[0] == f"{DEVICE}\t{first}\t3.5\t88.0\t\t"
    assert [r.temperature for r in Reading.objects.order_by("time")] == [35, 40, 42, 0]
    assert hashlib.sha256(canonical.encode()).hexdigest() == batch.sha256
    assert batch.statement["readings"]["count"] == 4
    assert batch.statement["readings"]["temperature"] == {"min": 0.0, "max": 4.2}
    assert batch.statement["type"] == "coldchain.readings"
    assert _state(shipped.leg)[3] == 4
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("batch", shipped.batch.pk)]


def test_tampering_with_a_stored_reading_breaks_the_digest(shipped: Shipped) -> None:
    # given
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4.0, 4.1]))
    # when
    with tampering():
        Reading.objects.filter(temperature=41).update(temperature=39)
    # then
    assert reading_batch_verify(batch=ReadingBatch.objects.get()) is False


def test_a_warm_spell_at_the_hub_is_an_excursion_with_place_duration_and_peak(shipped: Shipped) -> None:
    # given: 5-minute readings, too warm from the 3rd to the 6th, back in range at the 7th
    temperatures = [4.0, 5.0, 8.5, 10.0, 11.2, 9.0, 6.0, 4.0]
    readings = series(shipped.departed, temperatures, position=HUB)
    # when
    result = readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    excursion = Excursion.objects.get()
    start = shipped.departed + dt.timedelta(minutes=10)
    assert (excursion.kind, excursion.start, excursion.end) == ("too_warm", start, start + dt.timedelta(minutes=20))
    assert (excursion.duration_minutes, excursion.peak, excursion.limit, excursion.still_open) == (20, 112, 80, False)
    assert (excursion.place, excursion.place_name) == (shipped.hub, "昆明分拨中心")
    assert excursion.reading_batch == ReadingBatch.objects.get()
    assert [(e["kind"], e["peak"], e["duration_minutes"]) for e in result.excursions] == [("too_warm", 11.2, 20)]
    signed = ReadingBatch.objects.get().statement["excursions"]
    assert [(e["kind"], e["minutes"], e["peak"], e["place"], e["open"]) for e in signed] == [
        ("too_warm", 20, 11.2, "昆明分拨中心", False)
    ]


def test_an_excursion_still_going_at_the_last_reading_is_open(shipped: Shipped) -> None:
    # given
    readings = series(shipped.departed, [4.0, -1.0, -2.5])
    # when
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    excursion = Excursion.objects.get()
    assert (excursion.kind, excursion.peak, excursion.limit, excursion.still_open, excursion.duration_minutes) == (
        "too_cold",
        -25,
        0,
        True,
        5,
    )
    # without coordinates, the place is where the lot was last recorded: the shipping event's hub
    assert excursion.place_name == "昆明分拨中心"
    lines = readings_canonical_bytes(Reading.objects.all()).decode().splitlines()
    assert [line.split("\t")[2] for line in lines] == ["4.0", "-1.0", "-2.5"]


def test_a_resent_batch_is_stored_once(shipped: Shipped) -> None:
    # given
    readings = series(shipped.departed, [4.0, 9.0, 4.0])
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    before = _state(shipped.leg)
    # when
    result = readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    assert (result.stored, result.duplicates, result.leaf_hash) == (0, 3, None)
    assert len(result.excursions) == 1
    assert _state(shipped.leg) == before == (3, 1, 1, 3)


def test_a_resent_batch_with_new_readings_stores_only_the_new(shipped: Shipped) -> None:
    # given
    readings = series(shipped.departed, [4.0, 4.0, 4.0, 4.0])
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings[:2])
    # when
    result = readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    assert (result.stored, result.duplicates) == (2, 2)
    assert [b.count for b in ReadingBatch.objects.order_by("id")] == [2, 2]
    assert all(reading_batch_verify(batch=b) for b in ReadingBatch.objects.all())


def test_a_changed_reading_for_a_stored_time_is_refused(shipped: Shipped) -> None:
    # given
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4.0, 4.0]))
    before = _state(shipped.leg)
    # when
    with pytest.raises(Conflict) as refused:
        readings_ingest(
            actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4.0, 6.0, 4.0])
        )
    # then
    assert refused.value.code == "coldchain.reading_conflict"
    assert refused.value.details == {"reading": 1, "field": "readings[1]"}
    assert _state(shipped.leg) == before


def _refused(shipped: Shipped, readings: list[Any]) -> InvalidInput:
    before = _state(shipped.leg)
    with pytest.raises(InvalidInput) as refused:
        readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    assert _state(shipped.leg) == before == (0, 0, 0, 0)
    assert PendingEntry.objects.filter(statement_type="coldchain.readings").count() == 0
    return refused.value


def test_fahrenheit_is_refused_naming_the_unit_expected(shipped: Shipped) -> None:
    # when
    error = _refused(shipped, [element(shipped.departed, 4.0), element(shipped.departed, 39.2, uom="FAH")])
    # then
    assert error.code == "coldchain.reading_unit_wrong"
    assert str(error.message) == "温度单位须为 CEL（摄氏度），收到 FAH；系统不做单位换算"
    assert error.details == {
        "reading": 1,
        "field": "readings[1].sensorReport[0].uom",
        "expected": "CEL",
        "given": "FAH",
    }


def test_humidity_in_grams_per_cubic_metre_is_refused(shipped: Shipped) -> None:
    # given
    reading = element(shipped.departed, None)
    reading["sensorReport"] = [{"type": "RelativeHumidity", "value": 12.1, "uom": "A93"}]
    # when
    error = _refused(shipped, [reading])
    # then
    assert (error.code, error.details["expected"]) == ("coldchain.reading_unit_wrong", "P1")
    assert str(error.message) == "相对湿度单位须为 P1（百分比），收到 A93；系统不做单位换算"


def test_an_unknown_measurement_type_is_refused(shipped: Shipped) -> None:
    # given
    reading = element(shipped.departed, None)
    reading["sensorReport"] = [{"type": "Illuminance", "value": 800, "uom": "LUX"}]
    # when
    error = _refused(shipped, [reading])
    # then
    assert (error.code, error.details["field"]) == (
        "coldchain.reading_type_unknown",
        "readings[0].sensorReport[0].type",
    )


@pytest.mark.parametrize(
    ("temperature", "humidity", "field"),
    [
        (95.0, None, "sensorReport[0].value"),
        (-80.1, None, "sensorReport[0].value"),
        (4.0, 100.5, "sensorReport[1].value"),
        (4.0, -1, "sensorReport[1].value"),
    ],
)
def test_impossible_values_are_refused(
    shipped: Shipped, temperature: float, humidity: float | None, field: str
) -> None:
    # when
    error = _refused(
        shipped, [element(shipped.departed, 4.0), element(shipped.departed, temperature, humidity=humidity)]
    )
    # then
    assert (error.code, error.details["field"]) == ("coldchain.reading_value_impossible", f"readings[1].{field}")


def test_a_reading_in_the_future_is_refused(shipped: Shipped) -> None:
    # when
    error = _refused(shipped, [element(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))])
    # then
    assert (error.code, str(error.message)) == ("coldchain.reading_time_invalid", "读数时间不能在未来")


def test_a_reading_long_before_the_leg_is_refused(shipped: Shipped) -> None:
    # when
    error = _refused(shipped, [element(shipped.departed - dt.timedelta(hours=25))])
    # then
    assert error.code == "coldchain.reading_time_invalid"
    assert error.details["field"] == "readings[0].sensorMetadata.time"


def test_a_time_without_a_zone_is_refused(shipped: Shipped) -> None:
    # given
    reading = element(shipped.departed)
    reading["sensorMetadata"]["time"] = "2026-07-01T08:00:00"
    # when
    error = _refused(shipped, [reading])
    # then
    assert (error.code, str(error.message)) == ("coldchain.reading_time_invalid", "读数时间须带时区")


def test_two_readings_of_one_device_at_one_time_are_refused(shipped: Shipped) -> None:
    # when
    error = _refused(shipped, [element(shipped.departed, 4.0), element(shipped.departed, 4.1)])
    # then
    assert error.code == "coldchain.reading_duplicate"
    assert str(error.message) == "同一设备在同一时间有两条读数（第 1 条和第 2 条）"


def test_an_empty_batch_and_a_batch_too_large_are_refused(shipped: Shipped) -> None:
    # when
    empty = _refused(shipped, [])
    too_many = _refused(shipped, [element(shipped.departed)] * 10_001)
    # then
    assert empty.code == "coldchain.readings_empty"
    assert (too_many.code, too_many.details["max"], too_many.details["count"]) == (
        "coldchain.readings_too_many",
        10_000,
        10_001,
    )


def test_a_malformed_element_is_refused(shipped: Shipped) -> None:
    # when
    no_device = _refused(shipped, [{"sensorMetadata": {"time": shipped.departed.isoformat()}, "sensorReport": []}])
    not_a_number = _refused(shipped, [element(shipped.departed, "4.0")])  # type: ignore[arg-type]
    # then
    assert (no_device.code, no_device.details["field"]) == (
        "coldchain.reading_invalid",
        "readings[0].sensorMetadata.deviceID",
    )
    assert not_a_number.code == "coldchain.reading_invalid"


def test_another_logistics_firm_cannot_post_readings_to_the_leg(shipped: Shipped) -> None:
    # given
    other = actor_for(OrganizationFactory(kind=OrganizationKind.LOGISTICS, slug="sf-cold"))
    # when
    with pytest.raises(PermissionDenied) as refused:
        readings_ingest(actor=other, leg_id=shipped.leg.pk, readings=[element(shipped.departed)])
    # then
    assert refused.value.code == "coldchain.leg_forbidden"
    assert _state(shipped.leg) == (0, 0, 0, 0)


def test_the_merchant_cannot_post_readings(shipped: Shipped) -> None:
    # when
    with pytest.raises(PermissionDenied) as refused:
        readings_ingest(actor=shipped.merchant, leg_id=shipped.leg.pk, readings=[element(shipped.departed)])
    # then
    assert refused.value.code == "permission.organization_kind"
    assert _state(shipped.leg) == (0, 0, 0, 0)


def test_an_unknown_leg_is_not_found(shipped: Shipped) -> None:
    # when
    with pytest.raises(NotFound) as refused:
        readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk + 100, readings=[element(shipped.departed)])
    # then
    assert refused.value.code == "coldchain.leg_not_found"


def test_the_insert_writes_times_exactly_as_djangos_adapter_would() -> None:
    # given: readings' times are aware UTC, to the millisecond or to the second
    from django.db import connection

    from xinren.coldchain.ingest import _time_adapter

    times = [dt.datetime(2026, 11, 3, 8, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 3, 8, 0, 1, 250000, tzinfo=dt.UTC),
             dt.datetime(2026, 11, 3, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))]  # fmt: skip
    # then: the fast path on SQLite (and Django's own elsewhere) gives the same value
    adapt = _time_adapter()
    assert [adapt(t) for t in times] == [connection.ops.adapt_datetimefield_value(t) for t in times]

"""Every reading of a cold-chain product counts against its range, whoever recorded it (ADR 0015)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.coldchain.selectors import coldchain_status_for_batch
from xinren.coldchain.services import profile_set, readings_ingest
from xinren.trace.services import event_record

from .conftest import Shipped, series

pytestmark = pytest.mark.django_db


def _record_reading(shipped: Shipped, value: float, *, at: dt.datetime) -> None:
    event_record(
        actor=shipped.merchant, event_type="ObjectEvent", biz_step="storing", event_time=at,
        identifiers=[shipped.batch.digital_link.path],
        sensor_readings=[{"type": "Temperature", "value": value, "uom": "CEL", "time": at}],
    )  # fmt: skip


def test_a_merchant_reading_outside_the_range_is_an_excursion(shipped: Shipped) -> None:
    # given: the carrier's leg stayed within 2–6 °C
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="2", temperature_max="6")
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4.0, 4.5, 5.0]))
    assert coldchain_status_for_batch(batch=shipped.batch).all_within_range

    # when: the merchant records a storing event with a 9.8 °C reading
    at = shipped.departed + dt.timedelta(hours=3)
    _record_reading(shipped, 9.8, at=at)

    # then
    status = coldchain_status_for_batch(batch=shipped.batch)
    assert status.all_within_range is False
    assert [(r["kind"], r["value"], r["limit"], r["recorded_by"]) for r in status.event_readings_outside] == [
        ("too_warm", 9.8, 6.0, shipped.merchant.organization.name)
    ]


def test_readings_within_the_range_do_not_count(shipped: Shipped) -> None:
    # given
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="2", temperature_max="6")

    # when
    _record_reading(shipped, 5.9, at=shipped.departed + dt.timedelta(hours=3))

    # then
    assert coldchain_status_for_batch(batch=shipped.batch).event_readings_outside == []


def test_the_lot_page_shows_a_reading_outside_the_range(client, shipped: Shipped) -> None:  # type: ignore[no-untyped-def]
    # given
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="2", temperature_max="6")
    _record_reading(shipped, 9.8, at=shipped.departed + dt.timedelta(hours=3))

    # when
    page = client.get(shipped.batch.digital_link.path).content.decode()

    # then
    assert "9.8 °C，超出上限 6 °C" in page



def test_the_demo_records_no_event_reading_outside_its_products_ranges(demo_world) -> None:  # type: ignore[no-untyped-def]
    # given: the demo world, cold chain included
    from xinren.catalog.models import Batch

    # when
    outside = {
        batch.lot: coldchain_status_for_batch(batch=batch).event_readings_outside for batch in Batch.objects.all()
    }

    # then: only the carrier's own warm spell (a leg excursion) breaks a range, never the recorded events
    assert {lot: readings for lot, readings in outside.items() if readings} == {}

"""Excursions across batches that arrive out of order, tolerance, and profile changes."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.coldchain.detection import Limits, excursions_find
from xinren.coldchain.models import ColdChainProfile, Excursion
from xinren.coldchain.services import profile_set, readings_ingest
from xinren.core.errors import InvalidInput

from .conftest import Shipped, element

pytestmark = pytest.mark.django_db


def _at(shipped: Shipped, step: int) -> dt.datetime:
    return shipped.departed + dt.timedelta(minutes=5 * step)


def _post(shipped: Shipped, readings: dict[int, float], device: str = "urn:epc:id:giai:4000001.1001") -> None:
    elements = [element(_at(shipped, step), value, device=device) for step, value in readings.items()]
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=elements)


def _spans(shipped: Shipped) -> list[tuple[str, int, int, bool]]:
    """(kind, start step, end step, open) of the leg's excursions."""
    return [
        (e.kind, int((e.start - shipped.departed) / dt.timedelta(minutes=5)),
         int((e.end - shipped.departed) / dt.timedelta(minutes=5)), e.still_open)
        for e in Excursion.objects.order_by("start", "kind")
    ]  # fmt: skip


def test_the_warm_middle_arriving_last_joins_the_readings_around_it(shipped: Shipped) -> None:
    # given
    _post(shipped, {0: 4, 1: 4, 2: 4, 3: 4, 8: 4, 9: 4})
    # when
    _post(shipped, {4: 9, 5: 10, 6: 12, 7: 9})
    # then
    assert _spans(shipped) == [("too_warm", 4, 8, False)]
    assert Excursion.objects.get().peak == 120


def test_an_open_excursion_closes_when_the_later_readings_arrive(shipped: Shipped) -> None:
    # given
    _post(shipped, {4: 9, 5: 10})
    assert _spans(shipped) == [("too_warm", 4, 5, True)]
    # when
    _post(shipped, {0: 4, 6: 11, 7: 4, 8: 4})
    # then
    assert _spans(shipped) == [("too_warm", 4, 7, False)]


def test_a_late_reading_in_range_splits_one_excursion_into_two(shipped: Shipped) -> None:
    # given: step 2 is missing, so 1–3 looks like one warm spell
    _post(shipped, {0: 4, 1: 9, 3: 9, 4: 4})
    assert _spans(shipped) == [("too_warm", 1, 4, False)]
    # when
    _post(shipped, {2: 5})
    # then
    assert _spans(shipped) == [("too_warm", 1, 2, False), ("too_warm", 3, 4, False)]


def test_excursions_far_from_a_late_batch_are_left_alone(shipped: Shipped) -> None:
    # given
    _post(shipped, {0: 4, 1: -2, 2: 4, 10: 4, 11: 10, 12: 4})
    kept = Excursion.objects.get(kind="too_cold").pk
    # when
    _post(shipped, {20: 4, 30: 9})
    # then
    assert Excursion.objects.filter(kind="too_cold").get().pk == kept
    assert _spans(shipped) == [("too_cold", 1, 2, False), ("too_warm", 11, 12, False), ("too_warm", 30, 30, True)]


def test_two_devices_are_judged_separately(shipped: Shipped) -> None:
    # given
    _post(shipped, {0: 4, 1: 9, 2: 4})
    # when
    _post(shipped, {0: 9, 1: 4}, device="urn:epc:id:giai:4000001.2002")
    # then
    assert sorted((e.device_id[-4:], e.start == shipped.departed) for e in Excursion.objects.all()) == [
        ("1001", False),
        ("2002", True),
    ]


def test_tolerance_ignores_short_spells_and_counts_long_ones(shipped: Shipped) -> None:
    # given
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="0", temperature_max="8",
                tolerance_minutes=30)  # fmt: skip
    # when: 25 minutes warm, then 35 minutes warm
    _post(shipped, {0: 4, 1: 9, 2: 9, 3: 9, 4: 9, 5: 9, 6: 4, 10: 9, 11: 9, 12: 9, 13: 9, 14: 9, 15: 9, 16: 9, 17: 4})
    # then
    assert _spans(shipped) == [("too_warm", 10, 17, False)]
    assert Excursion.objects.get().duration_minutes == 35


def test_changing_the_profile_recomputes_every_leg_and_is_versioned(shipped: Shipped) -> None:
    # given
    _post(shipped, {0: 4, 1: 7, 2: 4})
    assert _spans(shipped) == []
    # when
    profile = profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="2",
                          temperature_max="6")  # fmt: skip
    # then
    assert _spans(shipped) == [("too_warm", 1, 2, False)]
    assert (profile.version, profile.temperature_min, profile.temperature_max) == (2, 20, 60)
    assert len(profile.ledger_leaf_hash) == 64


def test_humidity_outside_its_range_is_an_excursion(shipped: Shipped) -> None:
    # given
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="0", temperature_max="8",
                humidity_min="85", humidity_max="95")  # fmt: skip
    readings = [element(_at(shipped, i), 4.0, humidity=h) for i, h in enumerate([90.0, 97.5, 98.0, 90.0])]
    # when
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=readings)
    # then
    excursion = Excursion.objects.get()
    assert (excursion.kind, excursion.peak, excursion.limit, excursion.duration_minutes) == ("humid", 980, 950, 10)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"temperature_min": "8", "temperature_max": "2"}, "temperature_max"),
        ({"temperature_min": "-90", "temperature_max": "2"}, "temperature_min"),
        ({"temperature_min": "0.25", "temperature_max": "2"}, "temperature_min"),
        ({"temperature_min": "0", "temperature_max": "8", "humidity_min": "80"}, "humidity_max"),
        ({"temperature_min": "0", "temperature_max": "8", "tolerance_minutes": -1}, "tolerance_minutes"),
    ],
)
def test_a_wrong_profile_is_refused_and_nothing_changes(shipped: Shipped, values: dict, field: str) -> None:
    # given
    before = list(ColdChainProfile.objects.values())
    # when
    with pytest.raises(InvalidInput) as refused:
        profile_set(actor=shipped.merchant, product_id=shipped.product.pk, **values)
    # then
    assert (refused.value.code, refused.value.details["field"]) == ("coldchain.profile_invalid", field)
    assert list(ColdChainProfile.objects.values()) == before


def test_detection_counts_any_reading_outside_with_zero_tolerance() -> None:
    # given
    class R:
        def __init__(self, minute: int, temperature: int) -> None:
            self.time = dt.datetime(2026, 7, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=minute)
            self.temperature, self.humidity, self.latitude, self.longitude = temperature, None, None, None

    limits = Limits(temperature_min=0, temperature_max=80, humidity_min=None, humidity_max=None, tolerance_minutes=0)
    # when
    found = excursions_find([R(0, 40), R(5, 81), R(10, 40)], limits)
    # then
    assert [(f.kind, f.duration_minutes, f.peak, f.limit) for f in found] == [("too_warm", 5, 81, 80)]


def test_a_logger_without_humidity_on_a_humidity_profile_still_merges_batches(shipped: Shipped) -> None:
    # given
    profile_set(actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="0", temperature_max="8",
                humidity_min="85", humidity_max="95")  # fmt: skip
    _post(shipped, {0: 4, 1: 4, 2: 4, 6: 4})
    # when
    _post(shipped, {3: 9, 4: 9, 5: 4})
    # then
    assert _spans(shipped) == [("too_warm", 3, 5, False)]

"""Two batches of one leg posted at the same moment: the row lock on the leg serialises them (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from xinren.coldchain.detection import Limits, excursions_find
from xinren.coldchain.models import ColdChainProfile, Excursion, Reading, ReadingBatch
from xinren.coldchain.services import readings_ingest

from .conftest import Shipped, series


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_batches_on_one_leg_both_land_and_excursions_match_a_full_recompute(
    require_postgres: None, shipped: Shipped
) -> None:
    # given: one warm spell that straddles the two batches, repeated so that the two transactions overlap
    temperatures = ([4.0] * 20 + [9.0] * 10 + [4.0] * 20) * 4
    readings = series(shipped.departed, temperatures, minutes=1)
    halves = [readings[0::2], readings[1::2]]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def post(part: list[dict]) -> None:
        try:
            barrier.wait()
            readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=part)
        except BaseException as exc:  # reported to the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(half,)) for half in halves]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert failures == []
    assert Reading.objects.count() == len(readings)
    assert ReadingBatch.objects.count() == 2
    shipped.leg.refresh_from_db()
    assert shipped.leg.reading_count == len(readings)
    profile = ColdChainProfile.objects.get()
    limits = Limits(profile.temperature_min, profile.temperature_max, None, None, profile.tolerance_minutes)
    expected = excursions_find(list(Reading.objects.order_by("time")), limits)
    stored = list(Excursion.objects.order_by("start"))
    assert [(e.start, e.end) for e in stored] == [(f.start, f.end) for f in expected]
    assert len(stored) == 4
    assert all(e.end - e.start == dt.timedelta(minutes=10) for e in stored)

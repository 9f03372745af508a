"""The demo cold chain: ranges, promises, legs with readings, one excursion at the hub, kept and broken promises."""

from __future__ import annotations

import pytest
from django.db.models import F

from xinren.catalog.models import Batch
from xinren.coldchain.demo import demo_coldchain_load
from xinren.coldchain.models import ColdChainProfile, Excursion, Leg, Promise, Reading
from xinren.coldchain.selectors import coldchain_for, promise_results_for_batch

pytestmark = pytest.mark.django_db


def test_the_demo_cold_chain_loads_once_with_one_warm_spell_and_a_broken_promise(demo_world) -> None:
    # given: the demo world, cold chain included
    readings = Reading.objects.count()
    # when
    demo_coldchain_load()
    # then
    assert Reading.objects.count() == readings > 0
    assert ColdChainProfile.objects.count() == 3 and Promise.objects.count() == 4
    # one leg per lot from the carrier's own shipping events, and two demo parcels' legs from the merchants' shipping
    # events of their orders (docs/tracking.md)
    assert Leg.objects.filter(shipping_event__organization=F("organization")).count() == Batch.objects.count() == 7
    assert Leg.objects.count() == 9
    excursion = Excursion.objects.get()
    assert (excursion.kind, excursion.duration_minutes, excursion.peak, excursion.limit) == ("too_warm", 35, 112, 60)
    assert excursion.place_name == "滇冷链昆明冷库"
    # promises are measured per item to the buyer (ADR 0036): the newest boletus lot has two items kept, one late
    newest = Batch.objects.filter(product__gtin="06975830100012").order_by("-production_date").first()
    assert newest is not None
    (result,) = promise_results_for_batch(batch=newest)
    assert (result.delivered, result.kept, result.broken, result.outcome) == (3, 2, 1, "broken")
    # and no lot reads "kept" from its arrival at a hub: the pine mushrooms reached buyers only by late confirmations
    matsutake = [promise_results_for_batch(batch=batch)[0]
                 for batch in Batch.objects.filter(product__gtin="06975830100029")]  # fmt: skip
    assert [(r.kept, r.broken, r.outcome) for r in matsutake] == [(0, 0, None)] * 3
    warm = excursion.leg.batch
    section = coldchain_for(product=warm.product, batch=warm)
    assert section is not None and section["legs"][0]["excursions"][0]["minutes"] == 35

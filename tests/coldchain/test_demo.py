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
    outcomes = {
        batch.product.name[:4]: [r.outcome for r in promise_results_for_batch(batch=batch)]
        for batch in Batch.objects.select_related("product").order_by("-production_date")
    }
    assert outcomes["香格里拉"] == ["broken"]  # 24 hours promised, 34 hours measured
    # the older boletus lot (the last one written) arrived in 34 hours; tea in 34 of 72
    assert outcomes["楚雄野生"] == ["kept"] and outcomes["景迈山古"] == ["kept"]
    warm = excursion.leg.batch
    section = coldchain_for(product=warm.product, batch=warm)
    assert section is not None and section["legs"][0]["excursions"][0]["minutes"] == 35

"""The demo paths run through the services: an automatic payout, a return refunded, a dispute decided."""

from __future__ import annotations

import datetime as dt

from xinren.aftersales.choices import DecidedBy, Status
from xinren.aftersales.demo import demo_aftersales_load
from xinren.aftersales.models import AfterSaleRequest
from xinren.core import clock
from xinren.orders.models import Offer

from ..factories import ProductFactory
from ..fixtures.reviews import line_through_flow


def test_the_demo_shows_every_path(platform, consumer, product_on_sale, merchant):
    # given three lines delivered six hours ago (every demo step then lies in the past), the first of fresh mushrooms
    with clock.played_at(clock.now() - dt.timedelta(hours=6)):
        line_through_flow(consumer, product_on_sale)
        for name in ("普洱茶饼", "蜂蜜 500g"):
            other = ProductFactory(merchant=merchant, name=name, category="tea")
            Offer.objects.create(merchant=merchant, product=other, price_fen=5000, stock=10)
            line_through_flow(consumer, other)
    # when
    made = demo_aftersales_load()
    # then
    by = {key: AfterSaleRequest.objects.get(reference=ref) for key, ref in made.references.items()}
    assert by["bad_order"].status == Status.PAID
    assert by["bad_order"].decisions.get().decided_by == DecidedBy.RULE
    assert (by["return"].status, by["return"].refunded_fen) == (Status.REFUNDED, 5000)
    assert (by["dispute"].status, by["dispute"].refunded_fen) == (Status.REFUNDED, 2500)
    assert [d.decided_by for d in by["dispute"].decisions.all()] == [DecidedBy.MERCHANT, DecidedBy.OPERATOR]

"""The demo answers the NPS question on closed requests of several shops, through the services."""

from __future__ import annotations

import datetime as dt

from xinren.aftersales.choices import Status
from xinren.aftersales.demo import demo_aftersales_load
from xinren.aftersales.demo_nps import WAITING_PHONE, demo_nps_load
from xinren.aftersales.models import AfterSaleRequest, NpsAnswer
from xinren.aftersales.nps_selectors import consumer_nps_question, operator_nps_overview
from xinren.core import clock
from xinren.orders.models import Offer

from ..factories import ProductFactory
from ..fixtures.accounts import consumer_with_phone
from ..fixtures.reviews import line_through_flow


def test_the_demo_answers_nps_across_shops(platform, operator, consumer, product_on_sale, other_product_on_sale,
                                           merchant, other_merchant):
    # given: a box of mushrooms and four teas delivered, and the demo loaded twelve days later
    with clock.played_at(clock.now() - dt.timedelta(hours=6)):
        line_through_flow(consumer, product_on_sale)
        line_through_flow(consumer, other_product_on_sale)
        for name in ("普洱熟茶", "滇红", "白茶"):  # one product each: a shipped item leaves none to sell
            tea = ProductFactory(merchant=other_merchant, name=name, category="tea")
            Offer.objects.create(merchant=other_merchant, product=tea, price_fen=5000, stock=10)
            line_through_flow(consumer, tea)
        cake = ProductFactory(merchant=merchant, name="鲜花饼", category="baked_goods")
        Offer.objects.create(merchant=merchant, product=cake, price_fen=3000, stock=10)
        line_through_flow(consumer_with_phone(WAITING_PHONE), cake)  # the demo consumer left to answer
    with clock.played_at(clock.now() + dt.timedelta(days=12)):
        demo_aftersales_load()
        # when
        made = demo_nps_load()
        # then: every closed demo request has its answer, from both shops, none in the future
        answers = NpsAnswer.objects.select_related("request")
        assert sorted(answer.request.reference for answer in answers) == sorted(made.references)
        assert len(made.references) == 5
        assert {answer.merchant for answer in answers} == {merchant, other_merchant}
        assert all(answer.answered_at <= clock.now() for answer in answers)
        # a refusal left unescalated past its window is answered too
        assert AfterSaleRequest.objects.filter(status=Status.REFUSED, nps__isnull=False).count() == 1
        assert {row.label for row in operator_nps_overview(actor=operator).categories} == {"野生菌", "茶叶"}
        # and the demo consumer's own refund waits for her answer
        waiting = AfterSaleRequest.objects.get(reference=made.waiting)
        assert (waiting.status, waiting.consumer.phone, consumer_nps_question(request=waiting).open) == (
            Status.REFUNDED, WAITING_PHONE, True)
        # and loading again answers nothing twice
        assert demo_nps_load().references == []

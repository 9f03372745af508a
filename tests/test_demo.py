"""The demo world loads through the services, once, with full histories."""

import pytest

from xinren.accounts.models import Organization, User
from xinren.catalog.models import Item, Product
from xinren.demo.loader import demo_load
from xinren.trace.models import TraceEvent
from xinren.trace.selectors import events_for_item

pytestmark = pytest.mark.django_db


def test_demo_load_is_complete_and_idempotent(demo_world):
    # given: the demo as the first load made it
    world = demo_world
    # when
    again = demo_load()
    # then
    assert len(world.organizations) == 6  # the loader's own; the trust demo adds two alliances
    assert again.organizations == {}
    assert Organization.objects.count() == 9  # and the money demo's insurer (aftersales/demo_money.py)
    assert User.objects.filter(username__in=["admin", "mushroom", "tea", "bakery", "lab", "coldchain"]).count() == 6
    assert Product.objects.filter(status="active").count() == 4
    assert Item.objects.count() == 304
    events_before = TraceEvent.objects.count()
    assert events_before > 0
    demo_load()
    assert TraceEvent.objects.count() == events_before


def test_every_demo_item_has_a_full_history(demo_world):
    item = Item.objects.select_related("product").filter(product__category="wild_mushroom").first()
    assert item is not None
    steps = [event.biz_step for event in events_for_item(item=item)]
    assert steps == ["harvesting", "commissioning", "inspecting", "packing", "shipping", "receiving", "storing"]


def test_the_demo_shows_every_after_sale_path(demo_world):
    from xinren.aftersales.choices import DecidedBy, Status
    from xinren.aftersales.models import AfterSaleDecision, AfterSaleRequest

    statuses = set(AfterSaleRequest.objects.values_list("status", flat=True))
    deciders = set(AfterSaleDecision.objects.values_list("decided_by", flat=True))
    # an automatic 坏单包赔 payout, a seven-day return refunded, a refused request escalated and decided
    assert Status.PAID in statuses and Status.REFUNDED in statuses
    assert {DecidedBy.RULE, DecidedBy.MERCHANT, DecidedBy.OPERATOR} <= deciders
    # and every step happened after the delivery it answers, and none in the future
    from xinren.aftersales.models import AfterSaleTransition
    from xinren.core import clock

    for step in AfterSaleTransition.objects.select_related("request__order"):
        assert step.request.order.delivered_at < step.at <= clock.now()

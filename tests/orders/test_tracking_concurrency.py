"""Carrier updates racing on PostgreSQL: a resent update and a delivery confirmation, each on its own connection."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.orders.models import Order, OrderStatusChange, Shipment
from xinren.orders.services import order_delivery_confirm, shipment_update_post
from xinren.trace.models import TraceEvent

from ..concurrency import race
from .test_tracking import NOW, SHIPPED, carrier, hub, pinned_clock, shipment  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_same_update_sent_four_times_at_once_is_recorded_once(require_postgres, carrier, shipment, hub):  # noqa: F811
    # when
    results = race(*(
        lambda: shipment_update_post(actor=carrier, shipment_id=shipment.pk, update_id="u1", status="arrived",
                                     at=SHIPPED + dt.timedelta(hours=2), place_id=hub.pk)
        for _ in range(4)
    ))  # fmt: skip
    # then
    assert not [r for r in results if isinstance(r, DomainError)], results
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.event.pk for r in results}) == 1
    assert TraceEvent.objects.filter(biz_step="arriving").count() == 1


def test_a_carriers_delivered_update_and_the_buyers_confirmation_deliver_once(
    require_postgres, consumer, carrier, shipment  # noqa: F811
):
    # when
    results = race(
        lambda: shipment_update_post(actor=carrier, shipment_id=shipment.pk, update_id="d1", status="delivered",
                                     at=NOW - dt.timedelta(hours=1)),
        lambda: order_delivery_confirm(consumer=consumer, order_number=shipment.order.number),
    )
    # then: one wins; the other is told the parcel is delivered already
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code in ("shipment.transition_invalid", "tracking.update_after_delivery")
    assert Shipment.objects.get(pk=shipment.pk).status == "delivered"
    assert OrderStatusChange.objects.filter(order_id=shipment.order_id, to_status="delivered").count() == 1
    assert TraceEvent.objects.filter(biz_step="receiving").count() == 1
    assert Order.objects.get(pk=shipment.order_id).status == "delivered"
    assert clock.now() == NOW

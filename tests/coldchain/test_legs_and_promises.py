"""Opening legs from shipping events, leg durations, and promises kept, broken or pending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import BatchFactory, OrganizationFactory, ProductFactory, actor_for
from xinren.accounts.choices import OrganizationKind, Role
from xinren.coldchain.models import Leg, Promise
from xinren.coldchain.selectors import (
    LegDuration,
    PromiseResult,
    coldchain_status_for_batch,
    leg_durations_for_batch,
    promise_results_for_batch,
)
from xinren.coldchain.services import item_deliveries_record, leg_open, promise_set, readings_ingest
from xinren.core.errors import InvalidInput, NotFound, PermissionDenied
from xinren.trace.services import delivery_receipt_record, event_record

from .conftest import Shipped, series

pytestmark = pytest.mark.django_db


def _receive(shipped: Shipped, hours_after_departure: float, items: int | None = None) -> str:
    chosen = shipped.items if items is None else shipped.items[:items]
    event = event_record(
        actor=shipped.carrier, event_type="ObjectEvent", biz_step="receiving",
        event_time=shipped.departed + dt.timedelta(hours=hours_after_departure),
        identifiers=[item.digital_link.path for item in chosen],
    )  # fmt: skip
    return event.event_id


def _deliver(shipped: Shipped, hours_after_departure: float, items: int) -> str:
    """The carrier reports the first `items` items delivered to their buyer (as orders does for a shipment)."""
    event = delivery_receipt_record(
        organization=shipped.carrier.organization, merchant=shipped.merchant.organization,
        identifiers=[item.digital_link.path for item in shipped.items[:items]],
        event_time=shipped.departed + dt.timedelta(hours=hours_after_departure),
    )  # fmt: skip
    item_deliveries_record(event=event, by_buyer=False)
    return event.event_id


def test_opening_a_leg_again_returns_the_same_leg(shipped: Shipped) -> None:
    # when
    legs = leg_open(actor=shipped.carrier, shipping_event_id=shipped.shipping.event_id)
    # then
    assert [leg.pk for leg in legs] == [shipped.leg.pk]
    assert (shipped.leg.batch, shipped.leg.from_place, shipped.leg.departed_at) == (
        shipped.batch,
        shipped.hub,
        shipped.departed,
    )
    assert Leg.objects.count() == 1


def test_a_carrier_opens_a_leg_for_a_shipment_the_merchant_recorded(shipped: Shipped) -> None:
    # given
    event = event_record(
        actor=shipped.merchant, event_type="ObjectEvent", biz_step="shipping",
        event_time=shipped.departed + dt.timedelta(hours=8), identifiers=[shipped.items[0].digital_link.path],
    )  # fmt: skip
    # when
    (leg,) = leg_open(actor=shipped.carrier, shipping_event_id=event.event_id)
    # then
    assert (leg.organization, leg.batch, leg.shipping_event) == (shipped.carrier.organization, shipped.batch, event)


def test_a_carrier_without_the_merchants_grant_cannot_open_a_leg(shipped: Shipped) -> None:
    # given
    stranger = actor_for(OrganizationFactory(kind=OrganizationKind.LOGISTICS, slug="sf-cold"))
    # when
    with pytest.raises(PermissionDenied) as refused:
        leg_open(actor=stranger, shipping_event_id=shipped.shipping.event_id)
    # then
    assert refused.value.code == "coldchain.leg_forbidden"
    assert Leg.objects.count() == 1


def test_a_merchant_cannot_open_legs(shipped: Shipped) -> None:
    # when
    with pytest.raises(PermissionDenied) as refused:
        leg_open(actor=shipped.merchant, shipping_event_id=shipped.shipping.event_id)
    # then
    assert refused.value.code == "permission.organization_kind"


def test_a_leg_starts_only_at_a_shipping_event_that_exists(shipped: Shipped) -> None:
    # when
    with pytest.raises(InvalidInput) as not_shipping:
        leg_open(actor=shipped.carrier, shipping_event_id=shipped.harvest.event_id)
    with pytest.raises(NotFound) as unknown:
        leg_open(actor=shipped.carrier, shipping_event_id="urn:uuid:00000000-0000-4000-8000-000000000000")
    # then
    assert not_shipping.value.code == "coldchain.shipping_event_invalid"
    assert unknown.value.code == "coldchain.shipping_event_not_found"
    assert Leg.objects.count() == 1


def test_a_leg_lasts_until_the_lot_is_received(shipped: Shipped) -> None:
    # given
    assert leg_durations_for_batch(batch=shipped.batch) == [
        LegDuration(leg_id=shipped.leg.pk, departed_at=shipped.departed, arrived_at=None, hours=None)
    ]
    # when
    _receive(shipped, 5.5)
    # then
    assert leg_durations_for_batch(batch=shipped.batch) == [
        LegDuration(
            leg_id=shipped.leg.pk, departed_at=shipped.departed,
            arrived_at=shipped.departed + dt.timedelta(hours=5.5), hours=5.5,
        )
    ]  # fmt: skip


def test_the_status_says_all_within_range_only_when_every_leg_has_clean_readings(shipped: Shipped) -> None:
    # given
    assert coldchain_status_for_batch(batch=shipped.batch).all_within_range is False
    # when
    result = readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4, 5]))
    # then
    status = coldchain_status_for_batch(batch=shipped.batch)
    assert (status.legs, status.legs_with_readings, status.readings, status.excursions) == (1, 1, 2, [])
    assert status.all_within_range is True
    assert status.leaf_hashes == [result.leaf_hash]
    assert status.profile is not None and (status.profile["temperature_min"], status.profile["temperature_max"]) == (
        0.0,
        8.0,
    )


def test_promises_are_pending_while_in_transit_then_kept_or_broken(shipped: Shipped) -> None:
    # given: harvested 20 hours before departure
    fast = promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=48, text="48小时从产地到餐桌")
    assert [(r.pending, r.outcome) for r in promise_results_for_batch(batch=shipped.batch)] == [(3, "pending")]
    # when: two of three items reach their buyers 25 hours after harvest
    arrival = _deliver(shipped, 5, items=2)
    # then
    (result,) = promise_results_for_batch(batch=shipped.batch)
    assert result == PromiseResult(
        promise_id=fast.pk, text="48小时从产地到餐桌", hours_promised=48, unit="item", kept=2, broken=0, pending=1,
        measured_hours=25.0, outcome="pending", evidence_event_ids=sorted({shipped.harvest.event_id, arrival}),
        delivered=2,
    )  # fmt: skip


def test_items_received_at_a_hub_are_neither_delivered_nor_on_their_way(shipped: Shipped) -> None:
    # given
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=48)
    # when the hub receives the three items
    _receive(shipped, 3)
    # then: they wait in stock there
    (result,) = promise_results_for_batch(batch=shipped.batch)
    assert (result.delivered, result.kept, result.pending, result.unconfirmed, result.outcome) == (0, 0, 0, 0, None)


def test_a_promise_shorter_than_the_trip_is_broken(shipped: Shipped) -> None:
    # given
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=24, text="24小时直达")
    # when
    _deliver(shipped, 5, items=2)
    # then: two arrived after 25 hours; the third has no delivery 40 hours after harvest, so it is unconfirmed
    (result,) = promise_results_for_batch(batch=shipped.batch)
    assert (result.kept, result.broken, result.pending, result.unconfirmed, result.outcome) == (0, 2, 0, 1, "broken")


def test_a_lot_received_as_a_whole_at_a_hub_is_not_delivered(merchant) -> None:  # type: ignore[no-untyped-def]
    # given: the lot harvested, shipped and received somewhere, 30 hours after harvest
    actor = actor_for(merchant, Role.ADMIN)
    batch = BatchFactory(product=ProductFactory(merchant=merchant))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lot = [batch.digital_link.path]
    for step, hours_ago in (("harvesting", 40), ("shipping", 30), ("receiving", 10)):
        at = now - dt.timedelta(hours=hours_ago)
        event_record(actor=actor, event_type="ObjectEvent", biz_step=step, event_time=at, identifiers=lot,
                     quantity=Decimal(10), uom="KGM")  # fmt: skip
    promise_set(actor=actor, product_id=batch.product_id, hours=72)
    # when
    (result,) = promise_results_for_batch(batch=batch)
    # then: no item reached a buyer, so nothing is kept (it used to read "kept, 30 hours")
    assert (result.unit, result.delivered, result.kept, result.measured_hours, result.outcome, result.text) == (
        "item", 0, 0, None, None, "产地到餐桌 72 小时"
    )


def test_a_withdrawn_promise_is_not_measured(shipped: Shipped) -> None:
    # given
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=48)
    # when
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=48, active=False)
    # then
    assert promise_results_for_batch(batch=shipped.batch) == []
    assert Promise.objects.count() == 1


@pytest.mark.parametrize(("hours", "text"), [(0, ""), (2401, ""), (48, "很" * 65)])
def test_a_wrong_promise_is_refused(shipped: Shipped, hours: int, text: str) -> None:
    # when
    with pytest.raises(InvalidInput) as refused:
        promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=hours, text=text)
    # then
    assert refused.value.code == "coldchain.promise_invalid"
    assert Promise.objects.count() == 0


def test_another_merchant_cannot_set_promises_or_profiles_on_a_product(shipped: Shipped, other_actor) -> None:  # type: ignore[no-untyped-def]
    # when
    with pytest.raises(NotFound) as refused:
        promise_set(actor=other_actor, product_id=shipped.product.pk, hours=48)
    # then
    assert refused.value.code == "coldchain.product_not_found"
    assert Promise.objects.count() == 0

"""Return pickups (上门取件): booked with the logistics organization, collected by its courier (an EPCIS event on the
returned item), the request moved as the consumer's own shipping moves it, and the refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xinren.aftersales.choices import FeeBearer, Kind, Level, PickupStatus, Status
from xinren.aftersales.models import AfterSaleRequest, ReturnPickup
from xinren.aftersales.services import (
    aftersale_merchant_agree,
    aftersale_open,
    aftersale_return_receive,
    aftersale_return_ship,
    return_pickup_book,
    return_pickup_cancel,
    return_pickup_collect,
)
from xinren.aftersales.services.pickups import pickup_logistics, pickup_windows
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.orders.models import Address, Refund, Shipment
from xinren.orders.services.addresses import address_create
from xinren.trace.models import TraceEvent
from xinren.trace.story import story_for_item

from ..factories import OrganizationFactory, actor_for, legacy_grant

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 Beijing time on a Monday: the windows from 11:00 today are open.
MORNING = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def address(consumer) -> Address:  # type: ignore[no-untyped-def]
    return address_create(consumer=consumer, recipient_name="王小明", recipient_phone="13812341234",
                          region="上海市浦东新区", detail="张杨路 500 号 12 楼")


@pytest.fixture
def granted(merchant_admin, logistics):  # type: ignore[no-untyped-def]
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    return logistics


def _agreed(consumer, merchant_actor, line, *, level: str | None = None, kind: str = Kind.RETURN_REFUND
            ) -> AfterSaleRequest:  # type: ignore[no-untyped-def]
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=kind,
                             reason="七天无理由退货", amount_fen=12800 if kind == Kind.RETURN_REFUND else 0)
    if level is not None:
        AfterSaleRequest.objects.filter(pk=request.pk).update(level=level)
    return aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)


def _book(consumer, request, address, *, start: dt.datetime | None = None) -> ReturnPickup:  # type: ignore[no-untyped-def]
    window = start or pickup_windows()[0].start
    return return_pickup_book(consumer=consumer, reference=request.reference, address_id=address.pk,
                              window_start=window)


def test_the_windows_are_two_hours_on_today_and_the_next_two_days_from_an_hour_ahead() -> None:
    windows = pickup_windows(now=MORNING)
    assert windows[0].start == dt.datetime(2026, 12, 7, 11, 0, tzinfo=SHANGHAI)
    assert windows[0].end - windows[0].start == dt.timedelta(hours=2)
    assert windows[-1].start == dt.datetime(2026, 12, 9, 18, 0, tzinfo=SHANGHAI)
    assert len(windows) == 4 + 5 + 5


def test_a_booked_pickup_is_collected_by_the_courier_and_the_item_trail_shows_the_return(
        consumer, merchant_actor, line, address, granted, logistics_actor):
    # given an agreed return and a pickup booked with the merchant's logistics partner
    request = _agreed(consumer, merchant_actor, line)
    pickup = _book(consumer, request, address)
    assert (pickup.logistics, pickup.status, pickup.fee_bearer) == (granted, PickupStatus.BOOKED, FeeBearer.CONSUMER)
    assert (pickup.recipient_name, pickup.address) == ("王小明", "上海市浦东新区 张杨路 500 号 12 楼")
    # when the courier picks it up
    pickup = return_pickup_collect(actor=logistics_actor, pickup_id=pickup.pk)
    # then the request is on its way back, as the consumer's own shipping would have moved it
    request.refresh_from_db()
    assert (pickup.status, request.status) == (PickupStatus.PICKED_UP, Status.RETURN_IN_TRANSIT)
    assert (request.return_carrier, request.return_tracking) == (granted.name, pickup.tracking_number)
    assert request.handed_off_at == pickup.picked_up_at
    transition = request.transitions.last()
    assert (transition.to_status, transition.by_organization) == (Status.RETURN_IN_TRANSIT, granted)
    # and the hand-off is the logistics organization's EPCIS event on the returned item
    event = pickup.hand_off_event
    assert (event.biz_step, event.disposition, event.organization) == ("accepting", "returned", granted)
    # and after the merchant signs for it, the item's public trail tells both in plain words
    request = aftersale_return_receive(actor=merchant_actor, reference=request.reference)
    item = line.shipment_items.get().item
    labels = [e["biz_step_label"] for e in story_for_item(item=item)["events"]]
    assert labels[-2:] == ["快递员上门取件，退货寄回商家", "商家已签收退货"]
    # and the address never reaches the log
    assert "张杨路" not in str(event.document)


def test_a_high_trust_consumer_is_refunded_when_the_courier_picks_up(
        consumer, merchant_actor, line, address, granted, logistics_actor):
    request = _agreed(consumer, merchant_actor, line, level=Level.HIGH)
    pickup = _book(consumer, request, address)
    return_pickup_collect(actor=logistics_actor, pickup_id=pickup.pk)
    request.refresh_from_db()
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 12800)
    assert request.transitions.filter(rule="tiered_refund:high").count() == 1
    assert Refund.objects.get().amount_fen == 12800


def test_the_outbound_carrier_is_chosen_when_it_is_on_the_platform_and_granted(
        consumer, merchant_actor, merchant_admin, line, granted):
    # given a second granted logistics organization that carried the parcel out
    carrier = OrganizationFactory(name="顺达冷链", slug="shunda", kind="logistics")
    legacy_grant(actor=merchant_admin, partner_slug=carrier.slug)
    request = _agreed(consumer, merchant_actor, line)
    assert pickup_logistics(request) == granted  # the earliest grant, while the shipment names no carrier
    Shipment.objects.filter(order=line.order).update(carrier_organization=carrier)
    assert pickup_logistics(request) == carrier


def test_with_no_logistics_organization_the_consumer_ships_the_return_themselves(
        consumer, merchant_actor, line, address):
    request = _agreed(consumer, merchant_actor, line)
    with pytest.raises(Conflict) as refused:
        _book(consumer, request, address)
    assert refused.value.code == "aftersale.pickup_unavailable"
    assert ReturnPickup.objects.count() == 0
    request = aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运",
                                    tracking_number="SF1")
    assert request.status == Status.RETURN_IN_TRANSIT


@pytest.mark.parametrize("when", ["past", "too_far", "off_slot", "none"])
def test_past_or_implausible_windows_are_refused(consumer, merchant_actor, line, address, granted, when):
    request = _agreed(consumer, merchant_actor, line)
    now = clock.now()
    start = {"past": now - dt.timedelta(hours=3), "too_far": pickup_windows()[-1].start + dt.timedelta(days=1),
             "off_slot": pickup_windows()[0].start + dt.timedelta(minutes=30), "none": None}[when]
    with pytest.raises(InvalidInput) as refused:
        return_pickup_book(consumer=consumer, reference=request.reference, address_id=address.pk,
                           window_start=start)
    assert refused.value.code == "aftersale.pickup_window_invalid"
    assert ReturnPickup.objects.count() == 0


def test_booking_is_refused_before_agreement_for_another_address_or_twice(
        consumer, other_consumer, merchant_actor, line, address, granted):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.RETURN_REFUND, reason="七天无理由退货", amount_fen=12800)
    with pytest.raises(Conflict) as refused:
        _book(consumer, request, address)
    assert refused.value.code == "aftersale.transition_invalid"
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    theirs = address_create(consumer=other_consumer, recipient_name="李娜", recipient_phone="13987654321",
                            region="北京市朝阳区", detail="建国路 88 号")
    with pytest.raises(InvalidInput) as refused:
        _book(consumer, request, theirs)
    assert refused.value.code == "aftersale.pickup_address_invalid"
    with pytest.raises(NotFound):
        _book(other_consumer, request, theirs)
    assert ReturnPickup.objects.count() == 0
    _book(consumer, request, address)
    with pytest.raises(Conflict) as refused:
        _book(consumer, request, address)
    assert refused.value.code == "aftersale.pickup_booked"
    # nor can the consumer enter a tracking number of their own while the pickup stands
    with pytest.raises(Conflict):
        aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运",
                              tracking_number="SF2")
    assert (ReturnPickup.objects.count(), AfterSaleRequest.objects.get().status) == (1, Status.AGREED)


def test_only_the_assigned_logistics_organization_collects_once(
        consumer, merchant_actor, line, address, granted, logistics_actor):
    request = _agreed(consumer, merchant_actor, line)
    pickup = _book(consumer, request, address)
    stranger = actor_for(OrganizationFactory(name="别家物流", slug="other-logistics", kind="logistics"))
    with pytest.raises(NotFound):
        return_pickup_collect(actor=stranger, pickup_id=pickup.pk)
    with pytest.raises(PermissionDenied):
        return_pickup_collect(actor=merchant_actor, pickup_id=pickup.pk)
    assert (ReturnPickup.objects.get().status, TraceEvent.objects.filter(biz_step="accepting").count()) == (
        PickupStatus.BOOKED, 0)
    return_pickup_collect(actor=logistics_actor, pickup_id=pickup.pk)
    with pytest.raises(Conflict):
        return_pickup_collect(actor=logistics_actor, pickup_id=pickup.pk)
    assert TraceEvent.objects.filter(biz_step="accepting").count() == 1


def test_a_cancelled_pickup_frees_the_way_to_book_again(consumer, merchant_actor, line, address, granted,
                                                       logistics_actor):
    request = _agreed(consumer, merchant_actor, line)
    first = _book(consumer, request, address)
    return_pickup_cancel(consumer=consumer, reference=request.reference)
    with pytest.raises(Conflict):
        return_pickup_collect(actor=logistics_actor, pickup_id=first.pk)
    second = _book(consumer, request, address, start=pickup_windows()[1].start)
    assert list(ReturnPickup.objects.values_list("status", flat=True).order_by("id")) == [
        PickupStatus.CANCELLED, PickupStatus.BOOKED]
    assert second.window_start == pickup_windows()[1].start

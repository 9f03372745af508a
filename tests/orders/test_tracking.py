"""Parcel tracking: the timeline from the signed events of the parcel's items, carrier updates, and the estimate."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.coldchain.models import Leg
from xinren.coldchain.services import leg_open, profile_set, promise_set, readings_ingest
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.orders.choices import OrderStatus, ShipmentStatus
from xinren.orders.models import Order, Shipment
from xinren.orders.services import order_delivery_confirm, shipment_update_post
from xinren.orders.tracking import delivery_estimate, parcel_tracking
from xinren.trace.epcis.vocabulary import EPCIS_CONTEXT
from xinren.trace.models import TraceEvent
from xinren.trace.services import epcis_capture, event_record, place_create

from ..factories import OrganizationFactory, actor_for, legacy_grant
from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call, key_for, member
from .flows import lot_harvested, order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)  # 20:00 in Shanghai
SHIPPED = NOW - dt.timedelta(hours=30)  # 12-05 06:00 UTC, 14:00 in Shanghai


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def carrier(logistics, merchant_admin):
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    return actor_for(logistics, Role.STAFF)


@pytest.fixture
def hub(carrier):
    return place_create(actor=carrier, name="滇冷链上海分拨中心", latitude="31.196", longitude="121.598")


@pytest.fixture
def shipment(consumer, product, offer, merchant_admin, items, carrier) -> Shipment:
    """The consumer's order of two (SN0001, SN0002), shipped 30 hours ago with the granted carrier named on it."""
    with clock.played_at(SHIPPED - dt.timedelta(hours=1)):
        order = order_placed(consumer, product, 2)
        order_paid(consumer, order)
    with clock.played_at(SHIPPED):
        return order_shipped(merchant_admin, order, items[:2], carrier_organization=carrier.organization.slug)


def _update(carrier, shipment, update_id, status, hours_after, place=None):
    return shipment_update_post(
        actor=carrier, shipment_id=shipment.pk, update_id=update_id, status=status,
        at=SHIPPED + dt.timedelta(hours=hours_after), place_id=place.pk if place else None,
    )


# -- the timeline ----------------------------------------------------------------------------------------------------


def test_the_timeline_shows_shipping_and_carrier_updates_newest_first_with_chinese_labels(carrier, shipment, hub):
    # given
    _update(carrier, shipment, "u1", "departed", 1)
    _update(carrier, shipment, "u3", "out_for_delivery", 20)  # posted out of order: sorted by time
    _update(carrier, shipment, "u2", "arrived", 12, hub)
    _update(carrier, shipment, "u4", "delivered", 22)
    # when
    tracking = parcel_tracking(shipment=Shipment.objects.get(pk=shipment.pk))
    # then
    assert [(s.kind, s.title, s.place, s.by_carrier) for s in tracking.steps] == [
        ("delivered", "已签收", "", True),
        ("out_for_delivery", "派送中", "", True),
        ("arriving", "到达 滇冷链上海分拨中心", "滇冷链上海分拨中心", True),
        ("departing", "运输中", "", True),
        ("shipping", "已发货", "", False),
    ]
    assert [s.at for s in tracking.steps] == [SHIPPED + dt.timedelta(hours=h) for h in (22, 20, 12, 1, 0)]
    assert tracking.steps[0].detail == "承运商确认送达"
    assert all(s.proof is not None and s.proof["state"] in ("pending", "verified") for s in tracking.steps)
    assert tracking.delivered
    order = Order.objects.get(pk=shipment.order_id)
    assert (order.status, order.delivered_at) == (OrderStatus.DELIVERED, SHIPPED + dt.timedelta(hours=22))


def test_only_events_of_the_parcels_items_after_shipping_are_steps(carrier, shipment, items, merchant_actor, hub):
    # given: an event about the parcel's item before shipping, one about another item of the same lot after it,
    # one about the lot as a whole after it, and one about the parcel's item after it
    before = event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="packing",
                          event_time=SHIPPED - dt.timedelta(hours=2), identifiers=[items[0].digital_link.path])
    event_record(actor=carrier, event_type="ObjectEvent", biz_step="arriving",
                 event_time=SHIPPED + dt.timedelta(hours=3), identifiers=[items[4].digital_link.path])
    event_record(actor=carrier, event_type="ObjectEvent", biz_step="arriving",
                 event_time=SHIPPED + dt.timedelta(hours=4), identifiers=[items[0].batch.digital_link.path])
    mine = event_record(actor=carrier, event_type="ObjectEvent", biz_step="arriving", place_id=hub.pk,
                        event_time=SHIPPED + dt.timedelta(hours=5), identifiers=[items[1].digital_link.path])
    # when
    tracking = parcel_tracking(shipment=shipment)
    # then
    assert [s.at for s in tracking.steps] == [mine.event_time, shipment.shipped_at]
    assert before.event_time < shipment.shipped_at


def test_an_event_declared_erroneous_by_its_recorder_is_left_out(carrier, shipment, hub):
    # given
    update = _update(carrier, shipment, "u1", "arrived", 3, hub)
    document = dict(update.event.document)
    document["errorDeclaration"] = {"declarationTime": NOW.isoformat(), "reason": "incorrect_data"}
    document["@context"] = [EPCIS_CONTEXT]
    epcis_capture(actor=carrier, document=document)
    # when
    tracking = parcel_tracking(shipment=shipment)
    # then
    assert [s.kind for s in tracking.steps] == ["shipping"]


def test_a_buyers_confirmation_is_the_last_step(consumer, shipment, platform):
    # when
    order_delivery_confirm(consumer=consumer, order_number=shipment.order.number)
    # then
    tracking = parcel_tracking(shipment=Shipment.objects.get(pk=shipment.pk))
    first = tracking.steps[0]
    assert (first.kind, first.title, first.detail) == ("delivered", "已签收", "买家确认收货")


def test_the_places_own_time_is_shown_when_it_is_not_shanghais(carrier, shipment):
    # given: an update made in Vientiane (UTC+07:00)
    at = (SHIPPED + dt.timedelta(hours=6)).astimezone(dt.timezone(dt.timedelta(hours=7)))
    shipment_update_post(actor=carrier, shipment_id=shipment.pk, update_id="la-1", status="in_transit", at=at)
    # when
    step = parcel_tracking(shipment=shipment).steps[0]
    # then: 12-05 12:00 UTC is 19:00 there
    assert (step.title, step.at, step.local_time) == ("运输中", at, "2026-12-05 19:00 (UTC+07:00)")


def test_a_cold_chain_leg_and_its_excursion_join_the_timeline(carrier, merchant_admin, shipment, product):
    # given: a 2–6 °C range; the carrier opens a leg from the parcel's shipping event and its logger reads 9 °C
    # for half an hour
    profile_set(actor=merchant_admin, product_id=product.pk, temperature_min="2", temperature_max="6",
                tolerance_minutes=10)
    leg = leg_open(actor=carrier, shipping_event_id=shipment.trace_event.event_id)[0]
    readings = []
    for minute in range(0, 121, 10):
        at = SHIPPED + dt.timedelta(minutes=minute)
        value = 9.0 if 40 <= minute <= 70 else 4.0
        readings.append({"sensorMetadata": {"time": at.isoformat(), "deviceID": "urn:epc:id:giai:6901234.1"},
                         "sensorReport": [{"type": "Temperature", "value": value, "uom": "CEL"}]})
    readings_ingest(actor=carrier, leg_id=leg.pk, readings=readings)
    # when
    tracking = parcel_tracking(shipment=shipment)
    # then
    assert tracking.coldchain_state == "excursion"
    [cold] = tracking.legs
    assert (cold.readings, cold.low, cold.high, cold.range_low, cold.range_high, cold.excursions) == (
        13, 4.0, 9.0, 2.0, 6.0, 1)
    excursion = next(s for s in tracking.steps if s.kind == "excursion")
    assert (excursion.title, excursion.tone, excursion.at) == (
        "冷链温控：超出上限", "warn", SHIPPED + dt.timedelta(minutes=40))
    assert excursion.detail.startswith("峰值 9.0°C，限值 6.0°C，持续 ")
    shipping = next(s for s in tracking.steps if s.kind == "shipping")
    assert shipping.coldchain == cold
    assert Leg.objects.count() == 1


def test_a_leg_in_range_is_ok(carrier, merchant_admin, shipment, product):
    profile_set(actor=merchant_admin, product_id=product.pk, temperature_min="2", temperature_max="6")
    leg = leg_open(actor=carrier, shipping_event_id=shipment.trace_event.event_id)[0]
    readings_ingest(actor=carrier, leg_id=leg.pk, readings=[
        {"sensorMetadata": {"time": (SHIPPED + dt.timedelta(minutes=m)).isoformat(),
                            "deviceID": "urn:epc:id:giai:6901234.2"},
         "sensorReport": [{"type": "Temperature", "value": 3.5, "uom": "CEL"}]} for m in (5, 10)
    ])
    assert parcel_tracking(shipment=shipment).coldchain_state == "ok"


# -- carrier updates: who, what, when -------------------------------------------------------------------------------


def test_a_resent_update_changes_nothing(carrier, shipment, hub):
    # given
    first = _update(carrier, shipment, "u1", "arrived", 3, hub)
    # when
    again = _update(carrier, shipment, "u1", "arrived", 3, hub)
    # then
    assert (first.created, again.created, again.event.pk) == (True, False, first.event.pk)
    assert TraceEvent.objects.filter(biz_step="arriving").count() == 1


def test_a_reused_update_id_with_other_facts_is_refused(carrier, shipment, hub):
    _update(carrier, shipment, "u1", "arrived", 3, hub)
    with pytest.raises(Conflict) as refused:
        _update(carrier, shipment, "u1", "departed", 4, hub)
    assert refused.value.code == "tracking.update_id_reused"
    assert TraceEvent.objects.filter(biz_step="departing").count() == 0


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (NOW + dt.timedelta(hours=1), "plausible.time_future"),
        (SHIPPED - dt.timedelta(minutes=1), "tracking.update_before_shipment"),
    ],
)
def test_implausible_times_are_refused_before_anything_is_signed(carrier, shipment, at, code):
    # given
    events = TraceEvent.objects.count()
    # when
    with pytest.raises(InvalidInput) as refused:
        shipment_update_post(actor=carrier, shipment_id=shipment.pk, update_id="u9", status="arrived", at=at)
    # then
    assert refused.value.code == code
    assert TraceEvent.objects.count() == events


def test_a_naive_time_or_unknown_status_or_bad_id_is_refused(carrier, shipment):
    cases = [
        ({"at": dt.datetime(2026, 12, 6, 8, 0), "status": "arrived", "update_id": "u1"}, "time"),
        ({"at": NOW, "status": "lost_in_space", "update_id": "u1"}, "status"),
        ({"at": NOW, "status": "arrived", "update_id": "has space"}, "update_id"),
    ]
    for fields, field in cases:
        with pytest.raises(InvalidInput) as refused:
            shipment_update_post(actor=carrier, shipment_id=shipment.pk, **fields)
        assert (refused.value.code, refused.value.details["field"]) == ("tracking.update_invalid", field)
    assert TraceEvent.objects.count() == 1


def test_no_update_after_delivery(carrier, shipment):
    _update(carrier, shipment, "u1", "delivered", 5)
    with pytest.raises(Conflict) as refused:
        _update(carrier, shipment, "u2", "arrived", 6)
    assert refused.value.code == "tracking.update_after_delivery"


def test_only_the_carrier_named_on_the_shipment_may_post(shipment, merchant_admin, merchant_actor):
    # given: another logistics firm, even one the merchant granted, and the merchant itself
    other = OrganizationFactory(name="别家物流", slug="other-logistics", kind="logistics")
    legacy_grant(actor=merchant_admin, partner_slug=other.slug)
    # then
    with pytest.raises(NotFound):
        shipment_update_post(actor=actor_for(other, Role.STAFF), shipment_id=shipment.pk, update_id="x",
                             status="arrived", at=NOW)
    with pytest.raises(PermissionDenied):
        shipment_update_post(actor=merchant_actor, shipment_id=shipment.pk, update_id="x", status="arrived", at=NOW)
    with pytest.raises(NotFound):
        shipment_update_post(actor=actor_for(other, Role.STAFF), shipment_id=99999, update_id="x",
                             status="arrived", at=NOW)
    assert TraceEvent.objects.count() == 1


def test_a_viewer_may_not_post(logistics, shipment, carrier):
    with pytest.raises(PermissionDenied):
        shipment_update_post(actor=actor_for(logistics, Role.VIEWER), shipment_id=shipment.pk, update_id="x",
                             status="arrived", at=NOW)


# -- the API ---------------------------------------------------------------------------------------------------------


def test_the_carrier_posts_through_the_api_and_reads_the_timeline(client, logistics, shipment, hub):
    # given
    key = key_for(logistics)
    body = {"update_id": "DL-1", "status": "arrived", "time": "2026-12-05T23:00:00+08:00", "place_id": hub.pk}
    # when
    created = call(client, "POST", f"/shipments/{shipment.pk}/updates", key=key, body=body)
    resent = call(client, "POST", f"/shipments/{shipment.pk}/updates", key=key, body=body)
    read = call(client, "GET", f"/shipments/{shipment.pk}/tracking", key=key)
    # then
    assert (created.status_code, resent.status_code, read.status_code) == (201, 200, 200), created.content
    assert created.json()["event_id"] == resent.json()["event_id"]
    steps = read.json()["steps"]
    assert [(s["kind"], s["title"]) for s in steps] == [("arriving", "到达 滇冷链上海分拨中心"), ("shipping", "已发货")]
    assert read.json()["estimate"]["source"] in ("category", "promise", "default")


def test_the_api_answers_404_to_anyone_but_the_carrier(client, merchant, shipment):
    key = key_for(merchant)
    body = {"update_id": "x", "status": "arrived", "time": "2026-12-05T23:00:00+08:00"}
    assert_error(call(client, "POST", f"/shipments/{shipment.pk}/updates", key=key, body=body), 403,
                 "permission.organization_kind")
    assert_error(call(client, "GET", f"/shipments/{shipment.pk}/tracking", key=key), 404, "shipment.not_found")
    assert_error(call(client, "POST", f"/shipments/{shipment.pk}/updates", body=body), 401, "auth.required")


def test_the_api_refuses_a_future_time_with_the_shared_error_shape(client, logistics, shipment):
    body = {"update_id": "x", "status": "arrived", "time": "2026-12-07T23:00:00+08:00"}
    response = call(client, "POST", f"/shipments/{shipment.pk}/updates", key=key_for(logistics), body=body)
    assert_error(response, 422, "plausible.time_future")
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.IN_TRANSIT


# -- the estimate ------------------------------------------------------------------------------------------------------


def test_the_estimate_is_the_ship_time_plus_the_merchants_promise_in_shanghai_dates(merchant_admin, shipment,
                                                                                      product, batch):
    # given: shipped 12-05 06:00 UTC = 12-05 14:00 Shanghai; 48 hours later is 12-07 14:00 Shanghai
    lot_harvested(merchant_admin, batch)
    promise_set(actor=merchant_admin, product_id=product.pk, hours=48, text="48小时从产地到餐桌")
    # when
    estimate = delivery_estimate(shipment=shipment, now=NOW)
    # then
    assert (estimate.due, estimate.hours, estimate.source, estimate.state) == (
        SHIPPED + dt.timedelta(hours=48), 48, "promise", "pending")
    assert estimate.summary == "预计 12月7日 送达（承诺 48 小时）"


def test_the_estimates_date_is_shanghais_not_utcs(merchant_admin, shipment, product, batch):
    # given: a 36-hour promise: due 12-06 18:00 UTC, which is already 12-07 02:00 in Shanghai
    lot_harvested(merchant_admin, batch)
    promise_set(actor=merchant_admin, product_id=product.pk, hours=36, text="次日达")
    # then
    estimate = delivery_estimate(shipment=shipment, now=NOW)
    assert (estimate.due.date(), estimate.summary) == (dt.date(2026, 12, 6), "预计 12月7日 送达（承诺 36 小时）")


def test_delivered_within_or_beyond_the_promise(carrier, merchant_admin, shipment, product, batch):
    lot_harvested(merchant_admin, batch)
    promise_set(actor=merchant_admin, product_id=product.pk, hours=20, text="20小时送达")
    _update(carrier, shipment, "u1", "delivered", 23.5)
    estimate = delivery_estimate(shipment=Shipment.objects.get(pk=shipment.pk), now=NOW)
    assert (estimate.state, estimate.late_hours, estimate.summary) == ("late", 4, "超出承诺 4 小时送达（承诺 20 小时）")
    promise_set(actor=merchant_admin, product_id=product.pk, hours=24, text="24小时送达")
    estimate = delivery_estimate(shipment=Shipment.objects.get(pk=shipment.pk), now=NOW)
    assert (estimate.state, estimate.summary) == ("on_time", "已按承诺送达（用时 23.5 小时，承诺 24 小时）")


def test_without_a_promise_the_category_default_applies_and_an_overdue_parcel_says_so(shipment, settings):
    # given: wild mushrooms, 48 hours by default; 30 hours have passed
    assert delivery_estimate(shipment=shipment, now=NOW).summary == "预计 12月7日 送达（一般 48 小时）"
    settings.XINREN_DELIVERY_HOURS_BY_CATEGORY = {"wild_mushroom": 24}
    estimate = delivery_estimate(shipment=shipment, now=NOW)
    assert (estimate.state, estimate.late_hours, estimate.summary) == (
        "overdue", 6, "已超出承诺 6 小时，仍在途中（一般 24 小时）")


# -- the order pages -------------------------------------------------------------------------------------------------


def test_the_consumers_order_page_draws_the_timeline_escaped(consumer, carrier, shipment):
    # given: a carrier place whose name carries markup
    sly = place_create(actor=carrier, name="<b>浦东</b>站", latitude="31.2", longitude="121.5")
    _update(carrier, shipment, "u1", "arrived", 3, sly)
    # when
    html = browser_of(consumer).get(f"/shop/orders/{shipment.order.number}/").content.decode()
    # then
    assert 'class="card tracking"' in html
    assert "到达 &lt;b&gt;浦东&lt;/b&gt;站" in html and "<b>浦东</b>" not in html
    assert html.index("到达 &lt;b&gt;浦东") < html.index("<b>已发货</b>")  # newest first
    assert "预计 12月7日 送达（一般 48 小时）" in html
    assert '<time datetime="2026-12-05T17:00:00+08:00">2026-12-05 17:00</time>' in html


def test_the_merchants_order_page_shows_the_same_timeline(merchant, carrier, shipment, hub):
    _update(carrier, shipment, "u1", "arrived", 3, hub)
    html = browser_of(member(merchant, Role.STAFF)).get(f"/merchant/orders/{shipment.order.number}/").content.decode()
    assert "到达 滇冷链上海分拨中心" in html and "物流详情" in html


def test_another_consumer_does_not_see_the_parcel(other_consumer, shipment):
    response = browser_of(other_consumer).get(f"/shop/orders/{shipment.order.number}/")
    assert response.status_code == 404

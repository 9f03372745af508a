"""Recording trace events and places through the web form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from xinren.catalog.models import PartnerGrant
from xinren.trace.models import Place, TraceEvent
from xinren.trace.services import place_create

from ..factories import ItemFactory

RESOLVER = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _resolver(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_RESOLVER = RESOLVER


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "event_type": "ObjectEvent",
        "action": "OBSERVE",
        "biz_step": "shipping",
        "disposition": "in_transit",
        "event_time": "2026-07-02T08:30",
        "time_zone": "Asia/Shanghai",
        "batch": "",
        "quantity": "",
        "uom": "",
        "identifiers": "",
        "parent": "",
        "outputs": "",
        "sensor-TOTAL_FORMS": "3",
        "sensor-INITIAL_FORMS": "0",
        "sensor-0-type": "Temperature",
        "sensor-1-type": "Temperature",
        "sensor-2-type": "RelativeHumidity",
    }
    data.update(overrides)
    return data


def test_event_form_defaults_to_now_in_beijing_time(staff: Client):
    # when
    response = staff.get("/merchant/events/new/")
    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["time_zone"] == "Asia/Shanghai"
    assert len(form.initial["event_time"]) == len("2026-07-02T08:30")


def test_record_whole_lot_with_quantity_place_and_temperature(staff: Client, merchant, merchant_actor, batch):
    # given
    place = place_create(actor=merchant_actor, name="南华县冷库", latitude="25.19", longitude="101.27")
    # when
    response = staff.post(
        "/merchant/events/new/",
        _form(
            batch=batch.pk, quantity="12.5", uom="KGM", place=place.pk,
            **{"sensor-0-value": "4.2", "sensor-2-value": "85", "sensor-2-time": "2026-07-02T09:00"},
        ),
    )
    # then
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/merchant/events/"
    event = TraceEvent.objects.get()
    assert (event.organization, event.event_type, event.biz_step) == (merchant, "ObjectEvent", "shipping")
    assert event.event_time_zone_offset == "+08:00"
    assert event.document["eventTime"] == "2026-07-02T08:30:00+08:00"
    assert event.document["quantityList"] == [
        {"epcClass": f"{RESOLVER}/01/{batch.product.gtin}/10/L20260701", "quantity": 12.5, "uom": "KGM"}
    ]
    assert event.place == place
    reports = event.document["sensorElementList"][0]["sensorReport"]
    assert [(r["type"], r["value"], r["uom"]) for r in reports] == [
        ("Temperature", 4.2, "CEL"),
        ("RelativeHumidity", 85, "P1"),
    ]
    assert reports[1]["time"].startswith("2026-07-02T09:00:00")
    subject = event.subjects.get()
    assert (subject.batch, subject.quantity) == (batch, Decimal("12.5"))


def test_record_pasted_serials_and_digital_links(staff: Client, batch):
    # given
    first = ItemFactory(batch=batch, serial="ABC123")
    second = ItemFactory(batch=batch, serial="XYZ789")
    pasted = f"ABC123\n  \n{RESOLVER}/01/{batch.product.gtin}/10/{batch.lot}/21/XYZ789\n"
    # when
    response = staff.post("/merchant/events/new/", _form(batch=batch.pk, identifiers=pasted, time_zone="UTC"))
    # then
    assert response.status_code == 302
    event = TraceEvent.objects.get()
    assert event.event_time_zone_offset == "+00:00"
    assert sorted(event.subjects.values_list("item_id", flat=True)) == [first.pk, second.pk]


def test_serials_without_a_batch_show_the_error_and_record_nothing(staff: Client):
    # when
    response = staff.post("/merchant/events/new/", _form(identifiers="ABC123"))
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"identifiers": ["填写序列号时请先选择批次：ABC123"]}
    assert TraceEvent.objects.count() == 0


def test_quantity_without_unit_is_refused(staff: Client, batch):
    # when
    response = staff.post("/merchant/events/new/", _form(batch=batch.pk, quantity="3"))
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"uom": ["数量和单位需要一起填写"]}
    assert TraceEvent.objects.count() == 0


def test_service_refusal_is_shown_in_the_form(staff: Client, batch):
    # given the same item twice
    ItemFactory(batch=batch, serial="ABC123")
    # when
    response = staff.post("/merchant/events/new/", _form(batch=batch.pk, identifiers="ABC123\nABC123"))
    # then
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["identifiers"]
    assert TraceEvent.objects.count() == 0


def test_logistics_records_events_for_a_merchant_that_granted_it(logistics_staff: Client, logistics, batch):
    # given
    PartnerGrant.objects.create(owner=batch.product.merchant, partner=logistics, legacy_all_products=True)
    # when
    form = logistics_staff.get("/merchant/events/new/")
    response = logistics_staff.post("/merchant/events/new/", _form(batch=batch.pk, biz_step="receiving"))
    # then
    assert batch in form.context["form"].fields["batch"].queryset
    assert response.status_code == 302
    event = TraceEvent.objects.get()
    assert (event.organization, event.biz_step) == (logistics, "receiving")


def test_logistics_without_grant_cannot_pick_or_name_the_lot(logistics_staff: Client, batch):
    # given
    link = f"{RESOLVER}/01/{batch.product.gtin}/10/{batch.lot}"
    # when
    picked = logistics_staff.post("/merchant/events/new/", _form(batch=batch.pk))
    pasted = logistics_staff.post("/merchant/events/new/", _form(identifiers=link))
    # then
    assert picked.status_code == 422
    assert list(picked.context["form"].errors) == ["batch"]
    assert pasted.status_code == 403
    assert pasted.context["form"].errors == {"identifiers": ["该商品属于其他商家，且对方未授权你记录其溯源事件"]}
    assert TraceEvent.objects.count() == 0


def test_event_list_shows_own_events_only(staff: Client, other_actor, batch, other_batch):
    # given
    assert staff.post("/merchant/events/new/", _form(batch=batch.pk)).status_code == 302
    other = Client()
    other.force_login(other_actor.user)
    assert other.post("/merchant/events/new/", _form(batch=other_batch.pk, biz_step="harvesting")).status_code == 302
    # when
    response = staff.get("/merchant/events/")
    # then
    rows = response.context["rows"]
    assert [(row.event.biz_step, row.biz_step) for row in rows] == [("shipping", "发货")]
    assert f"/10/{batch.lot}" in response.content.decode()
    assert f"/10/{other_batch.lot}" not in response.content.decode()


def test_viewer_cannot_record_events(viewer: Client, batch):
    # when
    response = viewer.post("/merchant/events/new/", _form(batch=batch.pk))
    # then
    assert response.status_code == 403
    assert TraceEvent.objects.count() == 0


def test_add_place(staff: Client, merchant):
    # when
    form = {"name": "楚雄采收点", "latitude": "25.0417", "longitude": "101.5461", "gln": "", "address": ""}
    response = staff.post("/merchant/places/", form)
    # then
    assert response.status_code == 302
    place = Place.objects.get()
    assert (place.organization, place.name, str(place.latitude)) == (merchant, "楚雄采收点", "25.041700")
    assert "楚雄采收点" in staff.get("/merchant/places/").content.decode()


def test_place_with_bad_gln_shows_the_error_on_the_field(staff: Client):
    # when
    response = staff.post("/merchant/places/", {"name": "冷库", "gln": "6901234567891"})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"gln": ["GLN 须为 13 位数字且校验位正确"]}
    assert Place.objects.count() == 0


def test_place_with_half_a_coordinate_shows_the_error_on_the_field(staff: Client):
    # when
    response = staff.post("/merchant/places/", {"name": "冷库", "latitude": "25.1"})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"longitude": ["纬度和经度须同时填写"]}
    assert Place.objects.count() == 0

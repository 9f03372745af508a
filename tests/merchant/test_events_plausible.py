"""The event form refuses what cannot be (ADR 0015): the same validator as the API and EPCIS capture."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.trace.models import TraceEvent

from ..fixtures.api import call
from .test_events import _form


@pytest.fixture(autouse=True)
def _resolver(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_RESOLVER = "http://127.0.0.1:8000"


@pytest.mark.parametrize("when", ["2027-03-01T08:30", "2030-01-01T08:30", "2099-12-31T08:30"])
def test_an_event_in_the_future_is_refused_in_the_form(staff: Client, batch, when: str):
    # when
    response = staff.post("/merchant/events/new/", _form(batch=batch.pk, event_time=when))
    # then
    assert response.status_code == 422
    assert "时间不能在未来" in response.content.decode()
    assert TraceEvent.objects.count() == 0


def test_500_degrees_is_refused_in_the_form(staff: Client, batch):
    # when
    response = staff.post("/merchant/events/new/", _form(batch=batch.pk, **{"sensor-0-value": "500"}))
    # then
    assert response.status_code == 422
    assert "测量值超出物理上可能的范围" in response.content.decode()
    assert TraceEvent.objects.count() == 0


def test_the_json_api_refuses_a_future_event_and_500_degrees(client, batch, merchant_key):  # type: ignore[no-untyped-def]
    # given
    event = {"event_type": "ObjectEvent", "biz_step": "shipping", "identifiers": [batch.digital_link.path]}
    # when
    future = call(client, "POST", "/events", key=merchant_key,
                  body={**event, "event_time": "2099-07-01T08:30:00+08:00"})
    hot = call(client, "POST", "/events", key=merchant_key, body={
        **event, "event_time": "2026-07-02T08:30:00+08:00",
        "sensor_readings": [{"type": "Temperature", "value": 500, "uom": "CEL"}],
    })
    # then
    assert (future.status_code, future.json()["code"]) == (422, "plausible.time_future")
    assert (hot.status_code, hot.json()["code"]) == (422, "plausible.value_impossible")
    assert TraceEvent.objects.count() == 0


def test_a_partner_declares_an_external_prefix_through_the_api(client, merchant_key):  # type: ignore[no-untyped-def]
    # given
    event = {"event_type": "ObjectEvent", "biz_step": "receiving", "event_time": "2026-07-02T08:30:00+08:00",
             "identifiers": ["urn:epc:id:sgtin:0614141.107346.2017"]}
    refused = call(client, "POST", "/events", key=merchant_key, body=event)
    # when
    declared = call(client, "POST", "/external-prefixes", key=merchant_key, body={"company_prefix": "0614141"})
    recorded = call(client, "POST", "/events", key=merchant_key, body=event)
    # then
    assert (refused.status_code, refused.json()["code"]) == (422, "epcis.identifier_unknown")
    assert (declared.status_code, declared.json()) == (201, {"company_prefix": "0614141", "note": ""})
    assert recorded.status_code == 201, recorded.content

"""EPCIS 2.0 capture and export, simple event recording and places through /api/v1/."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest

from xinren.accounts.choices import Role
from xinren.catalog.models import PartnerGrant
from xinren.trace.models import Place, TraceEvent

from ..conftest import shared_data
from ..factories import BatchFactory, ItemFactory, ProductFactory
from ..fixtures.api import assert_error, call, key_for

pytestmark = pytest.mark.django_db

EXAMPLE = ("epcis", "JSON", "WithDigitalLinkID", "Example_9.6.1-ObjectEventWithDigitalLink.jsonld")
EXAMPLE_GTIN = "70614141123451"


@pytest.fixture
def gs1_items(merchant):  # type: ignore[no-untyped-def]
    """Two items of one of the merchant's lots, with the serials that the GS1 example uses (produced when its events
    happened: an event may not predate its lot)."""
    batch = BatchFactory(
        product=ProductFactory(merchant=merchant), lot="L20260701", production_date=dt.date(2005, 4, 1)
    )
    return [ItemFactory(batch=batch, serial="2017"), ItemFactory(batch=batch, serial="2018")]


@pytest.fixture
def epcis_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(shared_data("epcis", "EPCIS-JSON-Schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def _example_document(gtin: str) -> dict[str, Any]:
    """GS1's Digital Link example, about our product instead of GS1's demo GTIN."""
    text = shared_data(*EXAMPLE).read_text()
    return json.loads(text.replace(EXAMPLE_GTIN, gtin))


def _capture(client, key: str, document: dict[str, Any], content_type: str = "application/ld+json"):  # type: ignore[no-untyped-def]
    return call(client, "POST", "/epcis/capture", key=key, body=document, content_type=content_type)


def _event(gtin: str, **overrides: Any) -> dict[str, Any]:
    return {
        "event_type": "ObjectEvent",
        "biz_step": "shipping",
        "event_time": "2026-07-01T08:30:00+08:00",
        "identifiers": [f"/01/{gtin}/10/L20260701/21/2017"],
        "disposition": "in_transit",
        **overrides,
    }


# --- capture ----------------------------------------------------------------------------------------------


def test_capture_shared_example_records_every_event(client, gs1_items, merchant, merchant_key):
    # given
    document = _example_document(gs1_items[0].product.gtin)
    # when
    response = _capture(client, merchant_key, document)
    # then
    assert response.status_code == 201, response.content
    recorded = list(TraceEvent.objects.order_by("id"))
    assert len(recorded) == 2
    assert response.json() == {"event_ids": [event.event_id for event in recorded]}
    assert {event.organization for event in recorded} == {merchant}
    assert [event.biz_step.rsplit("-", 1)[-1] for event in recorded] == ["shipping", "receiving"]


def test_capture_accepts_a_single_event_as_json(client, gs1_items, merchant_key):
    # given
    event = _example_document(gs1_items[0].product.gtin)["epcisBody"]["eventList"][0]
    event["@context"] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
    # when
    response = _capture(client, merchant_key, event, content_type="application/json")
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {"event_ids": [TraceEvent.objects.get().event_id]}


def test_capture_refuses_other_media_types(client, gs1_items, merchant_key):
    document = _example_document(gs1_items[0].product.gtin)
    response = _capture(client, merchant_key, document, content_type="text/plain")
    body = assert_error(response, 415, "request.media_type")
    assert body["details"] == {
        "content_type": "text/plain",
        "accepted": ["application/json", "application/ld+json"],
    }
    assert TraceEvent.objects.count() == 0


def test_capture_refuses_malformed_json(client, merchant_key):
    response = call(client, "POST", "/epcis/capture", key=merchant_key, body="{", content_type="application/json")
    assert_error(response, 400, "request.malformed")


def test_capture_refuses_a_json_array(client, merchant_key):
    response = call(client, "POST", "/epcis/capture", key=merchant_key, body=[], content_type="application/json")
    assert_error(response, 422, "epcis.document_invalid")
    assert TraceEvent.objects.count() == 0


def test_capture_is_all_or_nothing(client, gs1_items, merchant_key):
    # given: the second event has no eventTime
    document = _example_document(gs1_items[0].product.gtin)
    del document["epcisBody"]["eventList"][1]["eventTime"]
    # when
    response = _capture(client, merchant_key, document)
    # then
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"].startswith("epcis.")
    assert TraceEvent.objects.count() == 0


def test_capture_needs_authentication(client, gs1_items):
    response = _capture(client, "", _example_document(gs1_items[0].product.gtin))
    assert_error(response, 401, "auth.required")
    assert TraceEvent.objects.count() == 0


def test_capture_refused_for_viewer_key(client, gs1_items, viewer_key):
    response = _capture(client, viewer_key, _example_document(gs1_items[0].product.gtin))
    assert_error(response, 403, "permission.role")
    assert TraceEvent.objects.count() == 0


def test_capture_refused_for_revoked_key(client, gs1_items, merchant, merchant_key):
    merchant.api_keys.update(revoked_at="2026-01-01T00:00:00Z")
    response = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin))
    assert_error(response, 401, "auth.invalid_key")
    assert TraceEvent.objects.count() == 0


def test_capture_about_another_merchants_items_is_refused(client, gs1_items, other_key):
    # when: an organization without a grant records events about the merchant's items
    response = _capture(client, other_key, _example_document(gs1_items[0].product.gtin))
    # then
    assert_error(response, 403, "epcis.identifier_forbidden")
    assert TraceEvent.objects.count() == 0


# --- export -----------------------------------------------------------------------------------------------


def test_export_is_a_schema_valid_epcis_document(client, gs1_items, merchant_key, epcis_validator):
    # given
    captured = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin)).json()["event_ids"]
    # when
    response = call(client, "GET", "/events", key=merchant_key)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert sorted(epcis_validator.iter_errors(document), key=str) == []
    assert document["type"] == "EPCISDocument"
    assert [event["eventID"] for event in document["epcisBody"]["eventList"]] == captured


def test_export_as_json_ld_on_request(client, gs1_items, merchant_key, epcis_validator):
    _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin))
    response = call(client, "GET", "/events", key=merchant_key, headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert list(epcis_validator.iter_errors(response.json())) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("biz_step=shipping", [0]),
        ("biz_step=https://ref.gs1.org/cbv/BizStep-receiving", [1]),
        ("since=2005-04-04T12:00:00Z", [1]),
        ("until=2005-04-04T12:00:00Z", [0]),
        ("serial=2017", [0]),
        ("serial=2018", [0, 1]),
        ("lot=L20260701", [0, 1]),
        ("lot=NOPE", []),
        ("gtin=06901234567892", []),
        ("limit=1", [0]),
    ],
)
def test_export_filters(client, gs1_items, merchant_key, query, expected):
    # given
    captured = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin)).json()["event_ids"]
    # when
    response = call(client, "GET", f"/events?{query}", key=merchant_key)
    # then
    assert response.status_code == 200, response.content
    assert [e["eventID"] for e in response.json()["epcisBody"]["eventList"]] == [captured[i] for i in expected]


def test_export_filter_by_gtin(client, gs1_items, merchant, merchant_key):
    # given
    captured = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin)).json()["event_ids"]
    unrelated = ProductFactory(merchant=merchant)
    # when
    mine = call(client, "GET", f"/events?gtin={gs1_items[0].product.gtin}", key=merchant_key)
    none = call(client, "GET", f"/events?gtin={unrelated.gtin}", key=merchant_key)
    # then
    assert [e["eventID"] for e in mine.json()["epcisBody"]["eventList"]] == captured
    assert none.json()["epcisBody"]["eventList"] == []


def test_export_filter_validation(client, merchant_key):
    response = call(client, "GET", "/events?limit=100000&since=yesterday", key=merchant_key)
    body = assert_error(response, 422, "validation")
    assert sorted(tuple(e["loc"]) for e in body["details"]["errors"]) == [("query", "limit"), ("query", "since")]


def test_export_filter_with_bad_gtin_is_refused(client, merchant_key):
    assert_error(call(client, "GET", "/events?gtin=6901234567891", key=merchant_key), 422, "gtin.check_digit")


def test_export_and_get_are_scoped_to_the_organization(client, gs1_items, merchant_key, other_key):
    # given
    captured = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin)).json()["event_ids"]
    # when
    exported = call(client, "GET", "/events", key=other_key)
    fetched = call(client, "GET", f"/events/{quote(captured[0], safe='')}", key=other_key)
    # then
    assert exported.json()["epcisBody"]["eventList"] == []
    assert_error(fetched, 404, "epcis.event_not_found")


def test_get_one_event(client, gs1_items, merchant_key):
    # given
    captured = _capture(client, merchant_key, _example_document(gs1_items[0].product.gtin)).json()["event_ids"]
    # when
    response = call(client, "GET", f"/events/{quote(captured[1], safe='')}", key=merchant_key)
    # then
    assert response.status_code == 200, response.content
    assert response.json() == TraceEvent.objects.get(event_id=captured[1]).document
    assert response.json()["eventID"] == captured[1]


def test_get_unknown_event_is_not_found(client, merchant_key):
    assert_error(call(client, "GET", "/events/urn:uuid:nothing", key=merchant_key), 404, "epcis.event_not_found")


def test_export_needs_authentication(client):
    assert_error(call(client, "GET", "/events"), 401, "auth.required")


# --- simple events ----------------------------------------------------------------------------------------


def test_record_simple_event(client, gs1_items, merchant, merchant_key):
    # given
    gtin = gs1_items[0].product.gtin
    reading = {"type": "Temperature", "value": 4.2, "uom": "CEL", "time": "2026-07-01T08:00:00+08:00"}
    # when
    response = call(client, "POST", "/events", key=merchant_key, body=_event(gtin, sensor_readings=[reading]))
    # then
    assert response.status_code == 201, response.content
    event = TraceEvent.objects.get()
    assert (event.organization, event.event_type) == (merchant, "ObjectEvent")
    assert response.json() == event.document
    assert response.json()["eventID"] == event.event_id
    assert response.json()["eventTimeZoneOffset"] == "+08:00"


def test_record_simple_event_validation(client, gs1_items, merchant_key):
    # when: a time without a UTC offset, identifiers that are not a list, an unknown event type
    body = _event(gs1_items[0].product.gtin, event_time="2026-07-01T08:30:00", identifiers="01/123", event_type="Party")
    response = call(client, "POST", "/events", key=merchant_key, body=body)
    # then
    error = assert_error(response, 422, "validation")
    assert {tuple(e["loc"]): e["type"] for e in error["details"]["errors"]} == {
        ("body", "payload", "event_time"): "timezone_aware",
        ("body", "payload", "identifiers"): "list_type",
        ("body", "payload", "event_type"): "enum",
    }
    assert TraceEvent.objects.count() == 0


def test_record_simple_event_refused_for_viewer_key(client, gs1_items, viewer_key):
    response = call(client, "POST", "/events", key=viewer_key, body=_event(gs1_items[0].product.gtin))
    assert_error(response, 403, "permission.role")
    assert TraceEvent.objects.count() == 0


def test_record_simple_event_about_foreign_items_is_refused(client, gs1_items, other_key):
    response = call(client, "POST", "/events", key=other_key, body=_event(gs1_items[0].product.gtin))
    assert_error(response, 403, "epcis.identifier_forbidden")
    assert TraceEvent.objects.count() == 0


def test_partner_with_grant_records_events(client, gs1_items, merchant, logistics, logistics_key):
    # given
    PartnerGrant.objects.create(owner=merchant, partner=logistics, legacy_all_products=True)
    # when
    response = call(client, "POST", "/events", key=logistics_key, body=_event(gs1_items[0].product.gtin))
    # then
    assert response.status_code == 201, response.content
    assert TraceEvent.objects.get().organization == logistics


def test_record_simple_event_at_another_organizations_place_is_not_found(client, gs1_items, other_merchant,
                                                                         merchant_key):
    # given
    place = Place.objects.create(organization=other_merchant, name="别人的仓库", uri="urn:example:place:1")
    # when
    response = call(client, "POST", "/events", key=merchant_key, body=_event(gs1_items[0].product.gtin,
                                                                             place_id=place.pk))
    # then
    assert_error(response, 404, "place.not_found")
    assert TraceEvent.objects.count() == 0


# --- places -----------------------------------------------------------------------------------------------


def test_place_create_and_list(client, merchant, other_merchant, merchant_key):
    # given
    Place.objects.create(organization=other_merchant, name="别人的仓库", uri="urn:example:place:other")
    # when
    created = call(
        client,
        "POST",
        "/places",
        key=merchant_key,
        body={"name": "南华县菌菇基地", "address": "云南省楚雄州南华县", "latitude": "25.19", "longitude": "101.27"},
    )
    listed = call(client, "GET", "/places", key=merchant_key)
    # then
    assert created.status_code == 201, created.content
    place = Place.objects.get(organization=merchant)
    expected = {
        "id": place.pk,
        "name": "南华县菌菇基地",
        "gln": "",
        "address": "云南省楚雄州南华县",
        "latitude": "25.190000",
        "longitude": "101.270000",
        "uri": place.uri,
    }
    assert created.json() == expected
    assert listed.json() == [expected]


def test_place_create_validation(client, merchant_key):
    response = call(client, "POST", "/places", key=merchant_key, body={"latitude": "north"})
    body = assert_error(response, 422, "validation")
    assert sorted(tuple(e["loc"]) for e in body["details"]["errors"]) == [
        ("body", "payload", "latitude"),
        ("body", "payload", "name"),
    ]
    assert Place.objects.count() == 0


def test_place_create_refused_for_viewer_key(client, viewer_key):
    response = call(client, "POST", "/places", key=viewer_key, body={"name": "仓库"})
    assert_error(response, 403, "permission.role")
    assert Place.objects.count() == 0


def test_places_need_authentication(client):
    assert_error(call(client, "GET", "/places"), 401, "auth.required")


def test_places_of_a_logistics_firm(client, logistics):
    key = key_for(logistics, Role.STAFF)
    response = call(client, "POST", "/places", key=key, body={"name": "昆明冷库"})
    assert response.status_code == 201, response.content
    assert Place.objects.get().organization == logistics


def test_signed_capture_and_key_registration_through_the_api(client, merchant, lab):
    # given a lab admin signed in, a grant from the merchant, and the lab's own key registered through the API
    import base64
    import json as _json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from xinren.ledger.dsse import key_id_for, sign_envelope

    from ..factories import ItemFactory, actor_for, legacy_grant
    from ..fixtures.api import member

    legacy_grant(actor=actor_for(merchant, "admin"), partner_slug=lab.slug)
    client.force_login(member(lab, "admin"))
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    registered = client.post(
        "/api/v1/keys", _json.dumps({"public_key": base64.b64encode(public).decode(), "label": "LIMS"}),
        content_type="application/json",
    )
    assert registered.status_code == 201, registered.content
    assert registered.json()["key_id"] == key_id_for(public)
    item = ItemFactory(batch__product__merchant=merchant)
    event = {
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting",
        "eventTime": "2026-08-20T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
        "eventID": "urn:uuid:7a3f2c1e-0000-4000-8000-0000000000aa",
        "epcList": [f"https://id.example.org{item.digital_link.path}"],
    }
    payload = _json.dumps({"type": "trace.event", "subject": "x", "event": event}).encode()
    envelope = sign_envelope(payload, key=private, keyid=key_id_for(public)).to_json().decode()
    # when
    response = client.post(
        "/api/v1/epcis/signed", _json.dumps({"envelopes": [envelope]}), content_type="application/json"
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {"event_ids": ["urn:uuid:7a3f2c1e-0000-4000-8000-0000000000aa"]}
    keys_listed = client.get("/api/v1/keys").json()
    assert [k["label"] for k in keys_listed] == ["LIMS"]

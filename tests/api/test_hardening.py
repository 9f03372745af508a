"""Inputs that used to end in a 500 (issue 11, "every 500 found is gone"): each is now a clear 4xx, nothing changed."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinren.accounts.choices import OrganizationKind
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.core.http import MAX_JSON_DEPTH, json_depth
from xinren.core.money import MAX_FEN, yuan_to_fen
from xinren.core.schemas import MAX_PAGE_OFFSET
from xinren.costs.models import CostBreakdown
from xinren.trace.models import TraceEvent
from xinren.trust.models import AllianceRegion, Programme

from ..factories import OrganizationFactory
from ..fixtures.api import assert_error, call, key_for, member

pytestmark = pytest.mark.django_db

HUGE = 10**19  # past SQLite's and PostgreSQL's 64-bit integers
PRODUCT = {"gtin": "6901234567892", "name": "松茸", "category": "wild_mushroom", "origin_region": "云南"}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- paging ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/orders", "/reviews/merchant", "/reviews/products/{product}", "/batches/{batch}/items",
])  # fmt: skip
def test_an_offset_past_any_list_is_a_validation_error(client, merchant_key, product, batch, path):
    # when
    response = call(client, "GET", path.format(product=product.pk, batch=batch.pk) + f"?offset={HUGE}",
                    key=merchant_key)
    # then
    body = assert_error(response, 422, "validation")
    assert body["details"]["errors"][0]["loc"] == ["query", "offset"]


def test_the_largest_offset_allowed_is_an_empty_page(client, merchant_key, batch):
    response = call(client, "GET", f"/batches/{batch.pk}/items?offset={MAX_PAGE_OFFSET}", key=merchant_key)
    assert response.status_code == 200
    assert (response.json()["offset"], response.json()["items"]) == (MAX_PAGE_OFFSET, [])


# --- multipart ---------------------------------------------------------------------------------------------------

def test_multipart_without_a_boundary_is_a_bad_request(client, merchant_key):
    # when
    response = call(client, "POST", "/evidence", key=merchant_key, body=b"--x\r\n\r\n--x--",
                    content_type="multipart/form-data")
    # then
    assert_error(response, 400, "request.multipart_invalid")


# --- JSON depth --------------------------------------------------------------------------------------------------

def test_json_depth_skips_brackets_inside_strings():
    assert json_depth('{"a": ["[[[", "\\"[", "\\\\"], "b": {"c": "]]]"}}') == 2
    assert json_depth(_nested(900)) == 900
    assert json_depth('"no brackets"') == 0


def test_an_epcis_document_nested_900_levels_is_refused_before_parsing(client, merchant_key):
    # given a document whose extension field nests 900 levels (the conformance examples nest at most 6)
    document = '{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "ex:x": ' + (
        _nested(900) + "}"
    )
    # when
    response = call(client, "POST", "/epcis/capture", key=merchant_key, body=document,
                    content_type="application/ld+json")
    # then
    body = assert_error(response, 422, "request.too_deep")
    assert body["details"] == {"field": "body", "limit": MAX_JSON_DEPTH, "depth": 901}
    assert TraceEvent.objects.count() == 0


def test_a_signed_envelope_nested_5000_levels_is_refused(client, merchant_key):
    response = call(client, "POST", "/epcis/signed", key=merchant_key, body={"envelopes": [_nested(5000)]})
    body = assert_error(response, 422, "request.too_deep")
    assert body["details"]["field"] == "envelopes.0"
    assert TraceEvent.objects.count() == 0


def test_any_json_body_nested_too_deeply_is_refused_with_the_reason(client, merchant_key):
    # when: a product whose description is 5,000 nested arrays (Ninja's parser would raise RecursionError)
    body = json.dumps(PRODUCT)[:-1] + ', "extra": ' + _nested(5000) + "}"
    response = call(client, "POST", "/products", key=merchant_key, body=body)
    # then
    assert assert_error(response, 422, "request.too_deep")["details"]["depth"] == 5001
    assert Product.objects.count() == 0


# --- badge SVG ---------------------------------------------------------------------------------------------------

def test_a_badge_nested_5000_levels_is_refused_during_parsing():
    # given
    alliance = OrganizationFactory(kind=OrganizationKind.ALLIANCE)
    AllianceRegion.objects.create(alliance=alliance, code="530100", declared_at=clock.now())
    svg = '<svg xmlns="http://www.w3.org/2000/svg">' + "<g>" * 5000 + "</g>" * 5000 + "</svg>"
    body = {"code": "deep", "name": "深层徽章", "region_code": "530100", "required_labels": ["origin_direct"],
            "badge_svg": svg}
    # when
    response = call(Client(), "POST", "/programmes", key=key_for(alliance), body=body)
    # then
    assert_error(response, 422, "programme.badge_svg_invalid")
    assert response.json()["details"]["reason"] == "nested too deeply"
    assert Programme.objects.count() == 0


# --- NUL characters ----------------------------------------------------------------------------------------------

def test_a_nul_in_json_text_is_refused_naming_the_field(client, merchant_key):
    # when
    response = call(client, "POST", "/products", key=merchant_key, body={**PRODUCT, "name": "松\u0000茸"})
    # then
    body = assert_error(response, 422, "request.nul_character")
    assert body["details"] == {"loc": ["body", "name"]}
    assert Product.objects.count() == 0


def test_a_nul_in_the_query_string_is_refused(client, merchant_key):
    response = call(client, "GET", "/events?lot=L%00", key=merchant_key, headers={"Accept-Language": "en"})
    body = assert_error(response, 400, "request.nul_character")
    assert (body["message"], body["details"]) == (
        "Text must not contain a NUL character (U+0000).", {"loc": ["query", "lot"]}
    )


def test_a_nul_in_a_path_is_refused(client):
    assert_error(call(client, "GET", "/trace/01/06901234567892/10/L%00"), 400, "request.nul_character")


def test_a_nul_in_a_multipart_api_form_field_is_refused(client, merchant_key, product):
    # given an evidence upload whose caption holds a NUL (multipart bodies are read by the view, not the middleware)
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    # when
    form = {"file": photo, "product_id": product.pk, "purpose": "origin", "caption": "山\x00林"}
    response = client.post("/api/v1/evidence", form, headers={"Authorization": f"Bearer {merchant_key}"})
    # then
    assert assert_error(response, 422, "request.nul_character")["details"] == {"loc": ["form", "caption"]}


def test_a_multipart_webhook_can_still_be_read_by_its_view(client):
    # The middleware leaves multipart bodies unread, so a view that reads the raw body still can (it was a 500).
    response = client.post("/api/v1/payments/webhooks/sandbox", b"--x--", content_type="multipart/form-data")
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "details"}


def test_a_cold_chain_range_of_1e170_degrees_is_a_validation_error(client, merchant_key, product):
    body = {"temperature_min": "9.29e173", "temperature_max": "4.0"}
    response = call(client, "PUT", f"/coldchain/products/{product.pk}/profile", key=merchant_key, body=body)
    assert assert_error(response, 422, "coldchain.profile_invalid")["details"]["field"] == "temperature_min"


def test_a_nul_in_a_form_field_is_refused_before_the_view(client, merchant):
    # given a signed-in merchant posting the product form
    user = member(merchant, "staff")
    client.force_login(user)
    # when
    response = client.post("/merchant/products/new/", urlencode({**PRODUCT, "name": "松\x00茸"}),
                           content_type="application/x-www-form-urlencoded")
    # then
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert Product.objects.count() == 0


def test_a_cost_line_of_1e195_yuan_is_out_of_range(client, merchant_key, product):
    # given a line that the API's pattern (digits, two decimals) accepts but no price can be (found by schemathesis)
    lines = {name: "1.00" for name in ("raw_material", "processing", "packaging", "logistics", "platform_fees")}
    body = {"price": "68.00", "lines": {**lines, "profit": "8" * 195}}
    # when
    response = call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body=body)
    # then
    assert assert_error(response, 422, "money.out_of_range")["details"]["max_fen"] == MAX_FEN
    assert not CostBreakdown.objects.exists()


def test_money_refuses_infinity_and_absurd_amounts():
    for value in ("Infinity", "-Infinity", "NaN", "1e190"):
        with pytest.raises(InvalidInput):
            yuan_to_fen(value)
    assert yuan_to_fen("10000000000000.00") == MAX_FEN

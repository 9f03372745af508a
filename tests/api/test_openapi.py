"""The OpenAPI document and the interactive docs, which must work without internet access."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from ninja import Router, Schema
from ninja.constants import NOT_SET
from ninja.openapi.schema import REF_TEMPLATE
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from xinren.api.api import XinrenAPI, api

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/me": {"get"},
    "/api/v1/products": {"get", "post"},
    "/api/v1/products/{product_id}": {"get", "put"},
    "/api/v1/products/{product_id}/status": {"post"},
    "/api/v1/products/{product_id}/images": {"post"},
    "/api/v1/products/{product_id}/batches": {"get", "post"},
    "/api/v1/batches/{batch_id}": {"get"},
    "/api/v1/batches/{batch_id}/items": {"get", "post"},
    "/api/v1/batches/{batch_id}/labels.svg": {"get"},
    "/api/v1/batches/{batch_id}/labels.pdf": {"get"},
    "/api/v1/epcis/capture": {"post"},
    "/api/v1/events": {"get", "post"},
    "/api/v1/events/{event_id}": {"get"},
    "/api/v1/places": {"get", "post"},
    "/api/v1/partners/search": {"get"},
    "/api/v1/partners/{partner}/grant": {"post", "delete"},
    "/api/v1/grants/given": {"get"},
    "/api/v1/grants/received": {"get"},
    "/api/v1/grants/{grant_id}": {"delete"},
    "/api/v1/alliance/regions": {"get", "put"},
}


def test_openapi_document_lists_every_path(client):
    # when: no credentials, the document is public
    response = client.get("/api/v1/openapi.json")
    # then
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Xinren API"
    paths = {path: set(operations) for path, operations in document["paths"].items()}
    for path, methods in EXPECTED_PATHS.items():
        assert paths.get(path, set()) >= methods, path
    assert any(path.startswith("/api/v1/trace/01/") for path in paths)


def test_openapi_declares_the_auth_schemes_and_error_shape(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerKey"] == {"type": "http", "scheme": "bearer"}
    assert schemes["HeaderKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["SessionActor"]["in"] == "cookie"
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "details"}
    products = document["paths"]["/api/v1/products"]["post"]
    assert products["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert products["security"] == [{"BearerKey": []}, {"HeaderKey": []}, {"SessionActor": []}]


def test_openapi_accepts_json_ld_for_epcis_capture(client):
    document = client.get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/epcis/capture"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "application/ld+json"}


def test_public_trace_routes_need_no_auth(client):
    document = client.get("/api/v1/openapi.json").json()
    public = [
        operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/trace/")
        for operation in operations.values()
    ]
    assert public
    assert all("security" not in operation for operation in public)


def test_docs_page_is_served_with_local_assets(client):
    # given
    assert "ninja" in settings.INSTALLED_APPS, "the docs page needs 'ninja' in INSTALLED_APPS to serve its assets"
    # when
    response = client.get("/api/v1/docs")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "cdn." not in html and "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert sorted(a.rsplit("/", 1)[-1] for a in assets) == [
        "swagger-ui-bundle.js",
        "swagger-ui-init.js",
        "swagger-ui.css",
    ]
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL)
        assert finders.find(asset.removeprefix(settings.STATIC_URL)) is not None, asset


def test_operation_ids_are_short_and_unique(client):
    document = client.get("/api/v1/openapi.json").json()
    ids = [operation["operationId"] for operations in document["paths"].values() for operation in operations.values()]
    assert len(ids) == len(set(ids))
    assert "product_register" in ids
    assert "epcis_capture" in ids


# --- component names (issue 11: `MediaOut` and `ShipmentOut` each named two schemas, and one of each was lost) -----

def _operations() -> Iterator[tuple[str, Operation]]:
    for bound_router in api._get_bound_routers():
        for path, path_view in bound_router.path_operations.items():
            for operation in path_view.operations:
                if operation.include_in_schema:
                    yield f"{bound_router.prefix}{path}", operation


def test_every_documented_response_is_the_schema_the_view_returns(client):
    # given the published document
    document = client.get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    checked = 0
    for path, operation in _operations():
        for status, model in operation.response_models.items():
            if model in (None, NOT_SET) or status is Ellipsis:
                continue
            # when the response model's schema is generated on its own, where no other class can shadow a name
            alone = model.model_json_schema(
                ref_template=REF_TEMPLATE, by_alias=operation.by_alias, schema_generator=NinjaGenerateJsonSchema,
                mode="serialization",
            )
            # then every schema it refers to is, under that name, the one in the document
            for name, definition in alone.get("$defs", {}).items():
                assert components.get(name) == definition, (path, status, name)
                checked += 1
    assert checked > 100


def test_two_schemas_with_one_name_cannot_be_published():
    # given two contexts that both call their output `ThingOut`, with different fields
    first, second = Router(), Router()

    class ThingOut(Schema):
        weight_g: int

    @first.get("/first", response=list[ThingOut])
    def first_list(request: Any) -> Any:
        return []

    class ThingOut(Schema):  # type: ignore[no-redef]
        colour: str

    @second.get("/second", response=list[ThingOut])
    def second_list(request: Any) -> Any:
        return []

    shadowing = XinrenAPI(urls_namespace="shadowing-test")
    shadowing.add_router("", first)
    shadowing.add_router("", second)
    # when / then
    with pytest.raises(ImproperlyConfigured, match="'ThingOut'"):
        shadowing.get_openapi_schema(path_prefix="/")


def test_every_operation_documents_the_refusals_any_request_can_meet(client):
    # 400 (unreadable: a NUL character, a body that is not JSON) and 422 (parameters that do not validate) happen
    # before any handler runs, so each operation lists them; schemathesis holds the answers to the document.
    document = client.get("/api/v1/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "422"):
                assert operation["responses"][status]["content"]["application/json"]["schema"] == error, (
                    method, path, status
                )

"""The OpenAPI document and the interactive docs, which must work without internet access."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

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
    "/api/v1/partners/{slug}/grant": {"post", "delete"},
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

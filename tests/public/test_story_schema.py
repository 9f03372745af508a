"""The trace JSON's schema in the OpenAPI document (generated from the story's TypedDicts) holds for real answers:
the API, content negotiation and the published files, on product, lot and item pages with every section."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from xinren.catalog.models import Batch, Item, Product
from xinren.demo.loader import demo_load
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import TraceEvent
from xinren.web.publishing import items_publish

from .conftest import Story, event_make

pytestmark = pytest.mark.django_db

TRACE_PATHS = (
    "/api/v1/trace/01/{gtin}",
    "/api/v1/trace/01/{gtin}/10/{lot}",
    "/api/v1/trace/01/{gtin}/10/{lot}/21/{serial}",
    "/api/v1/trace/01/{gtin}/21/{serial}",
)
SECTIONS = {"score", "facts", "labels", "guarantees", "scorecard", "costs", "coldchain", "album", "reviews"}


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    """The OpenAPI document as served (public, no database needed), read once for the module."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def validator(openapi: dict[str, Any]) -> Draft202012Validator:
    """The 200 schema of the four trace operations, with the document's components so that its $refs resolve."""
    answers = [
        openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        for path in TRACE_PATHS
    ]
    assert answers == [{"$ref": "#/components/schemas/PublicStory"}] * 4
    schema = {**answers[0], "components": openapi["components"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(data)]


def _answer(client: Client, path: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/trace{path}")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _declare_shipping_wrong(story: Story, logistics) -> None:  # type: ignore[no-untyped-def]
    """The logistics company declares the lot's shipping event wrong (an EPCIS error declaration)."""
    shipping = TraceEvent.objects.get(biz_step__endswith="shipping")
    event_make(
        organization=logistics, biz_step=shipping.biz_step, when=shipping.event_time, batch=story.batch,
        event_id=shipping.event_id, is_error_declaration=True,
        document={"type": "ObjectEvent", "errorDeclaration": {
            "declarationTime": "2026-07-03T08:00:00+08:00", "reason": "https://ref.gs1.org/cbv/ER-incorrect_data",
            "correctiveEventIDs": ["urn:uuid:5f0c4a1e-0000-4000-8000-000000000001"]}},
    )


def test_demo_world_answers_match_the_schema(client: Client, settings, validator: Draft202012Validator):
    # given the demo world: lab reports, cost breakdowns, cold chain, albums, labels and badges, reviews
    demo_load()
    log_integrate_all()
    paths = [product.digital_link.path for product in Product.objects.order_by("pk")]
    paths += [batch.digital_link.path for batch in Batch.objects.order_by("pk")]
    for batch in Batch.objects.select_related("product").order_by("pk"):
        item = Item.objects.filter(batch=batch).order_by("pk").first()
        assert item is not None
        paths += [item.digital_link.path, f"/01/{batch.product.gtin}/21/{item.serial}"]
    # when
    answers = {path: _answer(client, path) for path in paths}
    # then every answer matches, and between them they show every level and every section in each of its shapes
    for path, data in answers.items():
        assert _errors(validator, data) == [], path
    assert {data["level"] for data in answers.values()} == {"product", "batch", "item"}
    assert set().union(*(data["sections"] for data in answers.values())) == SECTIONS
    assert any(set(data["sections"]) == SECTIONS for data in answers.values() if data["level"] == "item")
    reviews = [data["sections"]["reviews"] for data in answers.values()]
    assert {section["link_only"] for section in reviews} == {True, False}
    assert any(data["sections"]["coldchain"]["legs"] for data in answers.values() if "coldchain" in data["sections"])
    # and so does the file the publisher writes for an item (the same bytes nginx serves)
    item = Item.objects.select_related("batch__product__merchant").order_by("pk").first()
    assert item is not None
    items_publish(items=[item])
    published = Path(settings.XINREN_PUBLISH_DIR) / item.digital_link.path.lstrip("/") / "index.json"
    assert _errors(validator, json.loads(published.read_bytes())) == []


def test_item_story_with_a_declared_event_matches_the_schema(
    client: Client, story: Story, logistics, validator: Draft202012Validator
):
    # given an event its recorder declared wrong, and events recorded before signing (unsigned proofs)
    _declare_shipping_wrong(story, logistics)
    # when
    data = _answer(client, story.item.digital_link.path)
    negotiated = json.loads(client.get(story.item.digital_link.path, HTTP_ACCEPT="application/json").content)
    # then
    declared = [event for event in data["events"] if event["error_declaration"]]
    assert [event["biz_step"] for event in declared] == ["shipping"]
    assert declared[0]["error_declaration"]["corrective_event_ids"] == [
        "urn:uuid:5f0c4a1e-0000-4000-8000-000000000001"
    ]
    # events without a leaf hash are not verified: every event is signed when it is recorded
    assert {event["proof"]["state"] for event in data["events"]} == {"mismatch"}
    assert _errors(validator, data) == []
    assert _errors(validator, negotiated) == []


def _drop_event_proof(data: dict[str, Any]) -> None:
    del data["events"][0]["proof"]


def _unknown_story_key(data: dict[str, Any]) -> None:
    data["shop_url"] = "https://example.com"


def _unknown_event_key(data: dict[str, Any]) -> None:
    data["events"][0]["operator"] = "张三"


def _wrong_level(data: dict[str, Any]) -> None:
    data["level"] = "lot"


def _delisted_as_text(data: dict[str, Any]) -> None:
    data["product"]["delisted"] = "no"


def _reading_as_text(data: dict[str, Any]) -> None:
    next(event for event in data["events"] if event["readings"])["readings"][0]["value"] = "3.5"


def _missing_batch(data: dict[str, Any]) -> None:
    del data["batch"]


def _unknown_section(data: dict[str, Any]) -> None:
    data["sections"]["weather"] = {"sunny": True}


def _reviews_link_with_a_count(data: dict[str, Any]) -> None:
    data["sections"]["reviews"]["count"] = 3


@pytest.mark.parametrize(
    "spoil",
    [
        _drop_event_proof,
        _unknown_story_key,
        _unknown_event_key,
        _wrong_level,
        _delisted_as_text,
        _reading_as_text,
        _missing_batch,
        _unknown_section,
        _reviews_link_with_a_count,
    ],
)
def test_a_wrong_shape_fails_validation(
    client: Client, story: Story, validator: Draft202012Validator, spoil: Callable[[dict[str, Any]], None]
):
    # given a real answer that matches
    data = _answer(client, story.item.digital_link.path)
    assert _errors(validator, data) == []
    wrong = copy.deepcopy(data)
    # when
    spoil(wrong)
    # then
    assert _errors(validator, wrong) != []


def test_every_object_of_the_story_schema_is_closed(openapi: dict[str, Any]):
    # given the story's schema and every schema it refers to
    schemas = openapi["components"]["schemas"]
    seen: set[str] = set()
    waiting = ["PublicStory"]
    while waiting:
        name = waiting.pop()
        if name not in seen:
            seen.add(name)
            text = json.dumps(schemas[name])
            waiting += [ref.split('"', 1)[0] for ref in text.split('"$ref": "#/components/schemas/')[1:]]
    # then each is an object that takes no other keys (a TypedDict declared with closed=True)
    assert {"PublicStory", "StoryEvent", "Sections", "ScorecardSection", "ColdChainLeg", "ReviewsSection"} <= seen
    assert [name for name in sorted(seen) if schemas[name].get("additionalProperties") is not False] == []

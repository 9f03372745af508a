"""The consumer JSON under /api/v1/trace (public, no API key)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xinren.catalog.choices import ProductStatus
from xinren.trace.models import Scan

from .conftest import Story

pytestmark = pytest.mark.django_db


def test_item_story_shape(client: Client, story: Story, settings):
    # when
    response = client.get(f"/api/v1/trace/01/{story.product.gtin}/10/L20260701/21/SER0001")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    path = f"/01/{story.product.gtin}/10/L20260701/21/SER0001"
    assert body["format"] == "xinren.story/1"
    assert body["level"] == "item"
    assert body["link"] == {"gtin": story.product.gtin, "lot": "L20260701", "serial": "SER0001", "path": path,
                            "uri": settings.XINREN_RESOLVER + path}
    assert body["product"] == {
        "gtin": story.product.gtin, "name": "野生牛肝菌", "category": "wild_mushroom", "category_label": "野生菌",
        "description": "雨季山林采摘，当天分拣。", "status": "active", "status_label": "在售", "delisted": False,
        "origin": {"region": "云南省楚雄州南华县", "latitude": 25.19, "longitude": 101.27}, "photo": None,
    }
    assert body["merchant"] == {"name": "昆明山野菌菇店", "region": "云南省昆明市"}
    assert body["batch"] == {"lot": "L20260701", "production_date": "2026-07-01", "expiry_date": "2027-12-31"}
    assert body["item"] == {"serial": "SER0001"}
    assert body["scans"] == {"counter": f"/scans/{story.product.gtin}/SER0001.json"}
    shipping = body["events"][2]
    assert {k: shipping[k] for k in ("type", "biz_step", "biz_step_label", "disposition", "disposition_label",
                                     "time", "level", "recorded_by", "place", "readings")} == {
        "type": "ObjectEvent", "biz_step": "shipping", "biz_step_label": "发货", "disposition": "in_transit",
        "disposition_label": "运输中", "time": "2026-07-02T09:00:00+08:00", "level": "batch",
        "recorded_by": {"name": "滇冷链物流", "kind": "logistics", "kind_label": "物流"},
        "place": {"name": "上海冷链仓", "latitude": 31.23, "longitude": 121.47},
        "readings": [{"type": "Temperature", "value": 3.5, "uom": "CEL"}],
    }
    # no personal data: nobody's name, user or address
    assert "recorded_by_user" not in json.dumps(body) and "address" not in json.dumps(body)
    # and the request counted as a scan (no web server in front)
    assert Scan.objects.filter(item=story.item).count() == 1


def test_lot_and_product_stories(client: Client, story: Story):
    lot = json.loads(client.get(f"/api/v1/trace/01/{story.product.gtin}/10/L20260701").content)
    product = json.loads(client.get(f"/api/v1/trace/01/{story.product.gtin}").content)
    assert (lot["level"], lot["item"], [e["biz_step"] for e in lot["events"]]) == (
        "batch", None, ["harvesting", "shipping"])
    assert (product["level"], product["batch"], product["events"]) == ("product", None, [])
    assert Scan.objects.count() == 0


def test_gtin13_and_serial_without_lot_answer_with_the_canonical_link(client: Client, story: Story):
    body = json.loads(client.get(f"/api/v1/trace/01/{story.product.gtin[1:]}/21/SER0001").content)
    assert body["link"]["path"] == f"/01/{story.product.gtin}/10/L20260701/21/SER0001"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/01/{gtin}/10/L20260701/21/NOPE", "trace.code_not_registered"),
        ("/01/{gtin}/10/OTHERLOT/21/SER0001", "trace.code_not_registered"),  # serial exists, lot does not match
        ("/01/06901234567891", "trace.code_malformed"),  # wrong check digit
        ("/01/123/10/L1", "trace.code_malformed"),
    ],
)
def test_unknown_and_malformed_codes(client: Client, story: Story, path: str, code: str):
    response = client.get("/api/v1/trace" + path.format(gtin=story.product.gtin))
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == code
    assert Scan.objects.count() == 0


def test_draft_product_is_not_public(client: Client, story: Story):
    story.product.status = ProductStatus.DRAFT
    story.product.save()
    response = client.get(f"/api/v1/trace/01/{story.product.gtin}/10/L20260701/21/SER0001")
    assert response.status_code == 404
    body = json.loads(response.content)
    # registered, not published: said plainly, and nothing of the story is in the answer
    assert body["code"] == "trace.code_not_published"
    assert set(body) == {"code", "message", "details"}

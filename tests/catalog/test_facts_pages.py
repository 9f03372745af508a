"""Signed facts on the pages, the origin check before publishing, the API, and the confirm step for a draft's labels."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product, ProductFacts
from xinren.catalog.services import product_register, product_set_status, product_update
from xinren.orders.models import Offer
from xinren.trace.models import EventSubject, Place, TraceEvent
from xinren.trace.origin import origin_conflicts

from ..factories import BatchFactory, ItemFactory, make_gtin
from ..fixtures.api import call
from ..merchant.conftest import signed_in

pytestmark = pytest.mark.django_db

FACTS = {
    "name": "楚雄野生牛肝菌 500g", "category": "wild_mushroom", "origin_region": "云南省楚雄州南华县",
    "origin_place": "五街镇", "origin_latitude": "25.192", "origin_longitude": "101.274",
    "net_content_amount": "500", "net_content_unit": "g", "shelf_life_days": 7, "ingredients": "黄牛肝菌",
    "description": "雨季清晨采摘",
}


def _published(actor) -> Product:
    product = product_register(actor=actor, gtin=make_gtin(), **FACTS)
    return product_set_status(actor=actor, product_id=product.pk, status=ProductStatus.ACTIVE)


def _harvest(product: Product, *, name: str, address: str, lat: str, lng: str, declared: bool = False,
             step: str = "harvesting") -> TraceEvent:
    place = Place.objects.create(organization=product.merchant, name=name, address=address, latitude=Decimal(lat),
                                 longitude=Decimal(lng), uri=f"urn:test:place:{name}")
    batch = BatchFactory(product=product, lot=f"L{Place.objects.count()}")
    event = TraceEvent.objects.create(
        event_id=f"urn:uuid:{name}", organization=product.merchant, event_type="ObjectEvent", action="ADD",
        biz_step=step, event_time=dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC), event_time_zone_offset="+08:00",
        place=place, document={"type": "ObjectEvent"},
    )
    EventSubject.objects.create(event=event, role="epc_class", uri=batch.digital_link.path, gtin=product.gtin,
                                lot=batch.lot, product=product, batch=batch)
    if declared:
        TraceEvent.objects.create(
            event_id=event.event_id, is_error_declaration=True, organization=product.merchant,
            event_type="ObjectEvent", action="ADD", biz_step=step, event_time=event.event_time,
            event_time_zone_offset="+08:00", document={"type": "ObjectEvent"},
        )
    return event


def test_the_scan_page_shows_the_signed_facts_and_their_history(client: Client, merchant_actor):
    # given a published product whose origin then changed
    product = _published(merchant_actor)
    product_update(actor=merchant_actor, product_id=product.pk, **{**FACTS, "origin_place": "龙川镇"})
    # when its page is read
    html = client.get(product.digital_link.path).content.decode()
    # then the hero says the facts are signed, the card shows them, and the history names the change
    assert "已在平台登记" not in html
    assert re.search(r"✓ 商家已签名 · \d{4}-\d{2}-\d{2}", html)
    card = html[html.index('id="facts"'):html.index("</section>", html.index('id="facts"'))]
    assert "云南省楚雄州南华县 · 龙川镇" in card and "500 g" in card and "7 天" in card and "黄牛肝菌" in card
    assert "修改记录 2 条" in card
    change = r"产地 \d{4}-\d{2}-\d{2} 由 云南省楚雄州南华县 · 五街镇 改为 云南省楚雄州南华县 · 龙川镇，商家签名"
    assert re.search(change, card)
    assert "上架时首次签名" in card
    # and the JSON carries the same section, with each version's proof
    story = client.get(product.digital_link.path, HTTP_ACCEPT="application/json").json()
    facts = story["sections"]["facts"]
    assert facts["version"] == 2 and facts["values"]["origin"] == "云南省楚雄州南华县 · 龙川镇"
    assert [entry["version"] for entry in facts["history"]] == [2, 1]
    assert facts["history"][0]["changes"] == [
        {"field": "origin", "before": "云南省楚雄州南华县 · 五街镇", "after": "云南省楚雄州南华县 · 龙川镇"}]
    leaf_hashes = set(ProductFacts.objects.values_list("ledger_leaf_hash", flat=True))
    assert {entry["proof"]["leaf_hash"] for entry in facts["history"]} == leaf_hashes
    assert all(entry["proof"]["state"] in ("verified", "pending") for entry in facts["history"])


def test_a_product_published_before_facts_were_signed_says_so(client: Client, product):
    html = client.get(product.digital_link.path).content.decode()
    assert "已在平台登记 · 商品信息未签名" in html and 'id="facts"' not in html


def test_the_shop_page_shows_the_signed_facts(client: Client, merchant_actor):
    product = _published(merchant_actor)
    Offer.objects.create(merchant=product.merchant, product=product, price_fen=12800, stock=5)
    html = client.get(f"/shop/products/{product.pk}/").content.decode()
    assert 'id="facts"' in html and "商家签名" in html and "修改记录 1 条" in html


def test_a_harvest_far_from_the_stated_origin_is_a_conflict(merchant_actor):
    # given a product said to come from Nanhua, harvested (by its events) in Shangri-La and in Nanhua
    product = _published(merchant_actor)
    _harvest(product, name="香格里拉松茸山", address="云南省迪庆州香格里拉市尼西乡", lat="27.829", lng="99.706")
    _harvest(product, name="南华采集点", address="云南省楚雄州南华县五街镇", lat="25.20", lng="101.28")
    # when / then: only the far one is named, with what it says
    conflicts = origin_conflicts(product=product)
    assert [(c.place, c.address, c.biz_step) for c in conflicts] == [
        ("香格里拉松茸山", "云南省迪庆州香格里拉市尼西乡", "harvesting")]
    assert 250 < (conflicts[0].distance_km or 0) < 350


def test_declared_errors_and_packing_places_are_not_conflicts(merchant_actor):
    product = _published(merchant_actor)
    _harvest(product, name="错记的地点", address="上海市浦东新区", lat="31.2", lng="121.6", declared=True)
    _harvest(product, name="南华采集点", address="云南省楚雄州南华县五街镇", lat="25.20", lng="101.28")
    _harvest(product, name="昆明分拣中心", address="云南省昆明市官渡区", lat="25.02", lng="102.74",
             step="commissioning")
    assert origin_conflicts(product=product) == []


def test_commissioning_stands_in_when_no_harvest_is_recorded(merchant_actor):
    product = _published(merchant_actor)
    _harvest(product, name="昆明工坊", address="云南省昆明市呈贡区", lat="24.887", lng="102.821",
             step="commissioning")
    assert [c.place for c in origin_conflicts(product=product)] == ["昆明工坊"]


def test_the_console_warns_before_publishing_and_the_api_says_the_same(merchant_actor, merchant_key,
                                                                          other_key):
    # given a draft whose harvest event is in Shangri-La
    product = product_register(actor=merchant_actor, gtin=make_gtin(), **FACTS)
    _harvest(product, name="香格里拉松茸山", address="云南省迪庆州香格里拉市尼西乡", lat="27.829", lng="99.706")
    # when the merchant opens it
    html = signed_in(merchant_actor).get(f"/merchant/products/{product.pk}/").content.decode()
    # then it is warned, with what the event says
    assert "产地与溯源记录不符" in html and "发布上架前请核对" in html
    assert "2026-07-01 的采收/赋码记录说：香格里拉松茸山" in html
    # and the API returns the same
    client = Client()
    answer = call(client, "GET", f"/products/{product.pk}/origin-check", key=merchant_key)
    assert answer.status_code == 200
    body = answer.json()
    assert [c["place"] for c in body["conflicts"]] == ["香格里拉松茸山"]
    assert body["origin_region"] == "云南省楚雄州南华县"
    # but not to another merchant
    assert call(client, "GET", f"/products/{product.pk}/origin-check", key=other_key).status_code == 404


def test_the_console_form_edits_every_fact_and_signs_on_a_published_product(merchant_actor):
    product = _published(merchant_actor)
    browser = signed_in(merchant_actor)
    form = {**FACTS, "origin_latitude": "25.192000", "origin_longitude": "101.274000", "shelf_life_days": "10",
            "net_content_amount": "0.5", "net_content_unit": "kg"}
    assert "改动的信息会由商家签名" in browser.get(f"/merchant/products/{product.pk}/edit/").content.decode()
    response = browser.post(f"/merchant/products/{product.pk}/edit/", form)
    assert response.status_code == 302
    latest = ProductFacts.objects.get(product=product, version=2)
    assert (latest.shelf_life_days, latest.net_content_amount, latest.net_content_unit) == (10, Decimal("0.5"), "kg")
    # an implausible shelf life is shown on its field, and nothing is signed
    response = browser.post(f"/merchant/products/{product.pk}/edit/", {**form, "shelf_life_days": "99999"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"shelf_life_days": ["保质期应在 1 至 3650 天之间"]}
    assert ProductFacts.objects.filter(product=product).count() == 2


def test_the_api_takes_and_returns_the_facts(merchant_key):
    client = Client()
    body = {**FACTS, "gtin": make_gtin()}
    created = call(client, "POST", "/products", key=merchant_key, body=body).json()
    assert (created["origin_place"], created["net_content_amount"], created["net_content_unit"]) == (
        "五街镇", "500", "g")
    assert created["facts_version"] is None  # a draft is not signed
    published = call(client, "POST", f"/products/{created['id']}/status", key=merchant_key,
                     body={"status": "active"}).json()
    assert published["facts_version"] == 1 and len(published["facts_leaf_hash"]) == 64
    refused = call(client, "PUT", f"/products/{created['id']}", key=merchant_key,
                   body={**FACTS, "net_content_amount": "0"})
    assert refused.status_code == 422 and json.loads(refused.content)["code"] == "product.net_content_invalid"
    assert ProductFacts.objects.count() == 1


def test_labels_of_a_draft_ask_first(merchant_actor):
    # given a draft with items
    product = product_register(actor=merchant_actor, gtin=make_gtin(), **FACTS)
    batch = BatchFactory(product=product, lot="D1")
    ItemFactory(batch=batch, serial="DRAFT1")
    browser = signed_in(merchant_actor)
    # when its labels are asked for, the console warns first
    response = browser.get(f"/merchant/batches/{batch.pk}/labels.svg")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "该商品尚未上架，扫码将显示‘此商品已登记，尚未上架’" in html
    assert f"/merchant/batches/{batch.pk}/labels.svg?confirm_draft=1" in html
    # and confirmed, the sheet is downloaded
    confirmed = browser.get(f"/merchant/batches/{batch.pk}/labels.svg?confirm_draft=1")
    assert confirmed["Content-Type"].startswith("image/svg+xml")

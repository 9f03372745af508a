"""The consumer scan page served by Django (the fallback and development path)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from xinren.catalog.choices import ProductStatus
from xinren.core import clock
from xinren.trace.models import ItemScanStats, Scan

from ..factories import BatchFactory, ItemFactory, ProductFactory
from .conftest import CST, Story, event_make

pytestmark = pytest.mark.django_db


def _item_path(story: Story) -> str:
    return f"/01/{story.product.gtin}/10/L20260701/21/SER0001"


def test_item_page_shows_product_origin_and_timeline(client: Client, story: Story):
    # when
    response = client.get(_item_path(story))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    assert "<h1>野生牛肝菌</h1>" in html
    assert "昆明山野菌菇店" in html  # the merchant
    assert "云南省楚雄州南华县" in html  # origin region
    assert "L20260701" in html and "2026-07-01" in html and "2027-12-31" in html
    # the item's own packing event, the lot's harvest and shipment, oldest first; not the other item's packing
    steps = re.findall(r'<div class="step">([^<]+)<', html)
    assert steps == ["采收", "包装", "发货"]
    assert "滇冷链物流" in html and "上海冷链仓" in html and "3.5 °C" in html
    assert "<svg viewBox=" in html  # the route map
    assert "上海冷链仓（在图外，方向如图）" in html  # Shanghai is beyond the Yunnan frame


def test_batch_page_shows_lot_events_only(client: Client, story: Story):
    response = client.get(f"/01/{story.product.gtin}/10/L20260701")
    assert response.status_code == 200
    steps = re.findall(r'<div class="step">([^<]+)<', response.content.decode())
    assert steps == ["采收", "发货"]
    assert Scan.objects.count() == 0  # a lot page is not an item scan


def test_product_page_shows_product_level_events(client: Client, story: Story, merchant):
    # given a product-level event
    event_make(organization=merchant, biz_step="inspecting", when=story.batch.created_at, product=story.product)
    # when
    response = client.get(f"/01/{story.product.gtin}")
    # then
    assert response.status_code == 200
    steps = re.findall(r'<div class="step">([^<]+)<', response.content.decode())
    assert steps == ["检验"]


def test_gtin13_path_redirects_to_canonical_gtin14(client: Client, story: Story):
    # given a GTIN-14 with a leading zero, i.e. a GTIN-13 printed on the pack
    gtin13 = story.product.gtin[1:]
    assert story.product.gtin[0] == "0"
    # when
    response = client.get(f"/01/{gtin13}/10/L20260701/21/SER0001?lang=en")
    # then
    assert response.status_code == 301
    assert response["Location"] == _item_path(story) + "?lang=en"
    assert Scan.objects.count() == 0


def test_serial_without_lot_redirects_to_full_path(client: Client, story: Story):
    response = client.get(f"/01/{story.product.gtin}/21/SER0001")
    assert response.status_code == 301
    assert response["Location"] == _item_path(story)


def test_unknown_code_gets_not_registered_page(client: Client, story: Story):
    # when
    response = client.get(f"/01/{story.product.gtin}/10/L20260701/21/NOPE999")
    # then
    assert response.status_code == 404
    html = response.content.decode()
    assert "此码未在平台登记" in html
    assert "12315" in html
    assert Scan.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/01/06901234567891",  # wrong check digit
        "/01/12345",  # too short
        "/01/abc/10/x",
        "/01/06901234567892/10/" + "x" * 21,  # lot longer than 20
    ],
)
def test_malformed_code_gets_clear_404(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert "这不是有效的溯源码" in response.content.decode()


def test_draft_product_is_not_public_and_its_page_says_registered_not_published(client: Client, merchant):
    # given a draft product with a lot and an item
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT, name="未上架的松茸")
    item = ItemFactory(batch=BatchFactory(product=product, lot="D1"), serial="DRAFT1")
    # when / then: nothing of it is shown, but its code is not called unknown, nor a counterfeit
    for path in (product.digital_link.path, item.batch.digital_link.path, item.digital_link.path):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.content.decode()
        assert "此商品已登记，尚未上架" in html
        assert "此码未在平台登记" not in html and "怀疑买到假货" not in html and "12315" not in html
        assert "未上架的松茸" not in html
        answer = client.get(path, HTTP_ACCEPT="application/json").json()
        assert answer["code"] == "trace.code_not_published"
        assert answer["message"] == "此商品已登记，尚未上架"
        api = client.get(f"/api/v1/trace{path}").json()
        assert api["code"] == "trace.code_not_published"
    # an unknown lot or serial of the draft is still unknown
    for path in (f"{product.digital_link.path}/10/NOPE", f"{item.batch.digital_link.path}/21/NOPE"):
        assert "此码未在平台登记" in client.get(path).content.decode(), path
    assert Scan.objects.count() == 0


def test_delisted_product_says_so(client: Client, story: Story):
    story.product.status = ProductStatus.DELISTED
    story.product.save()
    response = client.get(_item_path(story))
    assert response.status_code == 200
    assert "此商品已下架" in response.content.decode()


def test_other_merchants_data_is_not_mixed_in(client: Client, story: Story, other_merchant):
    # given another merchant's product with the same lot and serial and its own event
    other = ProductFactory(merchant=other_merchant, name="普洱生茶")
    other_item = ItemFactory(batch=BatchFactory(product=other, lot="L20260701"), serial="SER0001")
    event_make(organization=other_merchant, biz_step="storing", when=story.batch.created_at, item=other_item)
    event_make(organization=other_merchant, biz_step="inspecting", when=story.batch.created_at,
               batch=other_item.batch)
    # when
    html = client.get(_item_path(story)).content.decode()
    # then
    assert "普洱" not in html
    assert re.findall(r'<div class="step">([^<]+)<', html) == ["采收", "包装", "发货"]


def test_description_is_escaped(client: Client, story: Story):
    story.product.description = '<script>alert("x")</script><b>好</b>'
    story.product.save()
    html = client.get(_item_path(story)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;好&lt;/b&gt;" in html


def test_page_with_long_history_stays_small_and_has_no_framework_script(client: Client, story: Story, merchant):
    # given 60 more item-level events
    for minute in range(60):
        event_make(organization=merchant, biz_step="storing", item=story.item,
                   when=story.batch.created_at.replace(minute=minute % 60, tzinfo=CST))
    # when
    response = client.get(_item_path(story))
    # then
    assert response.content.count(b'<div class="step">') == 63
    assert len(response.content) <= 150 * 1024
    # the one external script is "verify on my phone" (plain JavaScript, no framework)
    assert response.content.count(b"<script src") == 1
    assert b'<script src="/static/public/verify.js" defer>' in response.content
    assert b"{#" not in response.content and b"{%" not in response.content  # no template syntax leaks
    assert b"<link rel=\"stylesheet\"" not in response.content


@pytest.mark.parametrize("accept", ["application/json", "application/ld+json", "application/json, text/html"])
def test_content_negotiation_gives_json(client: Client, story: Story, accept: str):
    response = client.get(_item_path(story), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    body = json.loads(response.content)
    assert body["level"] == "item"
    assert body["link"]["path"] == _item_path(story)
    assert [e["biz_step"] for e in body["events"]] == ["harvesting", "packing", "shipping"]


def test_unknown_code_as_json(client: Client, story: Story):
    response = client.get(f"/01/{story.product.gtin}/10/L1/21/NOPE", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert json.loads(response.content) == {
        "code": "trace.code_not_registered",
        "message": "此码未在平台登记",
        "details": {"path": f"/01/{story.product.gtin}/10/L1/21/NOPE"},
    }


def test_browser_accept_header_gets_html(client: Client, story: Story):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    response = client.get(_item_path(story), HTTP_ACCEPT=accept)
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_english_via_accept_language_and_switch(client: Client, story: Story):
    # when a switch link is followed
    response = client.get(_item_path(story) + "?lang=en")
    # then the page is in English and the choice is remembered
    assert response.status_code == 200
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in response.content.decode()
    assert '<html lang="zh-hans">' in client.get(_item_path(story) + "?lang=zh-hans").content.decode()
    assert '<html lang="en">' in Client().get(_item_path(story), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_first_scan_notice_then_count(client: Client, story: Story):
    # when the first scan arrives
    first = client.get(_item_path(story), REMOTE_ADDR="10.0.0.1").content.decode()
    # then
    assert 'data-s="first"' in first and 'data-s="seen"' not in first
    # when a second one arrives from another phone
    second = client.get(_item_path(story), REMOTE_ADDR="10.0.0.2").content.decode()
    # then
    assert 'data-s="first"' not in second
    assert '此码此前已被扫描 <b data-f="prior">1</b> 次' in second
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.total, stats.recent_clients, stats.flagged_at) == (2, 2, None)
    assert sorted(Scan.objects.values_list("client", flat=True)) != ["10.0.0.1", "10.0.0.2"]
    assert all(len(c) == 16 for c in Scan.objects.values_list("client", flat=True))


def test_suspicious_warning_after_many_networks_one_after_another(client: Client, story: Story, settings):
    # given a threshold of 3 weighted networks, and scans from 4 networks an hour or more apart
    settings.XINREN_SUSPICIOUS_SCANS = 3
    start = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    for n in range(3):
        with clock.played_at(start + dt.timedelta(hours=2 * n)):
            html = client.get(_item_path(story), REMOTE_ADDR=f"10.{n}.0.1").content.decode()
        assert 'data-s="warn"' not in html
    # a repeat from a known network, even with another browser, does not add a network
    with clock.played_at(start + dt.timedelta(hours=5)):
        client.get(_item_path(story), REMOTE_ADDR="10.0.0.77", HTTP_USER_AGENT="Other browser")
    assert ItemScanStats.objects.get(item=story.item).flagged_at is None
    # when a fourth network scans
    with clock.played_at(start + dt.timedelta(hours=6)):
        html = client.get(_item_path(story), REMOTE_ADDR="10.9.0.1").content.decode()
    # then
    assert 'data-s="warn"' in html
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.total, stats.recent_clients, stats.recent_networks) == (5, 5, 4)
    assert stats.flagged_at == start + dt.timedelta(hours=6)
    # and the warning decays: a week after the last flag, the page no longer shows it
    with clock.played_at(start + dt.timedelta(days=7, hours=6, minutes=1)):
        later = client.get(_item_path(story) + "?lang=zh-hans").content.decode()
    assert 'data-s="warn"' not in later


def test_many_clients_on_one_network_do_not_make_a_code_suspicious(client: Client, story: Story, settings):
    # given: 25 browsers behind one address, and 25 addresses of one /24
    settings.XINREN_SUSPICIOUS_SCANS = 3
    for n in range(25):
        client.get(_item_path(story), REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT=f"Browser {n}")
        client.get(_item_path(story), REMOTE_ADDR=f"203.0.113.{n + 10}")
    # then: 50 clients, one network
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.recent_clients, stats.recent_networks, stats.flagged_at) == (50, 1, None)


def test_a_burst_from_many_networks_at_once_weighs_as_a_few(client: Client, story: Story, settings):
    # given: 25 networks within a few minutes (a shared post, or someone smearing the shop)
    settings.XINREN_SUSPICIOUS_SCANS = 3
    start = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    for n in range(25):
        with clock.played_at(start + dt.timedelta(minutes=2 * n % 50)):
            client.get(_item_path(story), REMOTE_ADDR=f"198.{n}.7.1")
    # then
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.recent_networks, stats.flagged_at) == (2, None)


def test_forged_forwarded_headers_from_loopback_count_as_one_client(client: Client, story: Story, settings):
    # given: the development default; 25 requests from loopback each claiming another address
    settings.XINREN_SUSPICIOUS_SCANS = 3
    start = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    for n in range(25):
        with clock.played_at(start + dt.timedelta(hours=n)):
            client.get(_item_path(story), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{n + 1}.2.3.4")
    # then
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.recent_clients, stats.recent_networks, stats.flagged_at) == (1, 1, None)


def test_request_logged_by_web_server_is_not_counted_again(client: Client, story: Story):
    response = client.get(_item_path(story), HTTP_X_XINREN_SCAN_LOGGED="1")
    assert response.status_code == 200
    assert Scan.objects.count() == 0


def test_language_switch_is_not_a_scan(client: Client, story: Story):
    client.get(_item_path(story) + "?lang=en")
    assert Scan.objects.count() == 0


def test_home_and_lookup(client: Client, story: Story):
    assert client.get("/").status_code == 200
    assert '<html lang="zh-hans">' in client.get("/?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.get("/lookup/", {"code": f"https://example.org{_item_path(story)}"})
    assert (response.status_code, response["Location"]) == (301, _item_path(story))
    assert client.get("/lookup/", {"code": "hello"}).status_code == 400


def test_event_declared_erroneous_stays_in_the_timeline_marked(client: Client, story: Story, logistics):
    # given the logistics firm declares its shipping event wrong (an EPCIS error declaration, same eventID)
    from xinren.trace.models import TraceEvent

    shipping = TraceEvent.objects.get(biz_step__endswith="shipping")
    event_make(
        organization=logistics, biz_step=shipping.biz_step, when=shipping.event_time, batch=story.batch,
        event_id=shipping.event_id, is_error_declaration=True,
        document={"type": "ObjectEvent", "errorDeclaration": {
            "declarationTime": "2026-07-03T08:00:00+08:00", "reason": "https://ref.gs1.org/cbv/ER-incorrect_data"}},
    )
    # when
    response = client.get(_item_path(story), HTTP_ACCEPT="application/json")
    html = client.get(_item_path(story)).content.decode()
    # then the event is shown once, marked, and the declaration itself is not a separate step
    events = json.loads(response.content)["events"]
    assert [e["biz_step"] for e in events] == ["harvesting", "packing", "shipping"]
    assert events[2]["error_declaration"] == {
        "declared_at": "2026-07-03T08:00:00+08:00", "reason": "incorrect_data", "reason_label": "记录的数据有误",
        "corrective_event_ids": [],
    }
    assert "记录方已声明此条记录有误：记录的数据有误" in html

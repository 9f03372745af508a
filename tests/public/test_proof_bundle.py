"""The item proof bundle: served next to the item page, published with it, holding exactly what the page proves."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Item, Product
from xinren.ledger.item_bundle import verify_item_bundle
from xinren.ledger.store.selectors import log_vkey
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.services import event_record
from xinren.web.publishing import items_publish

from ..factories import BatchFactory, ItemFactory, ProductFactory
from ..ledger.browser_harness import chromium, dump_dom, served

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _record(actor, item, step: str, minute: int = 0):
    return event_record(actor=actor, event_type="ObjectEvent", biz_step=step, event_time=WHEN.replace(minute=minute),
                        identifiers=[item.digital_link.path])


def _url(item) -> str:
    return f"/proofs/01/{item.product.gtin}/21/{item.serial}.json"


def test_bundle_holds_every_record_the_page_proves_and_verifies(client: Client, merchant_actor):
    # given an item with two signed events in the log
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    _record(merchant_actor, item, "packing")
    _record(merchant_actor, item, "shipping", minute=5)
    log_integrate_all()
    story = client.get(item.digital_link.path, HTTP_ACCEPT="application/json").json()
    # when
    response = client.get(_url(item))
    # then
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    verdict = verify_item_bundle(response.content, log_vkey())
    assert verdict.ok, verdict.message
    events = [r for r in verdict.records if r.section == "events"]
    assert [r.index for r in events] == [e["proof"]["log_index"] for e in story["events"]]
    assert [r.statement["event"]["bizStep"].rsplit(":", 1)[-1] for r in events] == ["packing", "shipping"]
    assert {s.name for r in events for s in r.signers} == {merchant_actor.organization.name}
    assert [r.section for r in verdict.records if r.section != "events"] == ["keys", "keys"]  # registrar, merchant
    assert json.loads(response.content)["omitted"] == []


def test_a_record_not_yet_in_the_log_is_listed_as_omitted(client: Client, merchant_actor):
    # given one event integrated, one still pooled
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    _record(merchant_actor, item, "packing")
    log_integrate_all()
    _record(merchant_actor, item, "shipping", minute=5)
    # when
    document = client.get(_url(item)).json()
    # then
    assert [o["state"] for o in document["omitted"]] == ["pending"]
    assert [r["section"] for r in document["records"]].count("events") == 1
    assert verify_item_bundle(json.dumps(document), log_vkey()).ok


def test_item_page_offers_verify_on_my_phone(client: Client, merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    page = client.get(item.digital_link.path).content.decode()
    assert f'data-bundle="{_url(item)}"' in page
    assert f'data-log-key="{log_vkey()}"' in page
    assert "在我的手机上验证" in page
    assert 'id="verify"' not in client.get(item.batch.digital_link.path).content.decode()  # items only


@pytest.mark.parametrize("path", ["/proofs/01/06975830100012/21/NOSUCH.json", "/proofs/01/123456789/21/X.json"])
def test_unknown_or_malformed_item_gets_a_json_404(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] in {"trace.code_not_registered", "trace.code_malformed"}


def _queries_for_bundle(client: Client, merchant_actor, events: int) -> int:
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    for minute in range(events):
        _record(merchant_actor, item, "storing", minute=minute)
    log_integrate_all()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(item)).status_code == 200
    return len(queries)


def test_bundle_queries_do_not_grow_with_records(client: Client, merchant_actor):
    assert _queries_for_bundle(client, merchant_actor, 2) == _queries_for_bundle(client, merchant_actor, 9)


def _publish(merchant_actor, count: int) -> tuple[list[Item], int]:
    batch = BatchFactory(product=ProductFactory(merchant=merchant_actor.organization))
    items = [ItemFactory(batch=batch) for _ in range(count)]
    for item in items:
        _record(merchant_actor, item, "packing")
    log_integrate_all()
    chunk = list(Item.objects.filter(batch=batch).select_related("batch__product"))
    with CaptureQueriesContext(connection) as queries:
        items_publish(items=chunk)
    return items, len(queries)


def test_publishing_writes_each_items_bundle_with_queries_per_lot_not_per_item(client: Client, merchant_actor):
    # given / when
    _first, two = _publish(merchant_actor, 2)
    items, eight = _publish(merchant_actor, 8)
    # then
    assert two == eight
    for item in items:  # (the log has not grown since these were published: the same bytes as the view's)
        path = Path(settings.XINREN_PUBLISH_DIR) / "proofs" / "01" / item.product.gtin / "21" / f"{item.serial}.json"
        assert path.exists() and path.with_name(path.name + ".gz").exists()
        assert path.read_bytes() == client.get(_url(item)).content
        assert verify_item_bundle(path.read_bytes(), log_vkey()).ok


@pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),
                    reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it on CI")
def test_the_real_item_page_verifies_in_headless_chromium(client: Client, merchant_actor, tmp_path):
    # given the item page as the platform draws it, and its bundle at the URL the page names
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    _record(merchant_actor, item, "packing")
    log_integrate_all()
    page = client.get(item.digital_link.path).content.decode()
    bundle = client.get(_url(item)).content.decode()
    # when
    with served(tmp_path, bundle, log_vkey(), page=page, bundle_path=_url(item).lstrip("/")) as base:
        dom = dump_dom(base + "/index.html#verify")
    # then
    assert 'data-verdict="ok"' in dom and 'data-engine="webcrypto"' in dom, dom[-3000:]
    assert "✓ 全部 3 条记录已在您的手机上验证" in dom and "步骤：包装" in dom


def test_a_withdrawn_products_item_bundles_are_removed(merchant_actor):
    # given a published item
    items, _queries = _publish(merchant_actor, 1)
    [item] = items
    path = Path(settings.XINREN_PUBLISH_DIR) / "proofs" / "01" / item.product.gtin / "21" / f"{item.serial}.json"
    assert path.exists()
    # when the product is no longer public
    Product.objects.filter(pk=item.product.pk).update(status=ProductStatus.DRAFT)
    items_publish(items=list(Item.objects.filter(pk=item.pk).select_related("batch__product")))
    # then
    assert not path.exists() and not path.with_name(path.name + ".gz").exists()


def test_an_item_of_an_empty_log_has_a_bundle_that_verifies_with_nothing_in_it(client: Client, merchant_actor):
    # given an item whose event is still pooled, in a log with no checkpoint yet
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    _record(merchant_actor, item, "packing")
    # when
    response = client.get(_url(item))
    # then
    verdict = verify_item_bundle(response.content, log_vkey())
    assert verdict.ok and verdict.records == () and verdict.checkpoint is not None and verdict.checkpoint.size == 0
    assert [o["state"] for o in verdict.omitted] == ["pending"]

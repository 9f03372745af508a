"""Publishing consumer pages as files, and draining the page outbox."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import brotli
import pytest
from django.core.management import call_command
from django.db import connection

from xinren.catalog import services as catalog_services
from xinren.catalog.choices import ProductStatus
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.web import publishing

from ..factories import BatchFactory, ItemFactory, ProductFactory
from .conftest import Story

pytestmark = pytest.mark.django_db


def _dir(settings, path: str) -> Path:  # type: ignore[no-untyped-def]
    return Path(settings.XINREN_PUBLISH_DIR) / path.lstrip("/")


def test_publish_all_writes_every_public_page(settings, story: Story, merchant):
    # given a draft product beside the published one
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    draft_item = ItemFactory(batch=BatchFactory(product=draft, lot="D1"), serial="DRAFT1")
    # when
    call_command("publish_pages", "--all")
    # then the product, lot and item pages exist in both languages, with JSON, gzip and brotli twins
    item_dir = _dir(settings, story.item.digital_link.path)
    for directory in (item_dir, _dir(settings, story.batch.digital_link.path),
                      _dir(settings, story.product.digital_link.path)):
        names = sorted(p.name for p in directory.iterdir() if p.is_file())
        assert names == ["index.en.html", "index.en.html.br", "index.en.html.gz", "index.html", "index.html.br",
                         "index.html.gz", "index.json", "index.json.br", "index.json.gz"]
    html = (item_dir / "index.html").read_text()
    for name in ("index.html", "index.en.html", "index.json"):  # each twin holds the same bytes, smaller
        plain = (item_dir / name).read_bytes()
        assert brotli.decompress((item_dir / f"{name}.br").read_bytes()) == plain
        assert gzip.decompress((item_dir / f"{name}.gz").read_bytes()) == plain
        assert (item_dir / f"{name}.br").stat().st_size < (item_dir / f"{name}.gz").stat().st_size
    assert "<h1>野生牛肝菌</h1>" in html
    assert 'data-counter="/scans/' in html
    # the one external script is "verify on my phone" (plain JavaScript, no framework)
    assert html.count("<script src") == 1 and '<script src="/static/public/verify.js" defer>' in html
    assert '<html lang="en">' in (item_dir / "index.en.html").read_text()
    story_json = json.loads((item_dir / "index.json").read_text())
    assert story_json["level"] == "item" and story_json["link"]["serial"] == "SER0001"
    # no counter until the item has been scanned: the page reads "no file" as "first scan"
    assert not (Path(settings.XINREN_PUBLISH_DIR) / "scans").exists()
    # and nothing of the draft
    assert not _dir(settings, draft.digital_link.path).exists()
    assert not _dir(settings, draft_item.digital_link.path).exists()


def test_published_page_equals_django_page_apart_from_the_scan_notice(settings, client, story: Story):
    call_command("publish_pages", "--all")
    published = json.loads((_dir(settings, story.item.digital_link.path) / "index.json").read_text())
    served = json.loads(client.get(story.item.digital_link.path, HTTP_ACCEPT="application/json",
                                   HTTP_X_XINREN_SCAN_LOGGED="1").content)
    assert published == served


def test_counter_of_a_scanned_item_is_seeded_but_never_overwritten(settings, client, story: Story):
    # given two scans counted in the database, and a fresher counter already written by the ingester
    client.get(story.item.digital_link.path, REMOTE_ADDR="10.0.0.1")
    client.get(story.item.digital_link.path, REMOTE_ADDR="10.0.0.2")
    counter = Path(settings.XINREN_PUBLISH_DIR) / "scans" / story.product.gtin / "SER0001.json"
    # when everything is published
    call_command("publish_pages", "--all")
    # then the counter is seeded from the database
    assert json.loads(counter.read_text())["total"] == 2
    # and a count written by the ingester in the meantime is never replaced by an older one
    publishing.counter_write(gtin=story.product.gtin, serial="SER0001", counter={"total": 7})
    call_command("publish_pages", "--all")
    assert json.loads(counter.read_text()) == {"total": 7}


def test_outbox_drain_fans_out_and_removes_rows(settings, story: Story, merchant_actor):
    # given a product change made through the catalog service (which queues the product page)
    catalog_services.product_update(
        actor=merchant_actor, product_id=story.product.pk, name="野生牛肝菌（特级）", category="wild_mushroom",
        origin_region="云南省楚雄州南华县", description="新描述",
    )
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("product", story.product.pk)]
    # when the outbox is drained until empty
    call_command("publish_pages")
    # then every page showing the product is published and the outbox is empty
    assert PageRefresh.objects.count() == 0
    for link in (story.product.digital_link, story.batch.digital_link, story.item.digital_link,
                 story.other_item.digital_link):
        html = (_dir(settings, link.path) / "index.html").read_text()
        assert "野生牛肝菌（特级）" in html, link.path


def test_product_page_only_rows_do_not_fan_out(settings, story: Story):
    # given a change that only the product page shows (a review, say)
    PageRefresh.objects.all().delete()
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT_PAGE, object_ids=[story.product.pk])
    # when
    stats = publishing.outbox_drain()
    # then the product page alone is written, and nothing is queued behind it
    assert (stats.pages, stats.queued) == (1, 0)
    assert PageRefresh.objects.count() == 0
    assert (_dir(settings, story.product.digital_link.path) / "index.html").exists()
    assert not (_dir(settings, story.item.digital_link.path) / "index.html").exists()


def test_delisted_then_draft_is_republished_then_withdrawn(settings, story: Story):
    call_command("publish_pages", "--all")
    item_dir = _dir(settings, story.item.digital_link.path)
    # when the product is delisted
    story.product.status = ProductStatus.DELISTED
    story.product.save()
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[story.product.pk])
    call_command("publish_pages")
    # then its pages say so
    assert "此商品已下架" in (item_dir / "index.html").read_text()
    # when it goes back to draft
    story.product.status = ProductStatus.DRAFT
    story.product.save()
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[story.product.pk])
    call_command("publish_pages")
    # then no page of it is left, nor its scan counters
    assert not list(Path(settings.XINREN_PUBLISH_DIR).rglob("index.html"))
    assert not list((Path(settings.XINREN_PUBLISH_DIR) / "scans").rglob("*.json"))
    assert PageRefresh.objects.count() == 0


def test_lot_that_cannot_be_a_directory_is_served_by_django_only(settings, client, merchant):
    # given a lot with a slash (legal in GS1)
    item = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=merchant), lot="L-1/2"), serial="S1")
    # when
    stats = publishing.publish_all()
    # then the lot and item pages are skipped, and Django still answers
    assert stats.skipped == 2
    assert not list(Path(settings.XINREN_PUBLISH_DIR).rglob("L-1*"))
    # (gunicorn passes the undecoded path as RAW_URI, so %2F stays inside the lot)
    response = client.get(item.digital_link.path, RAW_URI=item.digital_link.path)
    assert response.status_code == 200
    assert "L-1/2" in response.content.decode()


def test_file_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path):
    target = tmp_path / "a" / "index.html"
    publishing.file_write(target, b"one")
    publishing.file_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html", "index.html.br", "index.html.gz"]


@pytest.mark.django_db(transaction=True)
def test_two_drainers_never_process_the_same_row(require_postgres, monkeypatch, merchant):
    # given 40 queued item pages
    product = ProductFactory(merchant=merchant)
    batch = BatchFactory(product=product, lot="LPG")
    items = [ItemFactory(batch=batch, serial=f"PG{n:03d}") for n in range(40)]
    PageRefresh.objects.all().delete()
    pages_mark_stale(kind=PageRefresh.Kind.ITEM, object_ids=[i.pk for i in items])
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()
    original = publishing._publish_targets

    def slow_publish(targets):  # type: ignore[no-untyped-def]
        with lock:
            seen.extend(targets)
        time.sleep(0.05)  # keep both workers inside their transactions at once
        return original(targets)

    monkeypatch.setattr(publishing, "_publish_targets", slow_publish)
    claims: list[int] = []

    def worker() -> None:
        try:
            while (stats := publishing.outbox_drain(limit=5)).pages:
                with lock:
                    claims.append(stats.pages)
        finally:
            connection.close()

    # when two workers drain at once
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then each row was processed exactly once, and both workers did some of the work
    assert sorted(seen) == sorted(("item", i.pk) for i in items)
    assert sum(claims) == 40
    assert PageRefresh.objects.count() == 0

"""Publishing the consumer pages as files that the web server serves without Python (docs/adr/0002).

Layout under settings.XINREN_PUBLISH_DIR, by Digital Link path:

    01/<gtin14>/index.html              product page, default language (zh-hans)
    01/<gtin14>/index.en.html           the same page in English (one file per other language)
    01/<gtin14>/index.json              the story as JSON (content negotiation and /api/v1/trace)
    01/<gtin14>/10/<lot>/index.*        batch page
    01/<gtin14>/10/<lot>/21/<serial>/index.*   item page
    01/<gtin14>[/10/<lot>]/<part>/index.*      a section a phone rarely opens (album, cold chain), on a page of
                                        its own that the product's, lot's and items' pages link to (pages.ON_DEMAND)
    scans/<gtin14>/<serial>.json        the item's scan counter, once it has been scanned (kept by scans_ingest)
    proofs/01/<gtin14>/21/<serial>.json the item's proof bundle ("verify on my phone", web/public/proof_bundles.py)

Each file also gets a gzip twin (`.gz`) for nginx's gzip_static and a brotli twin (`.br`) for brotli_static
(Debian's libnginx-mod-http-brotli-static): browsers ask for br over HTTPS, and an item page in brotli is ~15-20 %
smaller than in gzip. Writes are atomic (temporary file, then
os.replace), so the web server never serves half a page. A page that is not public (draft product,
unknown code) is removed, never written.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import brotli
from django.conf import settings
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import translation
from django.utils.safestring import SafeString

from xinren.attest.proofs import BundleCache
from xinren.catalog.choices import ProductStatus
from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.models import Batch, Item, Product
from xinren.coldchain.selectors import item_promise_lines
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.ledger.store.models import PendingEntry
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.scans import ScanCounter, scan_counters_for_items
from xinren.trace.story import (
    item_events,
    shared_events_for_batch,
    story_for_batch,
    story_for_item,
    story_for_product,
    story_gaps,
    story_json,
)

from .public.pages import ON_DEMAND, part_page_html, parts_owner, sections_html, story_page_html
from .public.proof_bundles import bundle_file, item_bundle_for_story, story_leaf_hashes
from .public.sections import PublicStory, Sections, sections_for, story_with_sections

logger = logging.getLogger(__name__)

PUBLIC_STATUSES = (ProductStatus.ACTIVE, ProductStatus.DELISTED)
# Lots and serials made of these characters map 1:1 onto directory names that nginx finds from the URI.
# Others (GS1 also allows "/", "%", "." …) are simply not published: Django serves those pages.
SAFE_SEGMENT = re.compile(r"^[0-9A-Za-z_-]{1,20}$")
GZIP_LEVEL = 6
# Quality 5 of 11: an item page (59 KB) compresses in ~1.5 ms to 11.3 KB; quality 9 saved 2 % more for 20 ms,
# which made publishing 100k item pages five times slower (three files a page), and 11 takes 100 ms.
BROTLI_QUALITY = 5
ITEM_CHUNK = 1000
DRAIN_LIMIT = 200


@dataclass
class PublishStats:
    """What one publishing run did."""

    pages: int = 0
    removed: int = 0
    skipped: int = 0
    queued: int = 0

    def add(self, other: PublishStats) -> None:
        self.pages += other.pages
        self.removed += other.removed
        self.skipped += other.skipped
        self.queued += other.queued


def publish_root() -> Path:
    return Path(settings.XINREN_PUBLISH_DIR)


def page_dir(link: DigitalLink) -> Path | None:
    """Where a Digital Link's page files live, or None when its lot or serial cannot be a directory name."""
    parts = ["01", link.gtin]
    for ai, value in (("10", link.lot), ("21", link.serial)):
        if value is None:
            continue
        if not SAFE_SEGMENT.match(value):
            return None
        parts += [ai, value]
    return publish_root().joinpath(*parts)


def counter_file(*, gtin: str, serial: str) -> Path | None:
    if not SAFE_SEGMENT.match(serial):
        return None
    return publish_root() / "scans" / gtin / f"{serial}.json"


def file_write(path: Path, data: bytes, *, gzip_twin: bool = True) -> None:
    """Replace `path` atomically (and its .gz and .br twins), creating directories as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, data)
    if gzip_twin:
        _replace(path.with_name(path.name + ".gz"), gzip.compress(data, GZIP_LEVEL, mtime=0))
        _replace(path.with_name(path.name + ".br"), brotli.compress(data, quality=BROTLI_QUALITY))


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def counter_write(*, gtin: str, serial: str, counter: ScanCounter, only_if_absent: bool = False) -> bool:
    """Write an item's public scan counter. `only_if_absent` lets the publisher seed it without ever
    overwriting a fresher count that the scan ingester wrote in the meantime."""
    path = counter_file(gtin=gtin, serial=serial)
    if path is None:
        return False
    data = json.dumps(counter, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not only_if_absent:
        _replace(path, data)
        return True
    temporary = path.with_name(f".{path.name}.{os.getpid()}.seed")
    temporary.write_bytes(data)
    try:
        os.link(temporary, path)  # atomic "create unless it exists"
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink()


def story_files_write(
    directory: Path, story: PublicStory, *, drawn: dict[str, dict[str, SafeString]] | None = None
) -> None:
    """Render one story in every language, plus its JSON, into `directory`.

    `drawn` caches the story's sections drawn in each language, for pages that share them (a lot's items).
    """
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            sections = drawn.get(code) if drawn is not None else None
            if sections is None:
                sections = sections_html(story["sections"], parts_at=parts_owner(story))
                if drawn is not None:
                    drawn[code] = sections
            html = story_page_html(story=story, drawn=sections).encode()
        name = "index.html" if code == settings.LANGUAGE_CODE else f"index.{code}.html"
        file_write(directory / name, html)
    with translation.override(settings.LANGUAGE_CODE):
        file_write(directory / "index.json", story_json(story))


def parts_write(directory: Path, story: PublicStory) -> None:
    """Publish the on-demand sections of a product's or lot's story as pages of their own under `directory`
    (`<directory>/album/index.html` …), and withdraw those it no longer has."""
    for name in ON_DEMAND:
        written = False
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                html = part_page_html(story=story, name=name)
            if html is None:
                break
            file_write(directory / name / ("index.html" if code == settings.LANGUAGE_CODE else f"index.{code}.html"),
                       html.encode())
            written = True
        if not written:
            page_remove(directory / name)


def page_remove(directory: Path | None) -> int:
    """Remove a page's own files and its on-demand sections' pages (not the pages below it)."""
    if directory is None or not directory.is_dir():
        return 0
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and path.name.startswith("index."):
            path.unlink(missing_ok=True)
            removed += 1
        elif path.is_dir() and path.name in ON_DEMAND:
            removed += page_remove(path)
    return removed


# -- publishing objects ---------------------------------------------------------------------------------


def product_publish(*, product: Product, fan_out: bool = True) -> PublishStats:
    """Publish (or withdraw) a product's page; with `fan_out`, queue its lots so that every page showing
    the product is published again by the outbox workers."""
    stats = PublishStats()
    directory = page_dir(product.digital_link)
    if product.status not in PUBLIC_STATUSES:
        stats.removed += page_remove(directory)
    elif directory is not None:
        with translation.override(settings.LANGUAGE_CODE):
            story = story_with_sections(story_for_product(product=product), sections_for(product=product, batch=None))
        story_files_write(directory, story)
        parts_write(directory, story)
        stats.pages += 1
    if fan_out:
        batch_ids = list(product.batches.values_list("pk", flat=True))
        pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=batch_ids)
        stats.queued += len(batch_ids)
    return stats


def batch_publish(*, batch: Batch, fan_out: bool = True) -> PublishStats:
    """Publish (or withdraw) a lot's page; with `fan_out`, queue its items."""
    stats = PublishStats()
    product = batch.product
    directory = page_dir(batch.digital_link)
    if product.status not in PUBLIC_STATUSES:
        stats.removed += page_remove(directory)
    elif directory is not None:
        with translation.override(settings.LANGUAGE_CODE):
            story = story_with_sections(
                story_for_batch(batch=batch, product=product), sections_for(product=product, batch=batch)
            )
        story_files_write(directory, story)
        parts_write(directory, story)
        stats.pages += 1
    else:
        stats.skipped += 1
    if fan_out:
        item_ids = list(batch.items.values_list("pk", flat=True))
        pages_mark_stale(kind=PageRefresh.Kind.ITEM, object_ids=item_ids)
        stats.queued += len(item_ids)
    return stats


def items_publish(*, items: Iterable[Item]) -> PublishStats:
    """Publish (or withdraw) item pages, reading shared events once per lot and item events in bulk."""
    stats = PublishStats()
    by_batch: dict[int, list[Item]] = {}
    for item in items:
        by_batch.setdefault(item.batch_id, []).append(item)
    for group in by_batch.values():
        batch = group[0].batch
        product = batch.product
        prefetch_related_objects([product], "images")  # the story's photo, read once for the lot's pages
        public = product.status in PUBLIC_STATUSES
        with translation.override(settings.LANGUAGE_CODE):
            shared = shared_events_for_batch(batch=batch) if public else []
            sections: Sections = sections_for(product=product, batch=batch) if public else {}
        drawn: dict[str, dict[str, SafeString]] = {}  # the lot's sections, drawn once per language
        cache = BundleCache() if public else None  # the lot's records, keys and proofs, read in bulk
        for start in range(0, len(group), ITEM_CHUNK):
            chunk = group[start : start + ITEM_CHUNK]
            ids = [item.pk for item in chunk]
            with translation.override(settings.LANGUAGE_CODE):
                own = item_events(item_ids=ids) if public else {}
            # Counters exist only for items scanned at least once; the page reads "no file" as "no scans yet".
            counters = scan_counters_for_items(item_ids=ids) if public else {}
            gaps = story_gaps(product=product, batch=batch, items=chunk) if public else {}
            promised = item_promise_lines(batch=batch, item_ids=ids) if public else {}
            stories: dict[int, PublicStory] = {}
            if public:
                with translation.override(settings.LANGUAGE_CODE):
                    for item in chunk:
                        story = story_for_item(
                            item=item, product=product, shared_events=shared, own_events=own.get(item.pk, []),
                            gaps=gaps[item.pk],
                        )
                        stories[item.pk] = story_with_sections(story, sections)
                        if promised.get(item.pk):
                            stories[item.pk]["item_promises"] = promised[item.pk]
                assert cache is not None
                cache.prefetch(h for story in stories.values() for h in story_leaf_hashes(story))
            for item in chunk:
                link = DigitalLink(gtin=product.gtin, lot=batch.lot, serial=item.serial)
                directory = page_dir(link)
                if not public:
                    stats.removed += page_remove(directory)
                    counter = counter_file(gtin=product.gtin, serial=item.serial)
                    if counter is not None:
                        counter.unlink(missing_ok=True)
                    if directory is not None:
                        published = bundle_file(gtin=product.gtin, serial=item.serial)
                        published.unlink(missing_ok=True)
                        published.with_name(published.name + ".gz").unlink(missing_ok=True)
                        published.with_name(published.name + ".br").unlink(missing_ok=True)
                    continue
                if directory is None:
                    stats.skipped += 1
                    continue
                public_story = stories[item.pk]
                story_files_write(directory, public_story, drawn=drawn)
                bundle = item_bundle_for_story(public_story, cache=cache)
                file_write(bundle_file(gtin=product.gtin, serial=item.serial), bundle.to_json().encode())
                if item.pk in counters:
                    counter_write(gtin=product.gtin, serial=item.serial, counter=counters[item.pk], only_if_absent=True)
                stats.pages += 1
    return stats


def publish_all(*, batch_ids: Iterable[int] | None = None, products: bool = True) -> PublishStats:
    """Publish every public page and withdraw the pages of products that are not public.

    `batch_ids` limits the run to some lots (the command splits the work between processes this way).
    """
    stats = PublishStats()
    log_catch_up()
    if products:
        for product in Product.objects.select_related("merchant").order_by("pk"):
            if product.status not in PUBLIC_STATUSES:
                directory = page_dir(product.digital_link)
                if directory is not None and directory.exists():
                    # Everything below a withdrawn product goes with it, counters included.
                    shutil.rmtree(directory)
                    shutil.rmtree(publish_root() / "scans" / product.gtin, ignore_errors=True)
                    shutil.rmtree(publish_root() / "proofs" / "01" / product.gtin, ignore_errors=True)
                    stats.removed += 1
                continue
            stats.add(product_publish(product=product, fan_out=False))
    batches = Batch.objects.select_related("product", "product__merchant").filter(
        product__status__in=PUBLIC_STATUSES
    )
    if batch_ids is not None:
        batches = batches.filter(pk__in=list(batch_ids))
    for batch in batches.order_by("pk"):
        # One lot whose data cannot be rendered is logged and skipped; every other merchant's pages still publish.
        try:
            with transaction.atomic():
                stats.add(_lot_publish(batch))
        except Exception:
            logger.exception("publish: lot %s (%s/%s) skipped, its pages could not be rendered",
                             batch.pk, batch.product.gtin, batch.lot)
            stats.skipped += 1
    return stats


def _lot_publish(batch: Batch) -> PublishStats:
    """The lot's page and its items' pages."""
    stats = batch_publish(batch=batch, fan_out=False)
    last = 0
    while True:
        chunk = list(Item.objects.filter(batch=batch, pk__gt=last).order_by("pk")[:ITEM_CHUNK])
        if not chunk:
            break
        for item in chunk:
            item.batch = batch
        stats.add(items_publish(items=chunk))
        last = chunk[-1].pk
    return stats


# -- the outbox ---------------------------------------------------------------------------------------

# The product page and the product (page + fan-out) render the same file, so they share a lock.
_KIND_LOCK: dict[str, int] = {
    PageRefresh.Kind.PRODUCT: 1, PageRefresh.Kind.PRODUCT_PAGE: 1, PageRefresh.Kind.BATCH: 2, PageRefresh.Kind.ITEM: 3,
}


def log_catch_up() -> None:
    """Integrate pooled log entries first, so that pages are rendered with their events verified, not pending.

    Sequencing is safe beside a `ledger_integrate --follow` worker (it takes the log's lock); with none
    running, publishing alone keeps the log moving.
    """
    if PendingEntry.objects.exists():
        log_integrate_all()


def outbox_drain(*, limit: int = DRAIN_LIMIT) -> PublishStats:
    """Claim up to `limit` outbox rows, publish what they name, and delete them: one transaction.

    Safe with several workers. On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED, and each object
    is rendered under a transaction-level advisory lock, so two workers never render the same page at the
    same time (the later render always reads the later data). On SQLite the transaction takes the write
    lock when it begins (transaction_mode IMMEDIATE), which serialises workers: the claim is atomic.
    """
    log_catch_up()
    with transaction.atomic():
        rows = list(PageRefresh.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        if not rows:
            return PublishStats()
        targets = sorted({(row.kind, row.object_id) for row in rows}, key=lambda t: (_KIND_LOCK[t[0]], t[1]))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for kind, object_id in targets:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_KIND_LOCK[kind], object_id % 2**31])
        stats = _publish_targets(targets)
        PageRefresh.objects.filter(pk__in=[row.pk for row in rows]).delete()
        return stats


def _publish_targets(targets: list[tuple[str, int]]) -> PublishStats:
    stats = PublishStats()
    wanted: dict[str, list[int]] = {kind: [] for kind in _KIND_LOCK}
    for kind, object_id in targets:
        wanted[kind].append(object_id)
    for product in Product.objects.select_related("merchant").filter(pk__in=wanted[PageRefresh.Kind.PRODUCT]):
        stats.add(product_publish(product=product))
    page_only = set(wanted[PageRefresh.Kind.PRODUCT_PAGE]) - set(wanted[PageRefresh.Kind.PRODUCT])
    for product in Product.objects.select_related("merchant").filter(pk__in=page_only):
        stats.add(product_publish(product=product, fan_out=False))
    for batch in Batch.objects.select_related("product", "product__merchant").filter(
        pk__in=wanted[PageRefresh.Kind.BATCH]
    ):
        stats.add(batch_publish(batch=batch))
    items = Item.objects.select_related("batch", "batch__product", "batch__product__merchant").filter(
        pk__in=wanted[PageRefresh.Kind.ITEM]
    )
    stats.add(items_publish(items=items.order_by("batch_id", "pk")))
    return stats


def outbox_pending() -> int:
    return PageRefresh.objects.count()

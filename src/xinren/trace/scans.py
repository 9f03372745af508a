"""Counting scans of item codes, and spotting codes scanned suspiciously often (a sign of copies).

In production the web server logs each scan and `scans_ingest` feeds them here in batches (docs/adr/0002);
in development the scan view records each scan in-process. Both go through `scans_record`. A client is a
salted hash of its address and browser, never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from typing_extensions import TypedDict

from xinren.catalog.models import Item
from xinren.core import clock
from xinren.core.http import client_address

from .models import ItemScanStats, Scan
from .story import Story

# A request that the web server has already written to its scan log carries this header (set by nginx on
# the way to the application), so that a page rendered by Django behind nginx is not counted twice.
LOGGED_HEADER = "HTTP_X_XINREN_SCAN_LOGGED"
# A page asked for with ?lang= is a language switch of a page already open, not a new scan.
LANGUAGE_SWITCH_PARAM = "lang"
SUSPICIOUS_WINDOW = timedelta(hours=24)
CLIENT_HASH_LENGTH = 16
_CHUNK = 500


@dataclass(frozen=True)
class ScanInput:
    """One scan to count: which item, when, and the hashed client."""

    item_id: int
    at: datetime
    client: str


@cache
def _client_key(secret: str) -> bytes:
    return hashlib.sha256(b"xinren.scan-client\0" + secret.encode()).digest()


def client_hash(*, address: str, user_agent: str) -> str:
    """A stable pseudonym of a client (address + browser) that cannot be turned back into the address."""
    digest = hmac.new(_client_key(settings.SECRET_KEY), f"{address}\n{user_agent}".encode(), hashlib.sha256)
    return digest.hexdigest()[:CLIENT_HASH_LENGTH]


@dataclass
class ScanTally:
    """An item's scan statistics after a batch (the values written to ItemScanStats)."""

    item_id: int
    total: int
    first_scanned_at: datetime | None
    last_scanned_at: datetime | None
    recent_clients: int
    flagged_at: datetime | None


@transaction.atomic
def scans_record(*, scans: Sequence[ScanInput]) -> dict[int, ScanTally]:
    """Count a batch of scans: one Scan row each, and each item's statistics updated under a row lock.

    Returns the new statistics of every item in the batch. An item is flagged the first time more than
    settings.XINREN_SUSPICIOUS_SCANS distinct clients scanned it within 24 hours; the flag stays.

    The ingester calls this with thousands of scans at a time, so rows are written with plain prepared
    statements: the ORM's per-object work (bulk_create, bulk_update) cost over ten times more in Python.
    """
    if not scans:
        return {}
    by_item: dict[int, list[datetime]] = defaultdict(list)
    for scan in scans:
        by_item[scan.item_id].append(scan.at)
    item_ids = sorted(by_item)
    cutoff = max(scan.at for scan in scans) - SUSPICIOUS_WINDOW
    threshold = settings.XINREN_SUSPICIOUS_SCANS
    adapt = connection.ops.adapt_datetimefield_value
    sql = _Sql()
    result: dict[int, ScanTally] = {}
    with connection.cursor() as cursor:
        cursor.executemany(sql.scan_insert, [(s.item_id, adapt(s.at), s.client) for s in scans])
        for start in range(0, len(item_ids), _CHUNK):
            chunk = item_ids[start : start + _CHUNK]
            # Create missing rows, then lock them all in item order: two ingesters never lose an update.
            cursor.executemany(sql.stats_ensure, [(item_id,) for item_id in chunk])
            locked = (
                ItemScanStats.objects.select_for_update()
                .filter(item_id__in=chunk)
                .order_by("item_id")
                .values_list("item_id", "total", "first_scanned_at", "last_scanned_at", "flagged_at")
            )
            recent = dict(
                Scan.objects.filter(item_id__in=chunk, at__gte=cutoff)
                .values("item_id")
                .annotate(clients=Count("client", distinct=True))
                .values_list("item_id", "clients")
            )
            for item_id, total, first, last, flagged in locked:
                times = by_item[item_id]
                first = min(times) if first is None else min(first, *times)
                last = max(times) if last is None else max(last, *times)
                clients = recent.get(item_id, 0)
                if flagged is None and clients > threshold:
                    flagged = max(times)
                result[item_id] = ScanTally(item_id, total + len(times), first, last, clients, flagged)
            cursor.executemany(
                sql.stats_update,
                [
                    (t.total, adapt(t.first_scanned_at), adapt(t.last_scanned_at), t.recent_clients,
                     adapt(t.flagged_at), t.item_id)
                    for t in (result[item_id] for item_id in chunk)
                ],
            )
    return result


class _Sql:
    """The statements of scans_record, with table and column names taken from the models."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        scan, stats = Scan._meta, ItemScanStats._meta

        def column(meta: Any, name: str) -> str:
            return str(quote(meta.get_field(name).column))

        self.scan_insert = (
            f"INSERT INTO {quote(scan.db_table)} ({column(scan, 'item')}, {column(scan, 'at')}, "
            f"{column(scan, 'client')}) VALUES (%s, %s, %s)"
        )
        item = column(stats, "item")
        self.stats_ensure = (
            f"INSERT INTO {quote(stats.db_table)} ({item}, {column(stats, 'total')}, "
            f"{column(stats, 'recent_clients')}) VALUES (%s, 0, 0) ON CONFLICT ({item}) DO NOTHING"
        )
        assignments = ", ".join(
            f"{column(stats, name)} = %s"
            for name in ("total", "first_scanned_at", "last_scanned_at", "recent_clients", "flagged_at")
        )
        self.stats_update = f"UPDATE {quote(stats.db_table)} SET {assignments} WHERE {item} = %s"


def scan_record(*, item_id: int, client: str, at: datetime | None = None) -> ScanTally:
    """Count one scan now (the in-process path used without a web server in front)."""
    return scans_record(scans=[ScanInput(item_id=item_id, at=at or clock.now(), client=client)])[item_id]


class ScanCounter(TypedDict):
    """An item's public scan counter (the static file /scans/<gtin>/<serial>.json)."""

    total: int
    first_scanned_at: str | None
    recent_clients: int
    suspicious: bool  # scanned from too many places lately: the code may have been copied


class ScanNotice(ScanCounter, closed=True):
    """The counter as the page rendered on demand shows it, with the scans before this one."""

    prior: int


def scan_counter(stats: ItemScanStats | ScanTally | None) -> ScanCounter:
    """What the public counter file says about an item: scans so far, the first one, and the copy warning."""
    if stats is None:
        return {"total": 0, "first_scanned_at": None, "recent_clients": 0, "suspicious": False}
    return {
        "total": stats.total,
        "first_scanned_at": timezone.localtime(stats.first_scanned_at).isoformat() if stats.first_scanned_at else None,
        "recent_clients": stats.recent_clients,
        "suspicious": stats.flagged_at is not None,
    }


def scan_counters_for_items(*, item_ids: Sequence[int]) -> dict[int, ScanCounter]:
    """Counter data of the items among `item_ids` that have been scanned, by item id."""
    found: dict[int, ScanCounter] = {}
    for start in range(0, len(item_ids), _CHUNK):
        chunk = list(item_ids[start : start + _CHUNK])
        found.update({row.item_id: scan_counter(row) for row in ItemScanStats.objects.filter(item_id__in=chunk)})
    return found


def scan_record_request(*, request: HttpRequest, story: Story) -> ScanNotice | None:
    """Count a request for an item's story when nothing in front of Django has logged it already.

    Returns the scan notice for the page: `prior` scans before this one, the first scan time, and
    whether the code looks copied. None for product and batch stories, which are not item scans.
    """
    if story.get("level") != "item":
        return None
    item_id = (
        Item.objects.filter(product__gtin=story["link"]["gtin"], serial=story["link"]["serial"])
        .values_list("pk", flat=True)
        .first()
    )
    if item_id is None:
        return None
    counts_here = (
        request.method == "GET"
        and not request.META.get(LOGGED_HEADER)
        and LANGUAGE_SWITCH_PARAM not in request.GET
    )
    if counts_here:
        client = client_hash(
            address=client_address(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        stats: ItemScanStats | ScanTally | None = scan_record(item_id=item_id, client=client)
    else:
        stats = ItemScanStats.objects.filter(item_id=item_id).first()
    counter = scan_counter(stats)
    return {**counter, "prior": max(counter["total"] - (1 if counts_here else 0), 0)}

"""Counting scans of item codes, and spotting codes scanned suspiciously often (a sign of copies).

In production the web server logs each scan and `scans_ingest` feeds them here in batches (docs/adr/0002);
in development the scan view records each scan in-process. Both go through `scans_record`. A client is a
salted hash of its address and browser, and its network a salted hash of the /24 (IPv4) or /48 (IPv6) around
it, never the address itself.

A copied code is printed on many fakes, sold in many places, each scanned by its buyer: many networks, seen one
after another over days. A genuine item is scanned by a few people on a few networks; one person with many
browsers is one network; a burst of many networks at once (a post shared in a group chat, or someone trying to
smear a shop) is one event, not many buyers. So the warning counts networks, not clients, each once in the
window, and networks first seen in the same burst count at most BURST_CAP together (`network_weight`). The
warning decays: it shows until SUSPICIOUS_DECAY after the last time the count was over the threshold.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.catalog.models import Item
from xinren.core import clock
from xinren.core.errors import NotFound
from xinren.core.http import client_address

from .models import ItemScanNetwork, ItemScanStats, Scan
from .story import Story

# A request that the web server has already written to its scan log carries this header (set by nginx on
# the way to the application), so that a page rendered by Django behind nginx is not counted twice.
LOGGED_HEADER = "HTTP_X_XINREN_SCAN_LOGGED"
# A page asked for with ?lang= is a language switch of a page already open, not a new scan.
LANGUAGE_SWITCH_PARAM = "lang"
SUSPICIOUS_WINDOW = timedelta(days=7)
# The distinct clients shown on the counter ("recent_clients") stay a 24-hour figure.
CLIENT_WINDOW = timedelta(hours=24)
# Networks first seen within BURST of a burst's first count at most BURST_CAP together.
BURST = timedelta(hours=1)
BURST_CAP = 2
SUSPICIOUS_DECAY = timedelta(days=7)
IPV4_PREFIX = 24
IPV6_PREFIX = 48
_IPV4_MASK = (1 << 32) - (1 << (32 - IPV4_PREFIX))
_IPV6_MASK = (1 << 128) - (1 << (128 - IPV6_PREFIX))
CLIENT_HASH_LENGTH = 16
NETWORK_HASH_LENGTH = 12
_CHUNK = 500


@dataclass(frozen=True)
class ScanInput:
    """One scan to count: which item, when, the hashed client and its hashed network."""

    item_id: int
    at: datetime
    client: str
    network: str


@cache
def _client_key(secret: str) -> bytes:
    return hashlib.sha256(b"xinren.scan-client\0" + secret.encode()).digest()


def client_hash(*, address: str, user_agent: str) -> str:
    """A stable pseudonym of a client (address + browser) that cannot be turned back into the address."""
    digest = hmac.new(_client_key(settings.SECRET_KEY), f"{address}\n{user_agent}".encode(), hashlib.sha256)
    return digest.hexdigest()[:CLIENT_HASH_LENGTH]


def network_of(address: str) -> str:
    """The network around an address, as text: the /24 of an IPv4 address (IPv4-mapped IPv6 included), the /48 of
    an IPv6 address; "" when the address is not one (nothing said who was asking)."""
    octets = address.split(".")
    if len(octets) == 4 and all(o.isdecimal() and len(o) <= 3 and (o == "0" or o[0] != "0") for o in octets):
        if all(int(o) <= 255 for o in octets):  # the common case, without ipaddress's slower parse
            return f"{int(octets[0])}.{int(octets[1])}.{int(octets[2])}.0/{IPV4_PREFIX}"
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return f"{ipaddress.IPv4Address(int(ip) & _IPV4_MASK)}/{IPV4_PREFIX}"
    return f"{ipaddress.IPv6Address(int(ip) & _IPV6_MASK)}/{IPV6_PREFIX}"


@lru_cache(maxsize=65_536)
def _network_hash(secret: str, network: str) -> str:
    digest = hmac.new(_client_key(secret), f"network\n{network}".encode(), hashlib.sha256)
    return digest.hexdigest()[:NETWORK_HASH_LENGTH]


def network_hash(*, address: str) -> str:
    """A stable pseudonym of the client's network, shown to the merchant instead of the network itself (cached
    per network: a scan log sees the same networks again and again)."""
    return _network_hash(settings.SECRET_KEY, network_of(address))


def network_weight(first_seen: Sequence[datetime]) -> int:
    """How many networks count towards the copy warning, given when each distinct network was first seen.

    Each network counts once; networks first seen within BURST of the first of a burst count at most BURST_CAP
    together, so many networks at once weigh little and many networks one after another weigh fully.
    """
    weight = 0
    burst_start: datetime | None = None
    in_burst = 0
    for at in sorted(first_seen):
        if burst_start is None or at - burst_start >= BURST:
            burst_start, in_burst = at, 0
        if in_burst < BURST_CAP:
            weight += 1
        in_burst += 1
    return weight


@dataclass
class ScanTally:
    """An item's scan statistics after a batch (the values written to ItemScanStats)."""

    item_id: int
    total: int
    first_scanned_at: datetime | None
    last_scanned_at: datetime | None
    recent_clients: int
    flagged_at: datetime | None
    recent_networks: int = 0


@transaction.atomic
def scans_record(*, scans: Sequence[ScanInput]) -> dict[int, ScanTally]:
    """Count a batch of scans: one Scan row each, and each item's statistics updated under a row lock.

    Returns the new statistics of every item in the batch. An item is flagged (`flagged_at`, the latest scan
    of the batch) whenever the networks that scanned it in the window, weighted by `network_weight`, are more
    than settings.XINREN_SUSPICIOUS_SCANS; the warning decays SUSPICIOUS_DECAY after the last flag.

    The ingester calls this with thousands of scans at a time, so rows are written with plain prepared
    statements: the ORM's per-object work (bulk_create, bulk_update) cost over ten times more in Python.
    """
    if not scans:
        return {}
    by_item: dict[int, list[datetime]] = defaultdict(list)
    for scan in scans:
        by_item[scan.item_id].append(scan.at)
    item_ids = sorted(by_item)
    latest = max(scan.at for scan in scans)
    cutoff, client_cutoff = latest - SUSPICIOUS_WINDOW, latest - CLIENT_WINDOW
    threshold = settings.XINREN_SUSPICIOUS_SCANS
    adapt = connection.ops.adapt_datetimefield_value
    sql = _Sql()
    seen = _networks_seen(scans)
    cutoff_value = adapt(cutoff)
    result: dict[int, ScanTally] = {}
    with connection.cursor() as cursor:
        cursor.executemany(sql.scan_insert, [(s.item_id, adapt(s.at), s.client, s.network) for s in scans])
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
                Scan.objects.filter(item_id__in=chunk, at__gte=client_cutoff)
                .values("item_id")
                .annotate(clients=Count("client", distinct=True))
                .values_list("item_id", "clients")
            )
            rows = list(locked)  # the items' rows are locked before their networks are touched
            cursor.executemany(sql.network_upsert, [
                (item_id, network, adapt(first_at), adapt(last_at), cutoff_value)
                for item_id in chunk
                for network, (first_at, last_at) in sorted(seen[item_id].items())
            ])
            networks: dict[int, list[datetime]] = defaultdict(list)
            for item_id, first_seen in ItemScanNetwork.objects.filter(
                    item_id__in=chunk, last_at__gte=cutoff).values_list("item_id", "first_at"):
                networks[item_id].append(max(first_seen, cutoff))
            for item_id, total, first, last, flagged in rows:
                times = by_item[item_id]
                first = min(times) if first is None else min(first, *times)
                last = max(times) if last is None else max(last, *times)
                clients = recent.get(item_id, 0)
                weight = network_weight(networks.get(item_id, []))
                if weight > threshold:
                    flagged = max(times) if flagged is None else max(flagged, *times)
                result[item_id] = ScanTally(item_id, total + len(times), first, last, clients, flagged, weight)
            cursor.executemany(
                sql.stats_update,
                [
                    (t.total, adapt(t.first_scanned_at), adapt(t.last_scanned_at), t.recent_clients,
                     t.recent_networks, adapt(t.flagged_at), t.item_id)
                    for t in (result[item_id] for item_id in chunk)
                ],
            )
    return result


def _networks_seen(scans: Sequence[ScanInput]) -> dict[int, dict[str, tuple[datetime, datetime]]]:
    """The first and last scan of each network of the batch, by item."""
    seen: dict[int, dict[str, tuple[datetime, datetime]]] = defaultdict(dict)
    for scan in scans:
        by_network = seen[scan.item_id]
        first, last = by_network.get(scan.network, (scan.at, scan.at))
        by_network[scan.network] = (min(first, scan.at), max(last, scan.at))
    return seen


class _Sql:
    """The statements of scans_record, with table and column names taken from the models."""

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        scan, stats = Scan._meta, ItemScanStats._meta

        def column(meta: Any, name: str) -> str:
            return str(quote(meta.get_field(name).column))

        self.scan_insert = (
            f"INSERT INTO {quote(scan.db_table)} ({column(scan, 'item')}, {column(scan, 'at')}, "
            f"{column(scan, 'client')}, {column(scan, 'network')}) VALUES (%s, %s, %s, %s)"
        )
        item = column(stats, "item")
        self.stats_ensure = (
            f"INSERT INTO {quote(stats.db_table)} ({item}, {column(stats, 'total')}, "
            f"{column(stats, 'recent_clients')}, {column(stats, 'recent_networks')}) VALUES (%s, 0, 0, 0) "
            f"ON CONFLICT ({item}) DO NOTHING"
        )
        assignments = ", ".join(
            f"{column(stats, name)} = %s"
            for name in ("total", "first_scanned_at", "last_scanned_at", "recent_clients", "recent_networks",
                         "flagged_at")
        )
        self.stats_update = f"UPDATE {quote(stats.db_table)} SET {assignments} WHERE {item} = %s"
        seen = ItemScanNetwork._meta
        table = quote(seen.db_table)
        first_at, last_at = column(seen, "first_at"), column(seen, "last_at")
        # A network quiet for the whole window (last seen before the cutoff) is seen anew.
        self.network_upsert = (
            f"INSERT INTO {table} ({column(seen, 'item')}, {column(seen, 'network')}, {first_at}, {last_at}) "
            f"VALUES (%s, %s, %s, %s) ON CONFLICT ({column(seen, 'item')}, {column(seen, 'network')}) DO UPDATE SET "
            f"{first_at} = CASE WHEN {table}.{last_at} < %s OR excluded.{first_at} < {table}.{first_at} "
            f"THEN excluded.{first_at} ELSE {table}.{first_at} END, "
            f"{last_at} = CASE WHEN excluded.{last_at} > {table}.{last_at} THEN excluded.{last_at} "
            f"ELSE {table}.{last_at} END"
        )


def scan_record(*, item_id: int, client: str, network: str, at: datetime | None = None) -> ScanTally:
    """Count one scan now (the in-process path used without a web server in front)."""
    return scans_record(scans=[ScanInput(item_id=item_id, at=at or clock.now(), client=client,
                                         network=network)])[item_id]


class ScanCounter(TypedDict):
    """An item's public scan counter (the static file /scans/<gtin>/<serial>.json)."""

    total: int
    first_scanned_at: str | None
    recent_clients: int
    recent_networks: int  # weighted (network_weight)
    suspicious: bool  # scanned from too many places lately: the code may have been copied
    warning_until: str | None  # when the warning lapses unless new scans renew it (the page checks it)


class ScanNotice(ScanCounter, closed=True):
    """The counter as the page rendered on demand shows it, with the scans before this one."""

    prior: int


def scan_counter(stats: ItemScanStats | ScanTally | None) -> ScanCounter:
    """What the public counter file says about an item: scans so far, the first one, and the copy warning."""
    if stats is None:
        return {"total": 0, "first_scanned_at": None, "recent_clients": 0, "recent_networks": 0,
                "suspicious": False, "warning_until": None}
    until = stats.flagged_at + SUSPICIOUS_DECAY if stats.flagged_at is not None else None
    suspicious = until is not None and clock.now() < until
    return {
        "total": stats.total,
        "first_scanned_at": timezone.localtime(stats.first_scanned_at).isoformat() if stats.first_scanned_at else None,
        "recent_clients": stats.recent_clients,
        "recent_networks": stats.recent_networks,
        "suspicious": suspicious,
        "warning_until": timezone.localtime(until).isoformat() if suspicious and until is not None else None,
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
        # The trusted-proxy helper: an X-Forwarded-For that our own proxy did not write is not believed.
        address = client_address(request)
        client = client_hash(address=address, user_agent=request.META.get("HTTP_USER_AGENT", ""))
        stats: ItemScanStats | ScanTally | None = scan_record(
            item_id=item_id, client=client, network=network_hash(address=address))
    else:
        stats = ItemScanStats.objects.filter(item_id=item_id).first()
    counter = scan_counter(stats)
    return {**counter, "prior": max(counter["total"] - (1 if counts_here else 0), 0)}


class ScanNetwork(TypedDict, closed=True):
    """One network that scanned an item in the window, as the merchant sees it (a pseudonym, never the network)."""

    network: str
    clients: int
    scans: int
    first_at: datetime
    last_at: datetime
    counted: bool  # False when it came in a burst with others and did not add to the weighted count


class ScanReport(TypedDict, closed=True):
    """Why an item's code is (or is not) flagged as possibly copied: what the merchant console shows."""

    item: Item
    total: int
    window_days: int
    threshold: int
    weight: int
    burst_minutes: int
    burst_cap: int
    suspicious: bool
    flagged_at: datetime | None
    warning_until: datetime | None
    networks: list[ScanNetwork]


def item_scan_report(*, actor: Actor, item_id: int, now: datetime | None = None) -> ScanReport:
    """The networks that scanned one of the actor's items in the window, in the order first seen, each marked
    as counted or not by `network_weight`, with the threshold and the warning's state."""
    item = Item.objects.select_related("product", "batch").filter(
        pk=item_id, product__merchant=actor.organization).first()
    if item is None:
        raise NotFound("item.not_found", _("找不到该单品"))
    now = now or clock.now()
    rows = list(
        Scan.objects.filter(item=item, at__gte=now - SUSPICIOUS_WINDOW)
        .values("network")
        .annotate(first_at=Min("at"), last_at=Max("at"), scans=Count("id"), clients=Count("client", distinct=True))
        .order_by("first_at", "network")
    )
    networks: list[ScanNetwork] = []
    burst_start: datetime | None = None
    in_burst = 0
    for row in rows:
        if burst_start is None or row["first_at"] - burst_start >= BURST:
            burst_start, in_burst = row["first_at"], 0
        networks.append({"network": row["network"] or "—", "clients": row["clients"], "scans": row["scans"],
                         "first_at": row["first_at"], "last_at": row["last_at"], "counted": in_burst < BURST_CAP})
        in_burst += 1
    stats = ItemScanStats.objects.filter(item=item).first()
    flagged = stats.flagged_at if stats is not None else None
    until = flagged + SUSPICIOUS_DECAY if flagged is not None else None
    return {
        "item": item, "total": stats.total if stats is not None else 0,
        "window_days": SUSPICIOUS_WINDOW.days, "threshold": settings.XINREN_SUSPICIOUS_SCANS,
        "weight": sum(1 for n in networks if n["counted"]), "burst_minutes": int(BURST.total_seconds() // 60),
        "burst_cap": BURST_CAP, "suspicious": until is not None and now < until, "flagged_at": flagged,
        "warning_until": until, "networks": networks,
    }

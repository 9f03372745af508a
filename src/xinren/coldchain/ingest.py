"""The batch API's core: store a batch of readings on a leg, find excursions in the affected window, sign it.

Readings may arrive out of order and across batches. For each device the batch touches, only the window between
the last reading back in range before the batch's first reading and the first one in range after its last
reading can change (an excursion never crosses a reading that is in range for every checked kind); that window's
excursions are recomputed, the rest stand. Concurrent batches on one leg are serialised by a row lock on the leg.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.attest import keys, signing
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.trace.models import Place, TraceEvent

from . import errors
from .detection import Found, Limits, excursions_find
from .events import MEASURED
from .models import ColdChainProfile, Excursion, Leg, Reading, ReadingBatch
from .readings import CANONICAL_FORMAT, ParsedReading, readings_digest, readings_parse, time_canonical
from .statements import COLDCHAIN_READINGS
from .status import ExcursionData, arrivals_fill, excursion_dict

# Excursions listed in one statement; a leg with more is broken beyond what a page can usefully show.
MAX_STATEMENT_EXCURSIONS = 100
NEAR_PLACE_KM = 5.0


class _Row(NamedTuple):
    time: datetime
    temperature: int | None
    humidity: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    batch_id: int


@dataclass(frozen=True)
class IngestResult:
    """What a batch did: readings received, newly stored, already stored (re-sent), and the excursions found in
    the window it touched (all the leg's excursions when nothing was new)."""

    leg_id: int
    received: int
    stored: int
    duplicates: int
    sha256: str | None
    leaf_hash: str | None
    excursions: list[ExcursionData] = field(default_factory=list)


def _limits(profile: ColdChainProfile) -> Limits:
    return Limits(
        temperature_min=profile.temperature_min,
        temperature_max=profile.temperature_max,
        humidity_min=profile.humidity_min,
        humidity_max=profile.humidity_max,
        tolerance_minutes=profile.tolerance_minutes,
    )


def _in_range(profile: ColdChainProfile) -> Q:
    """Readings in range for every checked kind they carry: the boundaries no excursion crosses.

    A reading without a value of a kind neither starts nor ends that kind's run, so strictly it bounds only the
    kinds it carries. Loggers report the same kinds in every reading, so a reading that lacks a kind is taken as a
    boundary too; otherwise a logger without a humidity sensor on a product with a humidity range would have no
    boundaries at all and every batch would recompute the whole leg.
    """
    condition = Q(temperature__isnull=True) | Q(
        temperature__gte=profile.temperature_min, temperature__lte=profile.temperature_max
    )
    if profile.humidity_min is not None and profile.humidity_max is not None:
        condition &= Q(humidity__isnull=True) | Q(
            humidity__gte=profile.humidity_min, humidity__lte=profile.humidity_max
        )
    return condition


def _distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


class _Places:
    """The places an excursion may be named after, read at most once per batch: the carrier's and the merchant's
    places with coordinates, and the places where the lot was recorded (by time)."""

    def __init__(self, leg: Leg) -> None:
        self.leg = leg
        self._near: list[Place] | None = None
        self._seen: list[tuple[datetime, Place]] | None = None

    def near(self) -> list[Place]:
        if self._near is None:
            owners = [self.leg.organization_id, self.leg.batch.product.merchant_id]
            self._near = list(Place.objects.filter(organization_id__in=owners, latitude__isnull=False))
        return self._near

    def seen(self) -> list[tuple[datetime, Place]]:
        if self._seen is None:
            events = (
                TraceEvent.objects.filter(subjects__batch_id=self.leg.batch_id, place__isnull=False)
                .select_related("place")
                .distinct()
                .order_by("event_time", "id")
            )
            self._seen = [(event.event_time, event.place) for event in events if event.place is not None]
        return self._seen

    def of(self, found: Found) -> Place | None:
        """The known place within 5 km of the excursion's reported position, else the last place the lot was
        recorded at before it started."""
        if found.latitude is not None and found.longitude is not None:
            best, best_km = None, NEAR_PLACE_KM
            for place in self.near():
                km = _distance_km(
                    float(found.latitude), float(found.longitude), float(place.latitude or 0),
                    float(place.longitude or 0),
                )  # fmt: skip
                if km <= best_km:
                    best, best_km = place, km
            return best
        before = [place for at, place in self.seen() if at <= found.start]
        return before[-1] if before else self.leg.from_place


def _excursions_store(
    *, leg: Leg, device_id: str, found: list[Found], batch_of: dict[datetime, int], places: _Places
) -> list[Excursion]:
    rows = []
    for item in found:
        place = places.of(item)
        rows.append(
            Excursion(
                leg=leg,
                device_id=device_id,
                kind=item.kind,
                start=item.start,
                end=item.end,
                duration_minutes=item.duration_minutes,
                peak=item.peak,
                limit=item.limit,
                still_open=item.still_open,
                place=place,
                place_name=place.name if place is not None else "",
                latitude=item.latitude,
                longitude=item.longitude,
                reading_batch_id=batch_of[item.start],
            )
        )
    return Excursion.objects.bulk_create(rows)


def _window_recompute(
    *,
    leg: Leg,
    profile: ColdChainProfile,
    device_id: str,
    first: datetime | None,
    last: datetime | None,
    places: _Places,
    fresh: Sequence[ParsedReading] = (),
    batch_id: int | None = None,
) -> list[Excursion]:
    """Recompute one device's excursions between the in-range readings that bracket [first, last] (None: all);
    returns the excursions found in that window."""
    own = Reading.objects.filter(leg=leg, device_id=device_id)
    low = high = None
    if first is not None and last is not None:
        low = own.filter(_in_range(profile), time__lt=first).order_by("-time").values_list("time", flat=True).first()
        high = own.filter(_in_range(profile), time__gt=last).order_by("time").values_list("time", flat=True).first()
    stale = Excursion.objects.filter(leg=leg, device_id=device_id)
    window = own
    if low is not None:
        stale, window = stale.filter(start__gt=low), window.filter(time__gte=low)
    if high is not None:
        stale, window = stale.filter(start__lt=high), window.filter(time__lte=high)
    stale.delete()
    if batch_id is not None:
        # The batch's own readings are in memory already: read only the stored ones around them.
        window = window.exclude(batch_id=batch_id)
    rows = [
        _Row(*values)
        for values in window.order_by("time").values_list(
            "time", "temperature", "humidity", "latitude", "longitude", "batch_id"
        )
    ]
    if fresh:
        rows += [
            _Row(r.time, r.temperature, r.humidity, r.latitude, r.longitude, batch_id or 0)
            for r in fresh
            if (low is None or r.time >= low) and (high is None or r.time <= high)
        ]
        rows.sort(key=lambda row: row.time)
    found = excursions_find(rows, _limits(profile))
    if not found:
        return []
    batch_of = {row.time: row.batch_id for row in rows}
    return _excursions_store(leg=leg, device_id=device_id, found=found, batch_of=batch_of, places=places)


def leg_recompute(*, leg: Leg, profile: ColdChainProfile | None) -> None:
    """Recompute all of a leg's excursions (after the product's profile changed). Call with the leg locked."""
    if profile is None:
        leg.excursions.all().delete()
        return
    places = _Places(leg)
    for device_id in leg.device_ids:
        _window_recompute(leg=leg, profile=profile, device_id=device_id, first=None, last=None, places=places)


def _leg_for_readings(*, actor: Actor, leg_id: int, lock: bool) -> Leg:
    legs = Leg.objects.select_related("batch__product")
    if lock:
        legs = legs.select_for_update(of=("self",))
    leg = legs.filter(pk=leg_id).first()
    if leg is None:
        raise NotFound(errors.LEG_NOT_FOUND, _("找不到该运输段"), details={"leg_id": leg_id})
    if leg.organization_id != actor.organization.pk:
        raise PermissionDenied(
            errors.LEG_FORBIDDEN, _("只有承运这一段的物流机构可以提交它的读数"), details={"leg_id": leg_id}
        )
    return leg


def _split_existing(leg: Leg, parsed: list[ParsedReading]) -> tuple[list[ParsedReading], int]:
    """The readings not stored yet; a re-sent reading with the same values is skipped, a different one refused."""
    devices = {r.device_id for r in parsed}
    stored = {
        (row.device_id, row.time): row
        for row in Reading.objects.filter(
            leg=leg, device_id__in=devices, time__gte=min(r.time for r in parsed), time__lte=max(r.time for r in parsed)
        ).only("device_id", "time", "temperature", "humidity", "latitude", "longitude")
    }
    if not stored:
        return parsed, 0
    fresh = []
    for reading in parsed:
        row = stored.get(reading.key)
        if row is None:
            fresh.append(reading)
            continue
        same = (row.temperature, row.humidity, row.latitude, row.longitude) == (
            reading.temperature,
            reading.humidity,
            reading.latitude,
            reading.longitude,
        )
        if not same:
            raise Conflict(
                errors.READING_CONFLICT,
                _("设备 %(device)s 在 %(time)s 已有一条不同的读数；已提交的读数不能修改")
                % {"device": reading.device_id, "time": time_canonical(reading.time)},
                details={"reading": reading.position, "field": f"readings[{reading.position}]"},
            )
    return fresh, len(parsed) - len(fresh)


def _span(values: Iterable[int | None]) -> dict[str, float] | None:
    present = [v for v in values if v is not None]
    return {"min": min(present) / 10, "max": max(present) / 10} if present else None


def _statement(
    *,
    leg: Leg,
    fresh: list[ParsedReading],
    sha256: str,
    profile: ColdChainProfile | None,
    actor: Actor,
    found: list[Excursion],
) -> dict[str, Any]:
    """What the carrier signs: the readings' digest and summary, the profile version they were judged against,
    and the excursions found in the window this batch touched."""
    excursions = sorted(found, key=lambda e: (e.start, e.device_id, e.kind))[:MAX_STATEMENT_EXCURSIONS]
    return {
        "type": COLDCHAIN_READINGS.name,
        "subject": leg.batch.digital_link.uri(settings.XINREN_RESOLVER),
        "recorder": keys.owner_of(actor.organization),
        "leg": {"id": leg.pk, "shipping_event": leg.shipping_event.event_id},
        "readings": {
            "format": CANONICAL_FORMAT,
            "sha256": sha256,
            "count": len(fresh),
            "devices": sorted({r.device_id for r in fresh}),
            "first": time_canonical(min(r.time for r in fresh)),
            "last": time_canonical(max(r.time for r in fresh)),
            "temperature": _span(r.temperature for r in fresh),
            "humidity": _span(r.humidity for r in fresh),
        },
        "profile": None if profile is None else {"version": profile.version, "leaf_hash": profile.ledger_leaf_hash},
        "excursions": [
            {
                "device": e.device_id,
                "kind": e.kind,
                "start": time_canonical(e.start),
                "end": time_canonical(e.end),
                "minutes": e.duration_minutes,
                "peak": e.peak / 10,
                "limit": e.limit / 10,
                "open": e.still_open,
                "place": e.place_name,
            }
            for e in excursions
        ],
    }


@transaction.atomic
def readings_ingest(*, actor: Actor, leg_id: int, readings: Sequence[Any]) -> IngestResult:
    """Store a batch of up to 10,000 EPCIS sensor elements on a leg, all or none; excursions are found in the
    affected window and the batch (digest, count, span, min/max, excursions) is signed by the logistics org."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LOGISTICS])
    # Locked before parsing: concurrent batches of one leg queue here, and parsing needs the departure time.
    leg = _leg_for_readings(actor=actor, leg_id=leg_id, lock=True)
    parsed = readings_parse(readings, departed_at=leg.departed_at, now=clock.now())
    fresh, duplicates = _split_existing(leg, parsed)
    if not fresh:
        return IngestResult(
            leg_id=leg.pk,
            received=len(parsed),
            stored=0,
            duplicates=duplicates,
            sha256=None,
            leaf_hash=None,
            excursions=[excursion_dict(e) for e in leg.excursions.select_related("reading_batch")],
        )
    sha256 = readings_digest(fresh)
    batch = ReadingBatch.objects.create(
        leg=leg,
        count=len(fresh),
        first_time=min(r.time for r in fresh),
        last_time=max(r.time for r in fresh),
        sha256=sha256,
        ledger_leaf_hash="",
        statement={},
        submitted_by=actor.user,
    )
    _readings_insert(leg=leg, batch=batch, fresh=fresh)
    devices = sorted({r.device_id for r in fresh})
    leg.device_ids = sorted(set(leg.device_ids) | set(devices))
    profile = ColdChainProfile.objects.filter(product_id=leg.batch.product_id).first()
    found: list[Excursion] = []
    if profile is not None:
        places = _Places(leg)
        for device_id in devices:
            own = [r for r in fresh if r.device_id == device_id]
            found += _window_recompute(
                leg=leg, profile=profile, device_id=device_id, first=min(r.time for r in own),
                last=max(r.time for r in own), fresh=own, batch_id=batch.pk, places=places,
            )  # fmt: skip
    statement = _statement(leg=leg, fresh=fresh, sha256=sha256, profile=profile, actor=actor, found=found)
    leaf_hash = signing.statement_sign_and_append(organization=actor.organization, statement=statement).leaf_hash
    batch.ledger_leaf_hash, batch.statement = leaf_hash, statement
    batch.save(update_fields=["ledger_leaf_hash", "statement"])
    leg.reading_count += len(fresh)
    if leg.arrived_at is None:
        arrivals_fill(legs=[leg], batch=leg.batch)
    leg.save(update_fields=["device_ids", "reading_count", "arrived_at", "arrival_event", "to_place", "updated_at"])
    pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=[leg.batch_id])
    if found:
        MEASURED.announce(product_ids=[leg.batch.product_id])
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="coldchain.readings_ingest",
        target=batch,
        data={"leg": leg.pk, "stored": len(fresh), "duplicates": duplicates, "sha256": sha256},
    )
    return IngestResult(
        leg_id=leg.pk,
        received=len(parsed),
        stored=len(fresh),
        duplicates=duplicates,
        sha256=sha256,
        leaf_hash=leaf_hash,
        excursions=[
            excursion_dict(e)
            for e in Excursion.objects.filter(pk__in=[e.pk for e in found])
            .select_related("reading_batch")
            .order_by("start", "id")
        ],
    )


INSERT_ROWS = 500  # rows per INSERT statement: 4,000 parameters, well inside SQLite's and PostgreSQL's limits


def _time_adapter() -> Callable[[datetime], Any]:
    """How a reading's time (aware, UTC, from readings_parse) goes to the database. On SQLite with the connection in
    UTC, Django's adapter comes down to the naive UTC text; writing that directly saves ~2 µs a row, which is a
    tenth of a batch's cost there. Anything else keeps Django's adapter."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite" or connection.timezone != UTC:
        return adapt

    def sqlite_utc(value: datetime) -> Any:
        if value.tzinfo is UTC:
            return str(value.replace(tzinfo=None))
        return adapt(value)

    return sqlite_utc


def _readings_insert(*, leg: Leg, batch: ReadingBatch, fresh: list[ParsedReading]) -> None:
    """Insert the batch's readings with multi-row INSERT statements: a model instance per reading, or a round
    trip per row, would cost more than the database does. The table's constraints still check every row."""
    ops = connection.ops
    table = ops.quote_name(Reading._meta.db_table)
    decimal = ops.adapt_decimalfield_value
    adapt_time = _time_adapter()
    leg_id, batch_id = leg.pk, batch.pk
    with connection.cursor() as cursor:
        for offset in range(0, len(fresh), INSERT_ROWS):
            chunk = fresh[offset : offset + INSERT_ROWS]
            params: list[Any] = []
            for r in chunk:
                params += (
                    leg_id, r.device_id, adapt_time(r.time), r.temperature, r.humidity,
                    None if r.latitude is None else decimal(r.latitude, 9, 6),
                    None if r.longitude is None else decimal(r.longitude, 9, 6), batch_id,
                )  # fmt: skip
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (leg_id, device_id, time, temperature, humidity, latitude, longitude, batch_id)"
                f" VALUES {values}",
                params,
            )


def reading_batch_verify(*, batch: ReadingBatch) -> bool:
    """True when the stored readings of a batch still hash to the digest its signed statement carries."""
    signed = (batch.statement or {}).get("readings", {}).get("sha256")
    return signed == batch.sha256 == readings_digest(batch.readings.all())

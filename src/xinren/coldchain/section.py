"""The consumer page's cold-chain section: chart geometry per leg, excursions and promise badges.

Everything is plain JSON data (it is published with the story). The chart is drawn by the partial as inline SVG
from numbers computed here (polyline point lists, the allowed band's rectangle, tick positions), so the template
only places numbers and autoescaped text: no markup is built from user text. Each leg's readings are reduced to
at most 120 points, keeping the reading farthest from the allowed band's middle in each slice so that peaks
survive, which keeps the whole section to a few KiB.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, NotRequired

from django.db.models import Count, Max, Min
from django.utils import timezone
from typing_extensions import TypedDict

from xinren.attest.proofs import signed_record_proofs
from xinren.catalog.models import Batch, Product
from xinren.trace.models import EventSubject

from .models import ColdChainProfile, Excursion, Leg, Promise, Reading, ReadingBatch
from .plausible import EventReadingData, event_readings_outside
from .readings import readings_digest
from .statements import READING_BATCH_RECORD
from .status import (
    ColdChainProfileData,
    PromiseResult,
    legs_for_batch,
    profile_dict,
    promise_results_for_batch,
    promise_results_for_items,
)

MAX_POINTS = 120
LOTS_SHOWN = 12  # lots listed on a product page, newest first
# Legs with more readings are charted from per-slice aggregates, and their digests are left to the audit tool
# (`reading_batch_verify`) rather than re-hashed on every publication.
FULL_CHECK_LIMIT = 20_000
WIDTH, HEIGHT = 320.0, 150.0
# LEFT leaves room for the widest temperature label at 12 px ("-20.5 °C") on a 390 px phone.
LEFT, RIGHT, TOP, BOTTOM = 50.0, 8.0, 8.0, 22.0


# The section's shape. Chart numbers are text (SVG coordinates), so that no locale's formatting reaches the SVG.
class ChartBand(TypedDict, closed=True):
    """The allowed temperature band's rectangle."""

    x: str
    y: str
    w: str
    h: str


class ChartYTick(TypedDict, closed=True):
    y: str
    label: str


class ChartXTick(TypedDict, closed=True):
    x: str
    label: str
    anchor: str  # SVG text-anchor: start, middle or end


class ChartAxis(TypedDict, closed=True):
    x1: str
    y: str
    x2: str
    top: str


class ColdChainChart(TypedDict, closed=True):
    """One leg's temperature chart, ready for the partial's inline SVG."""

    width: str
    height: str
    points: str  # the polyline's points
    red: list[str]  # one polyline per excursion
    band: ChartBand | None  # None without a profile
    y_ticks: list[ChartYTick]
    x_ticks: list[ChartXTick]
    axis: ChartAxis
    label_x: str
    label_y: str


class ExcursionLine(TypedDict, closed=True):
    """An excursion as the page says it (local times, values with their unit)."""

    kind: str
    start: str
    end: str
    day: str
    place: str
    limit: str
    peak: str
    minutes: int
    open: bool


class LegLedger(TypedDict, closed=True):
    """A leg's ledger mark: its reading batches in the log, and their digests checked."""

    state: str  # verified, pending, mismatch or unsigned
    batches: int
    signer: str
    bundle: str | None
    digests_checked: bool


# Functional form: a leg says where it went "from".
ColdChainLeg = TypedDict(
    "ColdChainLeg",
    {
        "number": int,
        "carrier": str,
        "from": str,
        "to": str,
        "departed": str,
        "arrived": str,
        "hours": float | None,
        "readings": int,
        "devices": int,
        "min": str,
        "max": str,
        "chart": ColdChainChart | None,
        "excursions": list[ExcursionLine],
        "ledger": LegLedger,
    },
    closed=True,
)


class PromiseLine(TypedDict, closed=True):
    """A delivery promise and how the lot's items (on a product page: its lots' items) measured against it."""

    text: str
    hours: int
    outcome: str | None  # a PromiseOutcome, None before any item shipped
    measured: str | None  # the longest measured hours
    kept: int
    broken: int
    pending: int
    unconfirmed: int
    unit: str  # "item"
    delivered: int  # items delivered to their buyers: "已送达 10 件：8 件在 48 小时内"
    started: bool  # False when the lot has no start event to measure from


class LotLine(TypedDict, closed=True):
    """One lot of a product on the product page: its page, how many trace events it has, its items delivered."""

    lot: str
    path: str
    events: int
    started: bool
    delivered: int
    kept: int  # delivered within the product's first promise
    hours: int | None  # that promise's hours


class ItemPromiseLine(TypedDict, closed=True):
    """One item against one promise, on the item's own scan page."""

    text: str
    hours: int
    state: str  # an ItemPromiseState
    measured: str | None  # hours from the lot's start event to this item's delivery
    delivered: str | None  # local day and clock time of the delivery


class EventReadingLine(TypedDict, closed=True):
    """A reading in a trace event outside the product's range, as the page says it."""

    at: str  # local day and clock time
    recorded_by: str
    kind: str  # an ExcursionKind
    value: str
    limit: str


def _event_reading(reading: EventReadingData) -> EventReadingLine:
    return {
        "at": _day_clock(datetime.fromisoformat(reading["time"])), "recorded_by": reading["recorded_by"],
        "kind": reading["kind"], "value": _n(reading["value"]), "limit": _n(reading["limit"]),
    }  # fmt: skip


class ColdChainSection(TypedDict, closed=True):
    """The cold-chain section: legs with charts and excursions, the profile, and the promise badges."""

    legs: list[ColdChainLeg]
    profile: ColdChainProfileData | None
    excursions: NotRequired[int]  # on lot pages: how many excursions in all
    # Readings recorded in the lot's trace events, by anyone, outside the range (ADR 0015).
    event_readings: NotRequired[list[EventReadingLine]]
    promises: list[PromiseLine]
    # On product pages: the lots with their trace, newest first (at most LOTS_SHOWN), and how many in all.
    lots: NotRequired[list[LotLine]]
    lots_total: NotRequired[int]


def _n(value: float) -> str:
    """A coordinate as text, so that no locale's number formatting reaches the SVG."""
    return f"{round(value, 1):g}"


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _clock(moment: datetime) -> str:
    return _local(moment).strftime("%H:%M")


def _day_clock(moment: datetime) -> str:
    return _local(moment).strftime("%m-%d %H:%M")


def _downsample(rows: Sequence[tuple[datetime, int]], centre: float) -> list[tuple[datetime, int]]:
    """At most MAX_POINTS readings: in each slice, the one farthest from the band's middle."""
    if len(rows) <= MAX_POINTS:
        return list(rows)
    size = len(rows) / MAX_POINTS
    kept = []
    for n in range(MAX_POINTS):
        part = rows[int(n * size) : max(int((n + 1) * size), int(n * size) + 1)]
        kept.append(max(part, key=lambda row: abs(row[1] - centre)))
    return kept


def _chart(
    rows: list[tuple[datetime, int]], profile: ColdChainProfile | None, excursions: list[Excursion]
) -> ColdChainChart | None:
    if not rows:
        return None
    band = (profile.temperature_min, profile.temperature_max) if profile is not None else None
    centre = (band[0] + band[1]) / 2 if band else sum(v for _t, v in rows) / len(rows)
    points = _downsample(rows, centre)
    values = [v for _t, v in points] + (list(band) if band else [])
    low, high = min(values) - 10, max(values) + 10  # tenths: one degree of air above and below
    start, end = points[0][0], points[-1][0]
    span = max((end - start).total_seconds(), 60.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: datetime) -> float:
        return round(LEFT + (moment - start).total_seconds() / span * plot_w, 1)

    def y(tenths: float) -> float:
        return round(TOP + (high - tenths) / (high - low) * plot_h, 1)

    def line(chosen: list[tuple[datetime, int]]) -> str:
        return " ".join(f"{_n(x(t))},{_n(y(v))}" for t, v in chosen)

    red = []
    for excursion in excursions:
        inside = [(t, v) for t, v in points if excursion.start <= t <= excursion.end]
        if len(inside) == 1:  # one reading out: draw a short stroke so that it shows
            t, v = inside[0]
            inside = [(t - timedelta(seconds=span / 200), v), (t + timedelta(seconds=span / 200), v)]
        if inside:
            red.append(line(inside))
    ticks: list[ChartYTick] = [
        {"y": _n(y(v)), "label": f"{v / 10:g} °C"} for v in (sorted(set(band)) if band else (low + 10, high - 10))
    ]
    middle = start + (end - start) / 2
    return {
        "width": _n(WIDTH),
        "height": _n(HEIGHT),
        "points": line(points),
        "red": red,
        "band": None
        if band is None
        else {"x": _n(LEFT), "y": _n(y(band[1])), "w": _n(plot_w), "h": _n(y(band[0]) - y(band[1]))},
        "y_ticks": ticks,
        "x_ticks": [
            {"x": _n(LEFT), "label": _day_clock(start), "anchor": "start"},
            {"x": _n(x(middle)), "label": _clock(middle), "anchor": "middle"},
            {"x": _n(WIDTH - RIGHT), "label": _clock(end), "anchor": "end"},
        ],
        "axis": {"x1": _n(LEFT), "y": _n(HEIGHT - BOTTOM), "x2": _n(WIDTH - RIGHT), "top": _n(TOP)},
        "label_x": _n(LEFT - 4),
        "label_y": _n(HEIGHT - 6),
    }


def _excursion_text(excursion: Excursion) -> ExcursionLine:
    unit = "%" if excursion.kind == "humid" else " °C"
    return {
        "kind": excursion.kind,
        "start": _clock(excursion.start),
        "end": _clock(excursion.end),
        "day": _local(excursion.start).strftime("%m-%d"),
        "place": excursion.place_name,
        "limit": f"{excursion.limit / 10:g}{unit}",
        "peak": f"{excursion.peak / 10:g}{unit}",
        "minutes": excursion.duration_minutes,
        "open": excursion.still_open,
    }


def _ledger(batches: list[ReadingBatch], readings: list[Any] | None) -> LegLedger:
    """The leg's ledger mark: every reading batch signed and in the log, and (unless `readings` is None, for legs
    too long to re-hash on every publication) its stored readings still matching the signed digests."""
    by_pk = signed_record_proofs(READING_BATCH_RECORD, batches)
    proofs = {b.ledger_leaf_hash: by_pk[b.pk] for b in batches}
    intact = True
    if readings is not None:
        by_batch: dict[int, list[Any]] = defaultdict(list)
        for row in readings:
            by_batch[row.batch_id].append(row)
        intact = all(readings_digest(by_batch[b.pk]) == b.sha256 for b in batches)
    states = {proofs[b.ledger_leaf_hash].state for b in batches if b.ledger_leaf_hash}
    state = "mismatch" if not intact or "mismatch" in states else "pending" if "pending" in states else "verified"
    last = proofs.get(batches[-1].ledger_leaf_hash) if batches else None
    return {
        "state": state if batches else "unsigned",
        "batches": len(batches),
        "signer": last.signer if last else "",
        "bundle": last.as_dict()["bundle"] if last else None,
        "digests_checked": readings is not None,
    }


def _series_sliced(leg: Leg, device: str, centre: float) -> list[tuple[datetime, int]]:
    """A long leg's chart points from the database: per time slice, its highest or lowest temperature, whichever
    is farther from the band's middle, without reading every row into Python."""
    own = Reading.objects.filter(leg=leg, device_id=device, temperature__isnull=False)
    span = own.aggregate(first=Min("time"), last=Max("time"))
    first, last = span["first"], span["last"]
    if first is None or last is None:
        return []
    step = max((last - first) / MAX_POINTS, timedelta(seconds=1))
    points = []
    for n in range(MAX_POINTS):
        start = first + step * n
        end = last + timedelta(microseconds=1) if n == MAX_POINTS - 1 else start + step
        found = own.filter(time__gte=start, time__lt=end).aggregate(high=Max("temperature"), low=Min("temperature"))
        if found["high"] is None:
            continue
        value = found["high"] if abs(found["high"] - centre) >= abs(found["low"] - centre) else found["low"]
        points.append((start + (end - start) / 2 if 0 < n < MAX_POINTS - 1 else start if n == 0 else last, value))
    return points


def _leg(leg: Leg, number: int, profile: ColdChainProfile | None) -> ColdChainLeg:
    excursions = list(Excursion.objects.filter(leg=leg).order_by("start", "id"))
    counts = dict(
        Reading.objects.filter(leg=leg, temperature__isnull=False)
        .values_list("device_id")
        .annotate(n=Count("id"))
        .values_list("device_id", "n")
    )
    device = max(sorted(counts), key=lambda d: counts[d]) if counts else None
    rows: list[Any] | None = None
    if leg.reading_count <= FULL_CHECK_LIMIT:
        rows = [
            SimpleNamespace(
                device_id=d, time=t, temperature=temp, humidity=hum, latitude=lat, longitude=lng, batch_id=batch_id
            )
            for d, t, temp, hum, lat, lng, batch_id in Reading.objects.filter(leg=leg)
            .order_by("time")
            .values_list("device_id", "time", "temperature", "humidity", "latitude", "longitude", "batch_id")
        ]
        series = [(r.time, r.temperature) for r in rows if r.device_id == device and r.temperature is not None]
    elif device is not None:
        centre = (profile.temperature_min + profile.temperature_max) / 2 if profile is not None else 0.0
        series = _series_sliced(leg, device, centre)
    else:
        series = []
    extremes = Reading.objects.filter(leg=leg, device_id=device).aggregate(
        low=Min("temperature"), high=Max("temperature")
    )
    hours = None
    if leg.arrived_at is not None:
        hours = round((leg.arrived_at - leg.departed_at).total_seconds() / 3600, 1)
    return {
        "number": number,
        "carrier": leg.organization.name,
        "from": leg.from_place.name if leg.from_place else "",
        "to": leg.to_place.name if leg.to_place else "",
        "departed": _day_clock(leg.departed_at),
        "arrived": _day_clock(leg.arrived_at) if leg.arrived_at else "",
        "hours": hours,
        "readings": leg.reading_count,
        "devices": len(leg.device_ids),
        "min": f"{extremes['low'] / 10:g}" if extremes["low"] is not None else "",
        "max": f"{extremes['high'] / 10:g}" if extremes["high"] is not None else "",
        "chart": _chart(series, profile, [e for e in excursions if e.device_id == device and e.kind != "humid"]),
        "excursions": [_excursion_text(e) for e in excursions],
        "ledger": _ledger(list(leg.reading_batches.order_by("id")), rows),
    }


def _promise(result: PromiseResult) -> PromiseLine:
    return {
        "text": result.text,
        "hours": result.hours_promised,
        "outcome": result.outcome,
        "measured": None if result.measured_hours is None else f"{result.measured_hours:g}",
        "kept": result.kept,
        "broken": result.broken,
        "pending": result.pending,
        "unconfirmed": result.unconfirmed,
        "unit": result.unit,
        "delivered": result.delivered,
        "started": result.started,
    }


def _promises_summed(promises: list[Promise], per_lot: list[list[PromiseResult]]) -> list[PromiseLine]:
    """The product's promises measured over its lots' items: the lots' counts added up."""
    lines: list[PromiseLine] = []
    for n, promise in enumerate(promises):
        results = [results[n] for results in per_lot if len(results) > n]
        measured = [r.measured_hours for r in results if r.measured_hours is not None]
        kept, broken, pending = (sum(r.kept for r in results), sum(r.broken for r in results),
                                 sum(r.pending for r in results))  # fmt: skip
        outcome = "broken" if broken else "pending" if pending else "kept" if kept else None
        lines.append({
            "text": promise.text, "hours": promise.hours, "outcome": outcome,
            "measured": f"{max(measured):g}" if measured else None, "kept": kept, "broken": broken,
            "pending": pending, "unconfirmed": sum(r.unconfirmed for r in results), "unit": "item",
            "delivered": sum(r.delivered for r in results), "started": any(r.started for r in results),
        })  # fmt: skip
    return lines


def _product_section(product: Product) -> ColdChainSection | None:
    """The product page's section: its promises over all its lots' items, explained, and its lots with their trace."""
    promises = list(Promise.objects.filter(product=product, active=True).order_by("kind", "id"))
    batches = list(Batch.objects.filter(product=product).order_by("-created_at", "-id")[:LOTS_SHOWN])
    events = dict(
        EventSubject.objects.filter(batch__in=batches, event__is_error_declaration=False)
        .values("batch_id")
        .annotate(n=Count("event_id", distinct=True))
        .values_list("batch_id", "n")
    )
    if not promises and not any(events.values()):
        return None
    per_lot = {batch.pk: promise_results_for_batch(batch=batch) for batch in batches} if promises else {}
    lots: list[LotLine] = []
    for batch in batches:
        first = per_lot[batch.pk][0] if per_lot.get(batch.pk) else None
        lots.append({
            "lot": batch.lot, "path": batch.digital_link.path, "events": events.get(batch.pk, 0),
            "started": first.started if first else True, "delivered": first.delivered if first else 0,
            "kept": first.kept if first else 0, "hours": first.hours_promised if first else None,
        })  # fmt: skip
    return {
        "legs": [],
        "profile": None,
        "promises": _promises_summed(promises, list(per_lot.values())),
        "lots": lots,
        "lots_total": Batch.objects.filter(product=product).count(),
    }


def item_promise_lines(*, batch: Batch, item_ids: Sequence[int]) -> dict[int, list[ItemPromiseLine]]:
    """Each item's promise lines for its scan page (a few queries for a whole chunk of a lot's items)."""
    return {
        item_id: [
            {"text": r.text, "hours": r.hours_promised, "state": r.state,
             "measured": None if r.hours is None else f"{r.hours:g}",
             "delivered": None if r.delivered_at is None else _day_clock(r.delivered_at)}
            for r in results
        ]
        for item_id, results in promise_results_for_items(batch=batch, item_ids=item_ids).items()
    }  # fmt: skip


def section_build(*, product: Product, batch: Batch | None) -> ColdChainSection | None:
    """The section's data, or None when there is nothing to show."""
    if batch is None:
        return _product_section(product)
    legs = legs_for_batch(batch=batch)
    results = promise_results_for_batch(batch=batch)
    profile = ColdChainProfile.objects.filter(product_id=product.pk).first()
    outside = event_readings_outside(batch=batch, profile=profile)
    if not legs and not results and not outside:
        return None
    drawn = [_leg(leg, number, profile) for number, leg in enumerate(legs, start=1)]
    return {
        "legs": drawn,
        "profile": profile_dict(profile),
        "excursions": sum(len(leg["excursions"]) for leg in drawn) + len(outside),
        "event_readings": [_event_reading(reading) for reading in outside],
        "promises": [_promise(result) for result in results],
    }

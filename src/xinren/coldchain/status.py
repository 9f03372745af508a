"""A lot's cold-chain facts: legs and their arrivals, status, leg durations and promise results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from django.db.models import Q, QuerySet
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.catalog.models import Batch, Product
from xinren.catalog.selectors import owners_trusting
from xinren.core import clock
from xinren.trace.choices import BizStep
from xinren.trace.models import EventSubject, TraceEvent

from .choices import ExcursionKind, PromiseOutcome
from .models import ColdChainProfile, Excursion, Leg, Promise, ReadingBatch
from .plausible import EventReadingData, event_readings_outside

ARRIVAL_STEPS = (BizStep.RECEIVING, BizStep.ACCEPTING)
RETURNED = "returned"  # CBV disposition of goods coming back (an after-sale return)
ORIGIN_STEPS = (BizStep.HARVESTING, BizStep.CREATING_CLASS_INSTANCE, BizStep.COMMISSIONING)
_KIND_LABELS = dict(ExcursionKind.choices)


class ColdChainProfileData(TypedDict, closed=True):
    """A cold-chain profile as plain data (°C and % as floats)."""

    temperature_min: float
    temperature_max: float
    humidity_min: float | None
    humidity_max: float | None
    tolerance_minutes: int
    version: int
    leaf_hash: str


class ExcursionData(TypedDict, closed=True):
    """An excursion as plain data (times in UTC ISO 8601; values in °C or %)."""

    id: int
    leg_id: int
    device_id: str
    kind: str
    kind_label: str
    start: str
    end: str
    duration_minutes: int
    peak: float
    limit: float
    still_open: bool
    place_name: str
    latitude: float | None
    longitude: float | None
    leaf_hash: str


@dataclass(frozen=True)
class ColdChainStatus:
    """A lot's cold-chain record in brief: what the trust labels and scores read."""

    legs: int
    legs_with_readings: int
    readings: int
    excursions: list[ExcursionData]
    all_within_range: bool
    profile: ColdChainProfileData | None
    leaf_hashes: list[str] = field(default_factory=list)
    # Readings recorded in the lot's trace events (by anyone) outside the range: they count as excursions too.
    event_readings_outside: list[EventReadingData] = field(default_factory=list)


@dataclass(frozen=True)
class LegDuration:
    """How long one leg took, from its shipping event to its receiving event (None while in transit)."""

    leg_id: int
    departed_at: datetime
    arrived_at: datetime | None
    hours: float | None


@dataclass(frozen=True)
class PromiseResult:
    """A promise and how the lot's delivered units measured against it."""

    promise_id: int
    text: str
    hours_promised: int
    unit: str  # "item" when items carry their own events, else "lot"
    kept: int
    broken: int
    pending: int
    # The longest measured origin-to-delivery time among delivered units, in hours (None when none arrived yet).
    measured_hours: float | None
    outcome: str | None  # PromiseOutcome: broken if any unit arrived late, else pending if any is pending, else kept
    evidence_event_ids: list[str] = field(default_factory=list)
    # Units past the deadline with no receiving event after their last shipping: not shown kept, nor called broken
    # (an order's delivery confirmation records no EPCIS event yet).
    unconfirmed: int = 0


# -- profiles ----------------------------------------------------------------------------------------------------------


@overload
def profile_dict(profile: ColdChainProfile) -> ColdChainProfileData: ...
@overload
def profile_dict(profile: None) -> None: ...


def profile_dict(profile: ColdChainProfile | None) -> ColdChainProfileData | None:
    """A profile as plain data (°C and % as floats, from the stored tenths)."""
    if profile is None:
        return None
    return {
        "temperature_min": profile.temperature_min / 10,
        "temperature_max": profile.temperature_max / 10,
        "humidity_min": None if profile.humidity_min is None else profile.humidity_min / 10,
        "humidity_max": None if profile.humidity_max is None else profile.humidity_max / 10,
        "tolerance_minutes": profile.tolerance_minutes,
        "version": profile.version,
        "leaf_hash": profile.ledger_leaf_hash,
    }


def excursion_dict(excursion: Excursion) -> ExcursionData:
    """An excursion as plain JSON data (times in UTC ISO 8601; values in °C or %)."""
    return {
        "id": excursion.pk,
        "leg_id": excursion.leg_id,
        "device_id": excursion.device_id,
        "kind": excursion.kind,
        "kind_label": str(_KIND_LABELS.get(excursion.kind, excursion.kind)),
        "start": excursion.start.isoformat(),
        "end": excursion.end.isoformat(),
        "duration_minutes": excursion.duration_minutes,
        "peak": excursion.peak / 10,
        "limit": excursion.limit / 10,
        "still_open": excursion.still_open,
        "place_name": excursion.place_name,
        "latitude": None if excursion.latitude is None else float(excursion.latitude),
        "longitude": None if excursion.longitude is None else float(excursion.longitude),
        "leaf_hash": excursion.reading_batch.ledger_leaf_hash,
    }


# -- legs --------------------------------------------------------------------------------------------------------------


def legs_for_batch(*, batch: Batch) -> list[Leg]:
    """The lot's legs in departure order, with their arrival filled from the lot's receiving events."""
    legs = list(
        Leg.objects.filter(batch=batch).select_related("from_place", "to_place", "organization", "shipping_event")
    )
    arrivals_fill(legs=legs, batch=batch)
    return legs


def arrivals_fill(*, legs: list[Leg], batch: Batch) -> None:
    """Set `arrived_at` (in memory) of legs whose receiving event was recorded after they were stored.

    A leg arrives with the first receiving or accepting event naming the lot (or one of its items) after it
    departed and before the lot's next leg departed.
    """
    pending = [leg for leg in legs if leg.arrived_at is None]
    if not pending:
        return
    arrivals = list(
        TraceEvent.objects.filter(
            biz_step__in=ARRIVAL_STEPS,
            is_error_declaration=False,
            event_time__gte=min(leg.departed_at for leg in pending),
            subjects__batch=batch,
        )
        .exclude(disposition=RETURNED)  # a return coming back ends no shipment leg
        .select_related("place")
        .distinct()
        .order_by("event_time", "id")
    )
    departures = sorted(leg.departed_at for leg in legs)
    for leg in pending:
        later = [at for at in departures if at > leg.departed_at]
        until = later[0] if later else None
        for event in arrivals:
            if event.event_time >= leg.departed_at and (until is None or event.event_time <= until):
                leg.arrived_at = event.event_time
                leg.arrival_event = event
                if leg.to_place_id is None and event.place is not None:
                    leg.to_place = event.place
                break


def leg_list(*, actor: Actor) -> QuerySet[Leg]:
    """The legs the actor's logistics organization opened, newest first."""
    return (
        Leg.objects.filter(organization=actor.organization)
        .select_related("batch__product", "shipping_event", "from_place", "to_place")
        .order_by("-departed_at", "-id")
    )


def shipments_to_open(*, actor: Actor, limit: int = 100) -> QuerySet[TraceEvent]:
    """Shipping events the actor's logistics organization may open legs from and has not yet: its own, and those
    of merchants that granted it, newest first."""
    trusting = owners_trusting(partner=actor.organization).values("pk")
    return (
        TraceEvent.objects.filter(biz_step=BizStep.SHIPPING, is_error_declaration=False, subjects__batch__isnull=False)
        .filter(Q(organization=actor.organization) | Q(organization__in=trusting))
        .filter(subjects__batch__product__merchant__in=trusting)
        .exclude(coldchain_legs__isnull=False)
        .select_related("place", "organization")
        .distinct()
        .order_by("-event_time", "-id")[:limit]
    )


def excursions_for_leg(*, leg: Leg) -> list[ExcursionData]:
    """The leg's excursions, oldest first."""
    return [excursion_dict(e) for e in leg.excursions.select_related("reading_batch").order_by("start", "id")]


def leg_durations_for_batch(*, batch: Batch) -> list[LegDuration]:
    """How long each of the lot's legs took (from its own shipping and receiving events)."""
    result = []
    for leg in legs_for_batch(batch=batch):
        hours = None
        if leg.arrived_at is not None:
            hours = round((leg.arrived_at - leg.departed_at).total_seconds() / 3600, 2)
        result.append(LegDuration(leg_id=leg.pk, departed_at=leg.departed_at, arrived_at=leg.arrived_at, hours=hours))
    return result


def coldchain_status_for_batch(*, batch: Batch) -> ColdChainStatus:
    """The lot's cold chain in brief: legs, readings, excursions, and whether every leg stayed in range."""
    legs = list(Leg.objects.filter(batch=batch).order_by("departed_at", "id"))
    with_readings = [leg for leg in legs if leg.reading_count > 0]
    excursions = [
        excursion_dict(e)
        for e in Excursion.objects.filter(leg__batch=batch).select_related("reading_batch").order_by("start", "id")
    ]
    profile = ColdChainProfile.objects.filter(product_id=batch.product_id).first()
    leaf_hashes = list(
        ReadingBatch.objects.filter(leg__batch=batch).order_by("id").values_list("ledger_leaf_hash", flat=True)
    )
    outside = event_readings_outside(batch=batch, profile=profile)
    return ColdChainStatus(
        legs=len(legs),
        legs_with_readings=len(with_readings),
        readings=sum(leg.reading_count for leg in legs),
        excursions=excursions,
        all_within_range=bool(legs) and len(with_readings) == len(legs) and not excursions and not outside
        and profile is not None,
        profile=profile_dict(profile),
        leaf_hashes=leaf_hashes,
        event_readings_outside=outside,
    )


# -- promises ----------------------------------------------------------------------------------------------------------


def promise_list(*, product: Product) -> list[Promise]:
    """The product's promises (active first)."""
    return list(Promise.objects.filter(product=product).order_by("-active", "kind", "id"))


def _origin_event(batch: Batch) -> TraceEvent | None:
    """Where the lot's clock starts: its harvest, else its production, else its commissioning."""
    events = TraceEvent.objects.filter(
        subjects__batch=batch, biz_step__in=ORIGIN_STEPS, is_error_declaration=False
    ).distinct()
    found: dict[str, TraceEvent] = {}
    for event in events.order_by("event_time", "id"):
        found.setdefault(event.biz_step, event)
    for step in ORIGIN_STEPS:
        if step in found:
            return found[step]
    return None


def _units(batch: Batch, since: datetime) -> tuple[str, dict[str, dict[str, Any]]]:
    """Each shipped unit of the lot (its items, or the lot as one unit) with its last shipping and receiving."""
    rows = (
        EventSubject.objects.filter(
            batch=batch,
            event__is_error_declaration=False,
            event__biz_step__in=(BizStep.SHIPPING, *ARRIVAL_STEPS),
            event__event_time__gte=since,
        )
        .exclude(event__disposition=RETURNED)  # a return coming back is not a delivery (aftersales)
        .values_list("serial", "event__biz_step", "event__event_time", "event__event_id", "event__organization__kind")
        .order_by("event__event_time", "event__id")
    )
    units: dict[str, dict[str, Any]] = {}
    for serial, step, at, event_id, recorder_kind in rows:
        unit = units.setdefault(serial, {"shipped": None, "received": None})
        key = "shipped" if step == BizStep.SHIPPING else "received"
        # (time, event id, whether it is only the buyer's confirmation, which the platform signs)
        unit[key] = (at, event_id, key == "received" and recorder_kind == OrganizationKind.PLATFORM)
    item_units = {serial: unit for serial, unit in units.items() if serial}
    if item_units:
        return "item", item_units
    return "lot", units


def promise_results_for_batch(*, batch: Batch) -> list[PromiseResult]:
    """How the lot measured against each active promise of its product: kept, broken or pending per unit."""
    promises = list(Promise.objects.filter(product_id=batch.product_id, active=True).order_by("kind", "id"))
    if not promises:
        return []
    origin = _origin_event(batch)
    now = clock.now()
    if origin is None:
        return [
            PromiseResult(
                promise_id=p.pk, text=p.text, hours_promised=p.hours, unit="lot", kept=0, broken=0, pending=0,
                measured_hours=None, outcome=None,
            )
            for p in promises
        ]
    unit_kind, units = _units(batch, origin.event_time)
    results = []
    for promise in promises:
        deadline_hours = float(promise.hours)
        kept = broken = pending = unconfirmed = 0
        longest: float | None = None
        evidence = {origin.event_id}
        for unit in units.values():
            shipped, received = unit["shipped"], unit["received"]
            if shipped is None and received is None:
                continue
            delivered = received is not None and (shipped is None or received[0] >= shipped[0])
            hours = (received[0] - origin.event_time).total_seconds() / 3600 if delivered else 0.0
            if delivered and received[2] and hours > deadline_hours:
                # A buyer confirms when they get round to it: a late confirmation does not show a late parcel.
                evidence.add(received[1])
                unconfirmed += 1
            elif delivered:
                longest = hours if longest is None else max(longest, hours)
                evidence.add(received[1])
                if hours <= deadline_hours:
                    kept += 1
                else:
                    broken += 1
            else:
                evidence.add(shipped[1])
                if (now - origin.event_time).total_seconds() / 3600 > deadline_hours:
                    unconfirmed += 1
                else:
                    pending += 1
        outcome = None
        if broken:
            outcome = PromiseOutcome.BROKEN
        elif pending:
            outcome = PromiseOutcome.PENDING
        elif kept:
            outcome = PromiseOutcome.KEPT
        results.append(
            PromiseResult(
                promise_id=promise.pk,
                text=promise.text,
                hours_promised=promise.hours,
                unit=unit_kind,
                kept=kept,
                broken=broken,
                pending=pending,
                measured_hours=None if longest is None else round(longest, 1),
                outcome=None if outcome is None else str(outcome),
                evidence_event_ids=sorted(evidence),
                unconfirmed=unconfirmed,
            )
        )
    return results


def legs_in_scope(*, actor: Actor) -> Q:
    """Legs an actor may read: those its organization opened, or those of its own products' lots."""
    return Q(organization=actor.organization) | Q(batch__product__merchant=actor.organization)

"""A lot's cold-chain facts: legs and their arrivals, status, leg durations and promise results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, overload

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.catalog.models import Batch, Product
from xinren.catalog.selectors import owners_trusting
from xinren.core import clock
from xinren.trace.choices import BizStep
from xinren.trace.models import EventSubject, TraceEvent

from .choices import ExcursionKind, ItemPromiseState, PromiseOutcome
from .models import ColdChainProfile, Excursion, ItemDelivery, Leg, Promise, ReadingBatch
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
    """A promise and how the lot's items measured against it, each from the lot's start event to its delivery."""

    promise_id: int
    text: str
    hours_promised: int
    unit: str  # always "item": a lot is measured item by item (ADR 0036)
    kept: int
    broken: int
    pending: int
    # The longest measured start-to-delivery time among delivered items, in hours (None when none arrived yet).
    measured_hours: float | None
    outcome: str | None  # PromiseOutcome: broken if any item arrived late, else pending if any is on its way, else kept
    evidence_event_ids: list[str] = field(default_factory=list)
    # Items past the deadline with no delivery, and items whose only delivery time is a buyer's confirmation after
    # the deadline (a buyer confirms when they get round to it: that proves no late parcel): neither kept nor broken.
    unconfirmed: int = 0
    delivered: int = 0  # items delivered to their buyer since the start event (kept + broken + late confirmations)
    started: bool = True  # False when the lot has no start event to measure from


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


def _delivered(batch: Batch, origin_at: datetime) -> QuerySet[ItemDelivery]:
    """The lot's item deliveries that count: after the start event, by a receipt not declared erroneous."""
    declared = TraceEvent.objects.filter(event_id=OuterRef("delivery_event__event_id"), is_error_declaration=True)
    return ItemDelivery.objects.filter(batch=batch, delivered_at__gte=origin_at).exclude(Exists(declared))


def _on_the_way(batch: Batch, origin_at: datetime, item_ids: Sequence[int] | None = None) -> set[int]:
    """Items of the lot on their way: their last shipping or receiving event since the start is a shipping (an item
    received at a hub and waiting there is not on its way to anyone), and no delivery is recorded for them."""
    rows = EventSubject.objects.filter(
        batch=batch, item__isnull=False, event__biz_step__in=(BizStep.SHIPPING, *ARRIVAL_STEPS),
        event__is_error_declaration=False, event__event_time__gte=origin_at,
    ).exclude(event__disposition=RETURNED)  # fmt: skip
    if item_ids is not None:
        rows = rows.filter(item_id__in=item_ids)
    last: dict[int, str] = {}
    for item_id, step in rows.order_by("event__event_time", "event_id").values_list("item_id", "event__biz_step"):
        last[item_id] = step
    moving = {item_id for item_id, step in last.items() if step == BizStep.SHIPPING}
    if moving:
        moving -= set(ItemDelivery.objects.filter(item_id__in=moving).values_list("item_id", flat=True))
    return moving


def _deadline(origin_at: datetime, promise: Promise) -> datetime:
    return origin_at + timedelta(hours=promise.hours)


def promise_results_for_batch(*, batch: Batch) -> list[PromiseResult]:
    """How the lot's items measured against each active promise of its product, from the lot's start event to each
    item's delivery to its buyer (stored per item, counted here in one aggregate query: ADR 0036)."""
    promises = list(Promise.objects.filter(product_id=batch.product_id, active=True).order_by("kind", "id"))
    if not promises:
        return []
    origin = _origin_event(batch)
    if origin is None:
        return [
            PromiseResult(
                promise_id=p.pk, text=p.text, hours_promised=p.hours, unit="item", kept=0, broken=0, pending=0,
                measured_hours=None, outcome=None, started=False,
            )
            for p in promises
        ]  # fmt: skip
    start = origin.event_time
    delivered = _delivered(batch, start)
    sums: dict[str, Any] = {"delivered": Count("pk")}
    for n, promise in enumerate(promises):
        due = _deadline(start, promise)
        late_word = Q(by_buyer=True, delivered_at__gt=due)
        sums[f"kept{n}"] = Count("pk", filter=Q(delivered_at__lte=due))
        sums[f"unverified{n}"] = Count("pk", filter=late_word)
        sums[f"longest{n}"] = Max("delivered_at", filter=~late_word)
    figures = delivered.aggregate(**sums)
    on_the_way = len(_on_the_way(batch, start))
    evidence = {origin.event_id, *delivered.values_list("delivery_event__event_id", flat=True).distinct()}
    now = clock.now()
    results = []
    for n, promise in enumerate(promises):
        kept, unverified = figures[f"kept{n}"], figures[f"unverified{n}"]
        broken = figures["delivered"] - kept - unverified
        overdue = now > _deadline(start, promise)
        pending = 0 if overdue else on_the_way
        longest = figures[f"longest{n}"]
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
                unit="item",
                kept=kept,
                broken=broken,
                pending=pending,
                measured_hours=None if longest is None else round((longest - start).total_seconds() / 3600, 1),
                outcome=None if outcome is None else str(outcome),
                evidence_event_ids=sorted(evidence),
                unconfirmed=unverified + (on_the_way if overdue else 0),
                delivered=figures["delivered"],
            )
        )
    return results


@dataclass(frozen=True)
class ItemPromiseResult:
    """How one item measured against one promise."""

    promise_id: int
    text: str
    hours_promised: int
    state: str  # an ItemPromiseState
    hours: float | None  # from the start event to the delivery (None until delivered)
    delivered_at: datetime | None


def promise_results_for_items(*, batch: Batch, item_ids: Sequence[int]) -> dict[int, list[ItemPromiseResult]]:
    """Each item's result against each active promise, in a few queries for any number of the lot's items."""
    promises = list(Promise.objects.filter(product_id=batch.product_id, active=True).order_by("kind", "id"))
    if not promises or not item_ids:
        return {}
    origin = _origin_event(batch)
    if origin is None:
        return {
            item_id: [
                ItemPromiseResult(promise_id=p.pk, text=p.text, hours_promised=p.hours,
                                  state=ItemPromiseState.NO_START, hours=None, delivered_at=None)
                for p in promises
            ]
            for item_id in item_ids
        }  # fmt: skip
    start = origin.event_time
    delivered = _delivered(batch, start).filter(item_id__in=item_ids)
    deliveries = {row.item_id: row for row in delivered.only("item_id", "delivered_at", "by_buyer")}
    on_the_way = _on_the_way(batch, start, item_ids)
    now = clock.now()
    found: dict[int, list[ItemPromiseResult]] = {}
    for item_id in item_ids:
        lines = []
        for promise in promises:
            due = _deadline(start, promise)
            delivery = deliveries.get(item_id)
            hours = None
            if delivery is not None:
                hours = round((delivery.delivered_at - start).total_seconds() / 3600, 1)
                if delivery.delivered_at <= due:
                    state = ItemPromiseState.KEPT
                elif delivery.by_buyer:
                    state = ItemPromiseState.UNVERIFIED
                else:
                    state = ItemPromiseState.BROKEN
            elif item_id in on_the_way:
                state = ItemPromiseState.OVERDUE if now > due else ItemPromiseState.ON_THE_WAY
            else:
                state = ItemPromiseState.NOT_DELIVERED
            lines.append(ItemPromiseResult(
                promise_id=promise.pk, text=promise.text, hours_promised=promise.hours, state=str(state), hours=hours,
                delivered_at=None if delivery is None else delivery.delivered_at,
            ))  # fmt: skip
        found[item_id] = lines
    return found


def origin_missing(*, product: Product) -> list[str]:
    """The product's lots (their lot numbers) that have no start event; all of them when none has one."""
    started = (
        EventSubject.objects.filter(
            batch__product=product, event__biz_step__in=ORIGIN_STEPS, event__is_error_declaration=False
        )
        .values_list("batch_id", flat=True)
        .distinct()
    )
    missing = Batch.objects.filter(product=product).exclude(pk__in=started).order_by("lot")
    return list(missing.values_list("lot", flat=True))


def product_has_start(*, product: Product) -> bool:
    """Whether any lot of the product has a start event (harvest, production or commissioning) to measure from."""
    return EventSubject.objects.filter(
        batch__product=product, event__biz_step__in=ORIGIN_STEPS, event__is_error_declaration=False
    ).exists()


def legs_in_scope(*, actor: Actor) -> Q:
    """Legs an actor may read: those its organization opened, or those of its own products' lots."""
    return Q(organization=actor.organization) | Q(batch__product__merchant=actor.organization)

"""Parcel tracking (物流跟踪): the timeline of a shipment, drawn from the signed EPCIS events of its items.

The read model behind the order pages (consumer and merchant) and the carrier's tracking API (docs/tracking.md).
Every step is an EPCIS event that names one of the parcel's serialized items and happened at or after the parcel
was shipped — the merchant's shipping event, a carrier's updates (posted through the API and recorded as events
signed by the carrier, `services.carrier_updates`), the carrier's or the buyer's delivery receipt — so each step
carries the proof of its signed statement. Cold-chain legs opened from one of those events add their temperature
status, and their excursions become steps of their own. Events declared erroneous by their recorder are left out.

The estimated delivery is the ship time plus the merchant's promise (the shortest active cold-chain promise of
the parcel's products), or a default by product category when the merchant made none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.attest.proofs import LedgerProof, signed_record_proofs
from xinren.coldchain.choices import ExcursionKind
from xinren.coldchain.models import ColdChainProfile, Leg, Promise, Reading
from xinren.coldchain.statements import READING_BATCH_RECORD
from xinren.coldchain.status import arrivals_fill
from xinren.core import clock
from xinren.core.errors import NotFound
from xinren.trace.choices import BizStep
from xinren.trace.models import EventSubject, TraceEvent
from xinren.trace.proofs import event_proofs

from . import errors
from .choices import ShipmentStatus
from .models import Order, Shipment

# Hours from shipping to the buyer's door when the merchant promised nothing, by product category; then overall.
# Settings `XINREN_DELIVERY_HOURS_BY_CATEGORY` and `XINREN_DELIVERY_HOURS_DEFAULT` override them.
DELIVERY_HOURS_BY_CATEGORY = {
    "wild_mushroom": 48, "fresh_flowers": 48, "fruit": 48, "vegetables": 48, "meat_eggs": 48, "baked_goods": 72,
}  # fmt: skip
DELIVERY_HOURS_DEFAULT = 96
# A parcel's timeline shows at most this many events (a parcel has a handful; this bounds a misbehaving feed).
MAX_STEPS = 200
_SHANGHAI_OFFSET = "+08:00"
_KIND_LABELS = dict(ExcursionKind.choices)
_BIZ_STEP_LABELS = dict(BizStep.choices)


@dataclass(frozen=True)
class ColdLeg:
    """A cold-chain leg of the parcel: where it went, its temperatures and whether they stayed in range."""

    leg_id: int
    carrier: str
    from_place: str
    to_place: str
    departed_at: datetime
    arrived_at: datetime | None
    readings: int
    low: float | None  # °C
    high: float | None
    range_low: float | None  # the product's allowed range, °C
    range_high: float | None
    excursions: int
    # "ok" (every reading in range), "tolerated" (out of range briefly, within the tolerance), "excursion",
    # "unjudged" (the product has no range) or "no_readings"
    state: str
    proof: LedgerProof | None


@dataclass(frozen=True)
class TrackingStep:
    """One line of the parcel's timeline."""

    kind: str  # the event's business step, "delivered", or "excursion"
    title: str
    detail: str
    place: str
    at: datetime
    # The time where it happened, when the recorder gave another offset than Shanghai's (the place's own zone).
    local_time: str
    recorder: str
    by_carrier: bool
    tone: str  # "" (en route), "done" (delivered) or "warn" (excursion)
    proof: LedgerProof | None
    coldchain: ColdLeg | None = None


@dataclass(frozen=True)
class DeliveryEstimate:
    """When the parcel should arrive, against what promise, and how it turned out."""

    due: datetime
    hours: int
    source: str  # "promise" (the merchant's), "category" or "default"
    promise_text: str
    delivered_at: datetime | None
    state: str  # "on_time", "late" (delivered late), "pending" (before the due time), "overdue" (still en route)
    late_hours: int  # whole hours past the due time, rounded up (0 unless late or overdue)
    taken_hours: float | None  # shipping to delivery

    @property
    def summary(self) -> str:
        """The line the order page shows, in Chinese (Asia/Shanghai dates)."""
        due = timezone.localtime(self.due)
        day = _("%(month)d月%(day)d日") % {"month": due.month, "day": due.day}
        if self.source == "promise":
            basis = _("承诺 %(hours)d 小时") % {"hours": self.hours}
        else:
            basis = _("一般 %(hours)d 小时") % {"hours": self.hours}
        if self.state == "on_time":
            return _("已按承诺送达（用时 %(taken)s 小时，%(basis)s）") % {"taken": _hours(self.taken_hours),
                                                                          "basis": basis}
        if self.state == "late":
            return _("超出承诺 %(late)d 小时送达（%(basis)s）") % {"late": self.late_hours, "basis": basis}
        if self.state == "overdue":
            return _("已超出承诺 %(late)d 小时，仍在途中（%(basis)s）") % {"late": self.late_hours, "basis": basis}
        return _("预计 %(day)s 送达（%(basis)s）") % {"day": day, "basis": basis}


@dataclass(frozen=True)
class ParcelTracking:
    """The parcel's timeline (newest first), its cold-chain legs and its delivery estimate."""

    shipment: Shipment
    steps: list[TrackingStep]
    legs: list[ColdLeg]
    estimate: DeliveryEstimate
    delivered: bool
    coldchain_state: str = ""  # the worst of its legs' states, "" without a cold-chain leg
    carriers: list[str] = field(default_factory=list)


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}".removesuffix(".0")


def order_tracking(*, order: Order) -> ParcelTracking | None:
    """The tracking of an order the caller may already see (orders.selectors scope it), or None before shipping."""
    shipment = getattr(order, "shipment", None) if hasattr(order, "shipment") else None
    return parcel_tracking(shipment=shipment) if shipment is not None else None


def parcel_tracking(*, shipment: Shipment, now: datetime | None = None) -> ParcelTracking:
    """The parcel's timeline: steps from the signed events of its items since it was shipped, newest first."""
    now = now or clock.now()
    item_ids = list(shipment.items.values_list("item_id", flat=True))
    events = _events(shipment=shipment, item_ids=item_ids)
    proofs = event_proofs(events)
    legs = _legs(item_ids=item_ids)
    legs_by_event = {leg.shipping_event_id: leg for leg in legs}
    cold = {leg.pk: _cold_leg(leg) for leg in legs}
    steps: list[TrackingStep] = []
    for event in events:
        leg = legs_by_event.get(event.pk)
        steps.append(_step(event, shipment=shipment, proof=proofs[event.pk].as_dict(),
                           coldchain=cold[leg.pk] if leg is not None else None))
    for leg in legs:
        steps += _excursion_steps(leg)
    steps.sort(key=lambda step: step.at, reverse=True)
    states = {c.state for c in cold.values()}
    coldchain_state = next((s for s in ("excursion", "no_readings", "unjudged", "tolerated", "ok") if s in states), "")
    carriers = sorted({step.recorder for step in steps if step.by_carrier})
    return ParcelTracking(
        shipment=shipment,
        steps=steps,
        legs=sorted(cold.values(), key=lambda c: c.departed_at),
        estimate=delivery_estimate(shipment=shipment, now=now),
        delivered=shipment.status == ShipmentStatus.DELIVERED,
        coldchain_state=coldchain_state,
        carriers=carriers,
    )


def _events(*, shipment: Shipment, item_ids: list[int]) -> list[TraceEvent]:
    """Events naming one of the parcel's items (not its lot or product as a whole: those are about other units
    too), at or after the ship time, without the ones their recorder declared erroneous."""
    names_item = EventSubject.objects.filter(event=OuterRef("pk"), item_id__in=item_ids)
    declared = TraceEvent.objects.filter(event_id=OuterRef("event_id"), is_error_declaration=True)
    since = shipment.shipped_at.replace(microsecond=0)
    return list(
        TraceEvent.objects.filter(Exists(names_item), is_error_declaration=False)
        .filter(Q(event_time__gte=since) | Q(pk=shipment.trace_event_id))
        .exclude(Exists(declared))
        .select_related("organization", "place")
        .order_by("-event_time", "-id")[:MAX_STEPS]
    )


def _local_time(event: TraceEvent) -> str:
    """The event's time where it happened, when that zone is not Shanghai's ("" otherwise)."""
    offset = event.event_time_zone_offset
    if not offset or offset == _SHANGHAI_OFFSET:
        return ""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    delta = sign * timedelta(hours=int(hours), minutes=int(minutes))
    local = event.event_time.astimezone(dt_timezone(delta))
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset})"


def _step(event: TraceEvent, *, shipment: Shipment, proof: LedgerProof, coldchain: ColdLeg | None) -> TrackingStep:
    place = event.place.name if event.place is not None else ""
    recorder_kind = event.organization.kind
    step = event.biz_step
    tone = ""
    detail = ""
    final = event.pk == shipment.receipt_event_id or (
        step in (BizStep.RECEIVING, BizStep.ACCEPTING) and recorder_kind == OrganizationKind.PLATFORM
    )
    if final:
        kind, title, tone = "delivered", _("已签收"), "done"
        detail = _("买家确认收货") if recorder_kind == OrganizationKind.PLATFORM else _("承运商确认送达")
    elif step == BizStep.SHIPPING:
        kind, title = step, _("已发货")
        detail = _("商家已发货，包裹交给承运商") if recorder_kind != OrganizationKind.LOGISTICS else _("承运商已揽收")
    elif step == BizStep.DEPARTING:
        kind = step
        title = _("离开 %(place)s") % {"place": place} if place else _("运输中")
    elif step in (BizStep.ARRIVING, BizStep.RECEIVING, BizStep.ACCEPTING):
        kind = step
        title = _("到达 %(place)s") % {"place": place} if place else _("到达转运中心")
    elif step == BizStep.TRANSPORTING:
        kind, title = step, _("运输中")
    elif step == BizStep.OUT_FOR_DELIVERY:
        kind, title = step, _("派送中")
        detail = _("快递员正在派送，请保持电话畅通")
    elif step == BizStep.STORING:
        kind = step
        title = _("在 %(place)s 暂存") % {"place": place} if place else _("暂存中")
    else:
        kind, title = step, str(_BIZ_STEP_LABELS.get(step, step))
    return TrackingStep(
        kind=kind, title=title, detail=detail, place=place, at=event.event_time, local_time=_local_time(event),
        recorder=event.organization.name, by_carrier=recorder_kind == OrganizationKind.LOGISTICS, tone=tone,
        proof=proof, coldchain=coldchain,
    )  # fmt: skip


# -- cold chain ------------------------------------------------------------------------------------------------------


def _legs(*, item_ids: list[int]) -> list[Leg]:
    """Cold-chain legs opened from an event naming one of the parcel's items, with arrivals filled in."""
    names_item = EventSubject.objects.filter(event=OuterRef("shipping_event_id"), item_id__in=item_ids)
    legs = list(
        Leg.objects.filter(Exists(names_item))
        .select_related("from_place", "to_place", "organization", "batch", "shipping_event")
        .prefetch_related("excursions", "reading_batches")
        .order_by("departed_at", "id")
    )
    by_batch: dict[int, list[Leg]] = defaultdict(list)
    for leg in legs:
        by_batch[leg.batch_id].append(leg)
    for batch_legs in by_batch.values():
        arrivals_fill(legs=batch_legs, batch=batch_legs[0].batch)
    return legs


def _cold_leg(leg: Leg) -> ColdLeg:
    span = Reading.objects.filter(leg=leg, temperature__isnull=False).aggregate(low=Min("temperature"),
                                                                                 high=Max("temperature"))
    profile = ColdChainProfile.objects.filter(product_id=leg.batch.product_id).first()
    excursions = list(leg.excursions.all())
    batches = sorted(leg.reading_batches.all(), key=lambda b: b.pk)
    proof = None
    if batches:
        proof = signed_record_proofs(READING_BATCH_RECORD, batches)[batches[-1].pk].as_dict()
    if excursions:
        state = "excursion"
    elif not leg.reading_count or span["low"] is None:
        state = "no_readings"
    elif profile is None:
        state = "unjudged"
    elif profile.temperature_min <= span["low"] and span["high"] <= profile.temperature_max:
        state = "ok"
    else:
        state = "tolerated"  # outside the range for less than the product's tolerance: no excursion
    return ColdLeg(
        leg_id=leg.pk,
        carrier=leg.organization.name,
        from_place=leg.from_place.name if leg.from_place else "",
        to_place=leg.to_place.name if leg.to_place else "",
        departed_at=leg.departed_at,
        arrived_at=leg.arrived_at,
        readings=leg.reading_count,
        low=None if span["low"] is None else span["low"] / 10,
        high=None if span["high"] is None else span["high"] / 10,
        range_low=None if profile is None else profile.temperature_min / 10,
        range_high=None if profile is None else profile.temperature_max / 10,
        excursions=len(excursions),
        state=state,
        proof=proof,
    )


def _excursion_steps(leg: Leg) -> list[TrackingStep]:
    steps = []
    batches = {b.pk: b for b in leg.reading_batches.all()}
    proofs = signed_record_proofs(READING_BATCH_RECORD, list(batches.values())) if batches else {}
    for excursion in leg.excursions.all():
        unit = "%" if excursion.kind == ExcursionKind.HUMID else "°C"
        detail = _("峰值 %(peak)s%(unit)s，限值 %(limit)s%(unit)s，持续 %(minutes)d 分钟") % {
            "peak": excursion.peak / 10, "limit": excursion.limit / 10, "unit": unit,
            "minutes": excursion.duration_minutes,
        }  # fmt: skip
        proof = proofs.get(excursion.reading_batch_id)
        steps.append(
            TrackingStep(
                kind="excursion",
                title=_("冷链温控：%(kind)s") % {"kind": _KIND_LABELS.get(excursion.kind, excursion.kind)},
                detail=detail, place=excursion.place_name, at=excursion.start, local_time="",
                recorder=leg.organization.name, by_carrier=True, tone="warn",
                proof=proof.as_dict() if proof is not None else None,
            )
        )
    return steps


# -- the delivery estimate -------------------------------------------------------------------------------------------


def promised_hours(*, shipment: Shipment) -> tuple[int, str, str]:
    """(hours, source, promise text): the shortest active promise of the parcel's products, else the category
    default (the shortest among its products), else the overall default."""
    product_ids = list(shipment.order.lines.values_list("product_id", flat=True))
    promise = Promise.objects.filter(product_id__in=product_ids, active=True).order_by("hours", "id").first()
    if promise is not None:
        return promise.hours, "promise", promise.text
    by_category = getattr(settings, "XINREN_DELIVERY_HOURS_BY_CATEGORY", DELIVERY_HOURS_BY_CATEGORY)
    categories = shipment.order.lines.values_list("product__category", flat=True)
    known = [by_category[c] for c in categories if c in by_category]
    if known:
        return min(known), "category", ""
    return getattr(settings, "XINREN_DELIVERY_HOURS_DEFAULT", DELIVERY_HOURS_DEFAULT), "default", ""


def delivery_estimate(*, shipment: Shipment, now: datetime | None = None) -> DeliveryEstimate:
    """The due time (ship time + promised hours) and, once delivered, whether the promise was kept."""
    now = now or clock.now()
    hours, source, text = promised_hours(shipment=shipment)
    due = shipment.shipped_at + timedelta(hours=hours)
    delivered_at = shipment.delivered_at
    taken = None
    late = 0
    if delivered_at is not None:
        taken = round((delivered_at - shipment.shipped_at).total_seconds() / 3600, 1)
        state = "on_time" if delivered_at <= due else "late"
        if state == "late":
            late = math.ceil((delivered_at - due).total_seconds() / 3600)
    elif now > due:
        state = "overdue"
        late = math.ceil((now - due).total_seconds() / 3600)
    else:
        state = "pending"
    return DeliveryEstimate(
        due=due, hours=hours, source=source, promise_text=text, delivered_at=delivered_at, state=state,
        late_hours=late, taken_hours=taken,
    )


def carrier_shipment_get(*, actor: Actor, shipment_id: int) -> Shipment:
    """A shipment the actor's organization carries (named on it); any other is not found."""
    shipment = Shipment.objects.filter(pk=shipment_id, carrier_organization=actor.organization).first()
    if shipment is None:
        raise NotFound(errors.SHIPMENT_NOT_FOUND, gettext_lazy("找不到该发货单"))
    return shipment

"""Does the evidence agree with a product's stated origin? The places of its harvest events, read before publishing.

A merchant signs "产地 云南省楚雄州南华县"; the product's EPCIS events say where it was harvested. When an event's
place is neither within `ORIGIN_RADIUS_KM` of the stated origin's coordinates nor named by an address under the
stated region, the merchant is warned before publishing (console and API), with what each event says. Harvest
events are the evidence; commissioning events stand in only for products without any (manufactured goods), since
items are usually commissioned where they are packed, not where they grew. Events declared erroneous, events
without a place, and places that cannot be compared (no coordinates, no address) are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from xinren.accounts.actors import Actor
from xinren.catalog.models import Product
from xinren.catalog.selectors import product_get

from .choices import BizStep
from .models import Place, TraceEvent

ORIGIN_RADIUS_KM = 50
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class OriginConflict:
    """One event whose place disagrees with the stated origin: what the event says."""

    event_id: str
    biz_step: str
    event_time: datetime
    place: str
    address: str
    distance_km: int | None  # from the stated origin, when both have coordinates

    def as_dict(self) -> dict[str, object]:
        return {"event_id": self.event_id, "biz_step": self.biz_step, "event_time": self.event_time.isoformat(),
                "place": self.place, "address": self.address, "distance_km": self.distance_km}


def _compact(text: str) -> str:
    return "".join(text.split())


def _distance_km(lat1: Decimal, lng1: Decimal, lat2: Decimal, lng2: Decimal) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _agrees(place: Place, *, region: str, spot: str, latitude: Decimal | None,
            longitude: Decimal | None) -> tuple[bool | None, float | None]:
    """Whether a place agrees with the origin (None: it cannot be compared), and its distance when known."""
    distance = None
    judged: list[bool] = []
    if None not in (latitude, longitude, place.latitude, place.longitude):
        distance = _distance_km(latitude, longitude, place.latitude, place.longitude)  # type: ignore[arg-type]
        judged.append(distance <= ORIGIN_RADIUS_KM)
    words = _compact(place.address) + "|" + _compact(place.name)
    if place.address:
        judged.append(bool(region and region in words) or bool(spot and spot in words))
    return (any(judged) if judged else None), distance


def origin_conflicts(
    *,
    product: Product,
    origin_region: str | None = None,
    origin_place: str | None = None,
    origin_latitude: Decimal | None = None,
    origin_longitude: Decimal | None = None,
) -> list[OriginConflict]:
    """The product's harvest (else commissioning) events whose place contradicts its origin, oldest first.

    The origin is the product's own unless given (a form checks what the merchant is about to save)."""
    region = _compact(product.origin_region if origin_region is None else origin_region)
    spot = _compact(product.origin_place if origin_place is None else origin_place)
    latitude = product.origin_latitude if origin_latitude is None else origin_latitude
    longitude = product.origin_longitude if origin_longitude is None else origin_longitude
    names_product = Q(subjects__product=product) | Q(subjects__batch__product=product) | Q(
        subjects__item__product=product)
    events = TraceEvent.objects.filter(names_product, is_error_declaration=False).distinct()
    # A declaration repeats its event's eventID (it need not name the product again).
    declared = TraceEvent.objects.filter(is_error_declaration=True, event_id__in=events.values("event_id")).values(
        "event_id")
    evidence = events.exclude(event_id__in=declared).filter(place__isnull=False).select_related("place")
    harvests = list(evidence.filter(biz_step=BizStep.HARVESTING).order_by("event_time", "id"))
    chosen = harvests or list(evidence.filter(biz_step=BizStep.COMMISSIONING).order_by("event_time", "id"))
    conflicts: list[OriginConflict] = []
    for event in chosen:
        place = event.place
        assert place is not None
        agrees, distance = _agrees(place, region=region, spot=spot, latitude=latitude, longitude=longitude)
        if agrees is False:
            conflicts.append(OriginConflict(
                event_id=event.event_id, biz_step=event.biz_step, event_time=event.event_time, place=place.name,
                address=place.address, distance_km=None if distance is None else round(distance),
            ))
    return conflicts


def product_origin_check(*, actor: Actor, product_id: int) -> tuple[Product, list[OriginConflict]]:
    """One of the actor's own products and the events that contradict its origin (what the console and the API
    show before publishing)."""
    product = product_get(actor=actor, product_id=product_id)
    return product, origin_conflicts(product=product)

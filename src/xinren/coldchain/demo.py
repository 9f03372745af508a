"""Demo cold chain: allowed ranges and promises per product, and the demo carrier's logger readings per leg.

Called by the demo loader after the lots, their shipping and receiving events and the partner grants exist. The
carrier opens a leg from each shipping event it recorded and posts a reading every 5 minutes from departure to
arrival through the same batch service the API uses. One lot of wild mushrooms warms up for 35 minutes in the
Kunming cold store. Promises are measured per item to its buyer (ADR 0036), from the deliveries the orders demo
recorded before this runs: of the newest boletus lot two items are kept and one is late.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from xinren.accounts.actors import Actor
from xinren.accounts.models import Membership, Organization
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.trace.choices import BizStep
from xinren.trace.models import Place, TraceEvent

from .models import ColdChainProfile, Leg
from .services import leg_open, profile_set, promise_set, readings_ingest

LOGISTICS_SLUG = "dianleng-logistics"
STEP = dt.timedelta(minutes=5)
# GTIN-13 -> (°C min, °C max, tolerance minutes) or None for no cold chain
PROFILES: dict[str, tuple[str, str, int] | None] = {
    "6975830100012": ("2", "6", 10),  # wild boletus, fresh: the shop ships at 2–6 °C
    "6975830100029": ("0", "4", 0),  # matsutake, fresh
    "6975830200019": None,  # tea travels at room temperature
    "6975830300016": ("0", "8", 15),  # flower cakes
}
# GTIN-13 -> (hours, text)
PROMISES = {
    "6975830100012": (48, "48小时从产地到餐桌"),
    "6975830100029": (24, "24小时预冷直达"),
    "6975830200019": (72, "72小时发货到家"),
    "6975830300016": (48, "48小时新鲜到手"),
}
# The lot pattern prefix of the lot that warms up at the hub, and where in its leg (minutes after departure).
WARM_LOT_PREFIX = "NH"
WARM_FROM, WARM_MINUTES = 140, 35
WARM_VALUES = (6.8, 8.1, 9.6, 10.7, 11.2, 9.3, 7.4)


def _owner(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=membership.role, user=membership.user)


def _temperature(minute: int, *, centre: float | None, warm_spell: bool) -> float:
    if warm_spell and WARM_FROM <= minute < WARM_FROM + WARM_MINUTES:
        return WARM_VALUES[(minute - WARM_FROM) // 5]
    if centre is None:  # no cold chain: the truck's room temperature
        return round(20.0 + 1.5 * math.sin(minute / 240), 1)
    return round(centre + 0.6 * math.sin(minute / 47) + 0.2 * math.sin(minute / 11), 1)


def _readings(
    leg: Leg, arrival: dt.datetime, *, centre: float | None, warm_spell: bool, hub: Place | None
) -> list[Any]:
    device = f"urn:epc:id:giai:6975830.{7000 + leg.pk}"
    readings = []
    at = leg.departed_at
    end = min(arrival, clock.now() - STEP)
    while at <= end:
        minute = int((at - leg.departed_at).total_seconds() // 60)
        reports: list[dict[str, Any]] = [
            {"type": "Temperature", "value": _temperature(minute, centre=centre, warm_spell=warm_spell), "uom": "CEL"},
            {"type": "RelativeHumidity", "value": round(88 + 3 * math.sin(minute / 90), 1), "uom": "P1"},
        ]
        # The logger reports its position while it is in the cold store, before the truck leaves.
        if hub is not None and hub.latitude is not None and minute < WARM_FROM + WARM_MINUTES + 30:
            reports += [
                {"component": "latitude", "value": float(hub.latitude), "uom": "DD"},
                {"component": "longitude", "value": float(hub.longitude or 0), "uom": "DD"},
            ]
        readings.append({"sensorMetadata": {"time": at.isoformat(), "deviceID": device}, "sensorReport": reports})
        at += STEP
    return readings


def demo_coldchain_load() -> None:
    """Profiles, promises, legs and readings for the demo world; does nothing when they exist."""
    products = {p.gtin[1:]: p for p in Product.objects.filter(gtin__in=["0" + gtin for gtin in PROMISES])}
    if not products or ColdChainProfile.objects.filter(product__in=products.values()).exists():
        return
    for gtin, product in products.items():
        merchant = _owner(product.merchant)
        if (profile := PROFILES.get(gtin)) is not None:
            low, high, tolerance = profile
            profile_set(
                actor=merchant, product_id=product.pk, temperature_min=low, temperature_max=high,
                tolerance_minutes=tolerance,
            )  # fmt: skip
        hours, text = PROMISES[gtin]
        promise_set(actor=merchant, product_id=product.pk, hours=hours, text=text)
    carrier_org = Organization.objects.filter(slug=LOGISTICS_SLUG).first()
    if carrier_org is None:
        return
    carrier = _owner(carrier_org)
    shipments = TraceEvent.objects.filter(
        organization=carrier_org, biz_step=BizStep.SHIPPING, is_error_declaration=False
    ).select_related("place")
    for shipping in shipments.order_by("event_time", "id"):
        for leg in leg_open(actor=carrier, shipping_event_id=shipping.event_id):
            arrival = (
                TraceEvent.objects.filter(
                    subjects__batch=leg.batch, biz_step=BizStep.RECEIVING, event_time__gte=leg.departed_at
                )
                .order_by("event_time")
                .values_list("event_time", flat=True)
                .first()
            )
            profile = PROFILES.get(leg.batch.product.gtin[1:])
            readings = _readings(
                leg, arrival or clock.now(), centre=(float(profile[0]) + float(profile[1])) / 2 if profile else None,
                warm_spell=leg.batch.lot.startswith(WARM_LOT_PREFIX) and leg.batch.production_date
                < clock.now().date() - dt.timedelta(days=5),
                hub=shipping.place,
            )  # fmt: skip
            if not readings:
                continue
            # The logger uploads the second half first (it was in range of the network then), then the rest.
            half = len(readings) // 2
            for part in (readings[half:], readings[:half]):
                if part:
                    readings_ingest(actor=carrier, leg_id=leg.pk, readings=part)

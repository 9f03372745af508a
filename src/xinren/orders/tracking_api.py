"""API routes of parcel tracking: the carrier of a shipment posts updates and reads the parcel's timeline.

Authenticated like every organization route (API key or session); only the logistics organization named on the
shipment may post or read here — for anyone else the shipment does not exist (docs/tracking.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS

from . import services
from .choices import CarrierUpdateStatus
from .tracking import ParcelTracking, TrackingStep, carrier_shipment_get, parcel_tracking

router = Router(tags=["tracking"])


class CarrierUpdateIn(Schema):
    update_id: str = Field(description="the carrier's own id of this update: resending it changes nothing",
                           examples=["DL-20261206-0001"])
    status: CarrierUpdateStatus = Field(description="departed, arrived, in_transit, out_for_delivery or delivered")
    time: datetime = Field(description="when it happened, ISO 8601 with its offset", examples=[
        "2026-12-06T14:05:00+08:00"])
    place_id: int | None = Field(default=None, description="one of the carrier's places (GET /places); none for "
                                                           "delivered")


class ProofOut(Schema):
    state: str
    leaf_hash: str
    log_index: int | None
    signer: str
    bundle: str | None


class TrackingStepOut(Schema):
    kind: str
    title: str
    detail: str
    place: str
    time: datetime
    recorder: str
    by_carrier: bool
    proof: ProofOut | None


class DeliveryEstimateOut(Schema):
    due: datetime
    hours: int
    source: str
    state: str
    late_hours: int
    summary: str


class TrackingOut(Schema):
    shipment_id: int
    tracking_number: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None
    estimate: DeliveryEstimateOut
    coldchain_state: str
    steps: list[TrackingStepOut]


class CarrierUpdateOut(Schema):
    event_id: str
    created: bool
    tracking: TrackingOut


def _step(step: TrackingStep) -> dict[str, Any]:
    return {
        "kind": step.kind, "title": step.title, "detail": step.detail, "place": step.place, "time": step.at,
        "recorder": step.recorder, "by_carrier": step.by_carrier, "proof": step.proof,
    }  # fmt: skip


def tracking_dict(tracking: ParcelTracking) -> dict[str, Any]:
    """A parcel's tracking as the API shows it (newest step first)."""
    shipment, estimate = tracking.shipment, tracking.estimate
    return {
        "shipment_id": shipment.pk,
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "estimate": {
            "due": estimate.due, "hours": estimate.hours, "source": estimate.source, "state": estimate.state,
            "late_hours": estimate.late_hours, "summary": estimate.summary,
        },
        "coldchain_state": tracking.coldchain_state,
        "steps": [_step(step) for step in tracking.steps],
    }


@router.post(
    "/shipments/{shipment_id}/updates", response={200: CarrierUpdateOut, 201: CarrierUpdateOut, **ERRORS},
    summary="The shipment's carrier reports where the parcel is (signed as an EPCIS event)",
)
def shipment_update_post(request: HttpRequest, shipment_id: int, payload: CarrierUpdateIn) -> Any:
    actor = actor_of(request)
    update = services.shipment_update_post(
        actor=actor, shipment_id=shipment_id, update_id=payload.update_id, status=payload.status, at=payload.time,
        place_id=payload.place_id,
    )
    body = {"event_id": update.event.event_id, "created": update.created,
            "tracking": tracking_dict(parcel_tracking(shipment=update.shipment))}
    return Status(201 if update.created else 200, body)


@router.get(
    "/shipments/{shipment_id}/tracking", response={200: TrackingOut, **ERRORS}, summary="The parcel's timeline"
)
def shipment_tracking(request: HttpRequest, shipment_id: int) -> Any:
    shipment = carrier_shipment_get(actor=actor_of(request), shipment_id=shipment_id)
    return tracking_dict(parcel_tracking(shipment=shipment))

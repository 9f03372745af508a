"""Cold chain: the partner API router (mounted in xinren.api.api).

Logistics organizations open legs from shipping events and post readings in batches; merchants set a product's
allowed range and promises. Everything is scoped to the caller's organization.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.accounts.choices import OrganizationKind
from xinren.core.errors import DomainError, InvalidInput, NotFound
from xinren.core.http import json_loads_bounded
from xinren.core.schemas import ERRORS, ErrorOut
from xinren.trace.models import TraceEvent

from . import errors, selectors, services
from .models import Leg, Promise
from .readings import MAX_READINGS

router = Router(tags=["coldchain"])

_READINGS_BODY = {
    "required": True,
    "description": f'{{"readings": [sensorElement, …]}} with at most {MAX_READINGS} EPCIS 2.0 sensor elements: '
    '`sensorMetadata` {time, deviceID}, `sensorReport` [{type: "Temperature", value, uom: "CEL"}, '
    '{type: "RelativeHumidity", value, uom: "P1"}, {component: "latitude"|"longitude", value, uom: "DD"}]',
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["readings"],
                "properties": {"readings": {"type": "array", "maxItems": MAX_READINGS, "items": {"type": "object"}}},
            },
            "example": {
                "readings": [
                    {
                        "sensorMetadata": {"time": "2026-07-01T14:20:00+08:00", "deviceID": "urn:epc:id:giai:4001.1"},
                        "sensorReport": [
                            {"type": "Temperature", "value": 4.2, "uom": "CEL"},
                            {"type": "RelativeHumidity", "value": 88.0, "uom": "P1"},
                        ],
                    }
                ]
            },
        }
    },
}


class LegOut(Schema):
    id: int
    gtin: str
    lot: str
    shipping_event_id: str
    departed_at: datetime
    arrived_at: datetime | None
    from_place: str | None
    to_place: str | None
    device_ids: list[str]
    reading_count: int

    @staticmethod
    def resolve_gtin(obj: Leg) -> str:
        return obj.batch.product.gtin

    @staticmethod
    def resolve_lot(obj: Leg) -> str:
        return obj.batch.lot

    @staticmethod
    def resolve_shipping_event_id(obj: Leg) -> str:
        return obj.shipping_event.event_id

    @staticmethod
    def resolve_from_place(obj: Leg) -> str | None:
        return obj.from_place.name if obj.from_place is not None else None

    @staticmethod
    def resolve_to_place(obj: Leg) -> str | None:
        return obj.to_place.name if obj.to_place is not None else None


class ShippingEventOut(Schema):
    shipping_event_id: str
    event_time: datetime
    recorded_by: str
    place: str | None

    @staticmethod
    def resolve_shipping_event_id(obj: TraceEvent) -> str:
        return obj.event_id

    @staticmethod
    def resolve_recorded_by(obj: TraceEvent) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_place(obj: TraceEvent) -> str | None:
        return obj.place.name if obj.place is not None else None


class LegOpenIn(Schema):
    shipping_event_id: str = Field(description="the EPCIS eventID of the shipping event that starts the leg")


class ExcursionOut(Schema):
    id: int
    leg_id: int
    device_id: str
    kind: str
    kind_label: str
    start: datetime
    end: datetime
    duration_minutes: int
    peak: float
    limit: float
    still_open: bool
    place_name: str
    latitude: float | None
    longitude: float | None
    leaf_hash: str = Field(description="leaf hash of the reading-batch statement holding its first reading")


class IngestOut(Schema):
    leg_id: int
    received: int
    stored: int
    duplicates: int
    sha256: str | None
    leaf_hash: str | None
    excursions: list[ExcursionOut]


class ProfileIn(Schema):
    temperature_min: Decimal = Field(examples=["0.0"], description="°C, at most one decimal")
    temperature_max: Decimal = Field(examples=["4.0"])
    humidity_min: Decimal | None = Field(None, description="relative humidity %, with humidity_max")
    humidity_max: Decimal | None = None
    tolerance_minutes: int = Field(0, ge=0, le=1440)


class ProfileOut(Schema):
    product_id: int
    temperature_min: float
    temperature_max: float
    humidity_min: float | None
    humidity_max: float | None
    tolerance_minutes: int
    version: int
    leaf_hash: str


class PromiseIn(Schema):
    hours: int = Field(examples=[48])
    text: str = Field("", examples=["48小时从产地到餐桌"])
    active: bool = True


class PromiseOut(Schema):
    id: int
    product_id: int
    kind: str
    hours: int
    text: str
    active: bool
    leaf_hash: str

    @staticmethod
    def resolve_leaf_hash(obj: Promise) -> str:
        return obj.ledger_leaf_hash


def _readings_body(request: HttpRequest) -> list[Any]:
    try:
        body = json_loads_bounded(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError("request.malformed", _("无法解析请求内容，请发送有效的 JSON"), status=400) from exc
    if not isinstance(body, dict) or not isinstance(body.get("readings"), list):
        raise InvalidInput(
            errors.READINGS_EMPTY, _('请求体应为 {"readings": [ … ]}，其中是 EPCIS 传感器元素'),
            details={"field": "readings"},
        )  # fmt: skip
    return body["readings"]


def _leg_visible(request: HttpRequest, leg_id: int) -> Leg:
    actor = actor_of(request)
    leg = (
        Leg.objects.filter(selectors.legs_in_scope(actor=actor), pk=leg_id)
        .select_related("batch__product", "shipping_event", "from_place", "to_place")
        .first()
    )
    if leg is None:
        raise NotFound(errors.LEG_NOT_FOUND, _("找不到该运输段"), details={"leg_id": leg_id})
    return leg


@router.get("/coldchain/legs", response={200: list[LegOut], **ERRORS}, summary="The legs your logistics firm opened")
def leg_list(request: HttpRequest) -> Any:
    return selectors.leg_list(actor=actor_of(request))[:500]


@router.get(
    "/coldchain/shipments",
    response={200: list[ShippingEventOut], **ERRORS},
    summary="Shipping events your logistics firm may open legs from (its own, or granting merchants'), not opened yet",
)
def coldchain_shipment_list(request: HttpRequest) -> Any:
    actor = actor_of(request)
    actor.require(kinds=[OrganizationKind.LOGISTICS])
    return selectors.shipments_to_open(actor=actor)


@router.post(
    "/coldchain/legs",
    response={201: list[LegOut], **ERRORS},
    summary="Open the legs a shipping event starts (one per lot); idempotent",
)
def leg_open(request: HttpRequest, payload: LegOpenIn) -> Any:
    legs = services.leg_open(actor=actor_of(request), shipping_event_id=payload.shipping_event_id)
    return Status(201, Leg.objects.filter(pk__in=[leg.pk for leg in legs]).select_related(
        "batch__product", "shipping_event", "from_place", "to_place"
    ))  # fmt: skip


@router.get("/coldchain/legs/{leg_id}", response={200: LegOut, **ERRORS}, summary="One leg")
def leg_get(request: HttpRequest, leg_id: int) -> Any:
    return _leg_visible(request, leg_id)


@router.post(
    "/coldchain/legs/{leg_id}/readings",
    response={201: IngestOut, 200: IngestOut, **ERRORS, 413: ErrorOut},
    summary=f"Post up to {MAX_READINGS} sensor readings of a leg (all or nothing; a re-sent batch is idempotent)",
    openapi_extra={"requestBody": _READINGS_BODY},
)
def readings_post(request: HttpRequest, leg_id: int) -> Any:
    result = services.readings_ingest(actor=actor_of(request), leg_id=leg_id, readings=_readings_body(request))
    return Status(201 if result.stored else 200, result)


@router.get(
    "/coldchain/legs/{leg_id}/excursions", response={200: list[ExcursionOut], **ERRORS}, summary="A leg's excursions"
)
def excursion_list(request: HttpRequest, leg_id: int) -> Any:
    return selectors.excursions_for_leg(leg=_leg_visible(request, leg_id))


@router.put(
    "/coldchain/products/{product_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="Set the product's allowed temperature (and humidity) range; versioned and signed",
)
def profile_set(request: HttpRequest, product_id: int, payload: ProfileIn) -> Any:
    profile = services.profile_set(actor=actor_of(request), product_id=product_id, **payload.model_dump())
    return {"product_id": profile.product_id, **selectors.profile_dict(profile)}


@router.put(
    "/coldchain/products/{product_id}/promise",
    response={200: PromiseOut, **ERRORS},
    summary="Make, change or withdraw the product's origin-to-table promise (hours); signed",
)
def promise_set(request: HttpRequest, product_id: int, payload: PromiseIn) -> Any:
    return services.promise_set(actor=actor_of(request), product_id=product_id, **payload.model_dump())

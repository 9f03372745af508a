"""API routes of the trace context: EPCIS 2.0 capture and export, simple event recording, places."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from xinren.accounts.authentication import actor_of
from xinren.catalog.gs1 import gtin_normalize
from xinren.core.errors import DomainError, InvalidInput
from xinren.core.http import json_loads_bounded
from xinren.core.schemas import ERRORS, ErrorOut

from . import errors, selectors, services
from .choices import Action, EventType
from .epcis.vocabulary import CBV_BASE
from .models import Place, TraceEvent
from .origin import product_origin_check

router = Router(tags=["trace"])

EPCIS_MEDIA_TYPES = ("application/json", "application/ld+json")
MAX_EXPORT_EVENTS = 1000

_EPCIS_BODY = {
    "required": True,
    "description": "An EPCISDocument, or a single EPCIS 2.0 event, in EPCIS 2.0 JSON(-LD).",
    "content": {media_type: {"schema": {"type": "object"}} for media_type in EPCIS_MEDIA_TYPES},
}
_EPCIS_RESPONSE = {
    "content": {media_type: {"schema": {"type": "object"}} for media_type in EPCIS_MEDIA_TYPES},
}


def _epcis_json(request: HttpRequest, data: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """EPCIS JSON, labelled as JSON-LD when the client asks for it."""
    media_type = "application/ld+json" if "application/ld+json" in request.headers.get("Accept", "") else None
    return JsonResponse(
        data,
        status=status,
        content_type=media_type or "application/json",
        json_dumps_params={"ensure_ascii": False},
    )


def _epcis_body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type not in EPCIS_MEDIA_TYPES:
        raise DomainError(
            "request.media_type",
            _("请以 application/json 或 application/ld+json 提交 EPCIS 文档"),
            details={"content_type": request.content_type, "accepted": list(EPCIS_MEDIA_TYPES)},
            status=415,
        )
    try:
        document = json_loads_bounded(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError("request.malformed", _("无法解析请求内容，请发送有效的 JSON"), status=400) from exc
    if not isinstance(document, dict):
        raise InvalidInput(errors.DOCUMENT_INVALID, _("EPCIS 文档必须是 JSON 对象"))
    return document


class CaptureOut(Schema):
    event_ids: list[str]


class SensorReadingIn(Schema):
    type: str = Field(examples=["Temperature"])
    # A measurement, not money: EPCIS carries it as a JSON number.
    value: float = Field(examples=[4.2])
    uom: str = Field("", examples=["CEL"])
    time: AwareDatetime | None = None


class EventIn(Schema):
    """A trace event in a simple form; it is stored and exported as an EPCIS 2.0 event."""

    event_type: EventType = EventType.OBJECT
    biz_step: str = Field(examples=["shipping"], description="CBV short name or a CBV/custom URI")
    event_time: AwareDatetime = Field(description="with its UTC offset, e.g. 2026-07-01T08:30:00+08:00")
    identifiers: list[str] = Field(
        examples=[["https://id.example.cn/01/06901234567892/10/L20260701/21/ABC123"]],
        description="Digital Link URIs or paths, or EPC URNs; objects, children or inputs by event type",
    )
    action: Action = Action.OBSERVE
    disposition: str = ""
    place_id: int | None = None
    read_point: str = ""
    quantity: Decimal | None = Field(None, description="for lot-level identifiers, with uom")
    uom: str = Field("", examples=["KGM"])
    parent: str = ""
    outputs: list[str] = Field(default_factory=list)
    sensor_readings: list[SensorReadingIn] = Field(default_factory=list)


class EventFilterIn(Schema):
    since: AwareDatetime | None = Field(None, description="eventTime ≥ since")
    until: AwareDatetime | None = Field(None, description="eventTime < until")
    biz_step: str | None = None
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    limit: int = Field(100, ge=1, le=MAX_EXPORT_EVENTS)


class PlaceOut(Schema):
    id: int
    name: str
    gln: str
    address: str
    # Decimal degrees as strings, never floats.
    latitude: str | None
    longitude: str | None
    uri: str

    @staticmethod
    def resolve_latitude(obj: Place) -> str | None:
        return None if obj.latitude is None else str(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Place) -> str | None:
        return None if obj.longitude is None else str(obj.longitude)


class PlaceIn(Schema):
    name: str = Field(max_length=128)
    gln: str = Field("", max_length=13)
    address: str = Field("", max_length=256)
    latitude: Decimal | None = Field(None, examples=["25.040000"])
    longitude: Decimal | None = Field(None, examples=["102.710000"])


class ExternalPrefixIn(Schema):
    company_prefix: str = Field(max_length=12, examples=["0614141"], description="GS1 Company Prefix, 6–12 digits")
    note: str = Field("", max_length=255)


class ExternalPrefixOut(Schema):
    company_prefix: str
    note: str


def _events_filtered(events: QuerySet[TraceEvent], filters: EventFilterIn) -> QuerySet[TraceEvent]:
    if filters.since is not None:
        events = events.filter(event_time__gte=filters.since)
    if filters.until is not None:
        events = events.filter(event_time__lt=filters.until)
    if filters.biz_step:
        # Stored as the CBV URI or the short name, depending on how the event arrived.
        step = filters.biz_step.rsplit("BizStep-", 1)[-1].rsplit(":", 1)[-1]
        events = events.filter(
            biz_step__in={filters.biz_step, step, f"{CBV_BASE}BizStep-{step}", f"urn:epcglobal:cbv:bizstep:{step}"}
        )
    # One Q, so that the GTIN, lot and serial conditions hold for the same identifier of the event.
    subject = Q()
    if filters.gtin:
        subject &= Q(subjects__gtin=gtin_normalize(filters.gtin))
    if filters.lot:
        subject &= Q(subjects__lot=filters.lot) | Q(subjects__batch__lot=filters.lot)
    if filters.serial:
        subject &= Q(subjects__serial=filters.serial)
    if subject:
        events = events.filter(subject)
    return events.distinct().order_by("event_time", "id")


@router.post(
    "/epcis/capture",
    response={201: CaptureOut, **ERRORS, 413: ErrorOut, 415: ErrorOut},
    summary="Capture an EPCIS 2.0 document (all or nothing)",
    openapi_extra={"requestBody": _EPCIS_BODY},
)
def epcis_capture(request: HttpRequest) -> Any:
    recorded = services.epcis_capture(actor=actor_of(request), document=_epcis_body(request))
    return Status(201, {"event_ids": [event.event_id for event in recorded]})


class SignedCaptureIn(Schema):
    envelopes: list[str] = Field(
        ...,
        min_length=1,
        max_length=1000,
        description="DSSE envelopes as JSON text, exactly as signed; each payload is a `trace.event` statement "
        "whose `event` is one EPCIS 2.0 event. Stored byte for byte in the transparency log.",
    )


@router.post(
    "/epcis/signed",
    response={201: CaptureOut, **ERRORS},
    summary="Capture events your organization signed with its own registered key (all or nothing)",
)
def epcis_capture_signed(request: HttpRequest, payload: SignedCaptureIn) -> Any:
    envelopes = [envelope.encode("utf-8") for envelope in payload.envelopes]
    recorded = services.epcis_capture_signed(actor=actor_of(request), envelopes=envelopes)
    return Status(201, {"event_ids": [event.event_id for event in recorded]})


@router.post(
    "/events",
    response={201: dict[str, Any], **ERRORS},
    summary="Record one event from a simple form; answers with the EPCIS 2.0 event",
    openapi_extra={"responses": {201: _EPCIS_RESPONSE}},
)
def event_record(request: HttpRequest, payload: EventIn) -> HttpResponse:
    fields = payload.model_dump(exclude={"event_type", "action", "sensor_readings"})
    event = services.event_record(
        actor=actor_of(request),
        event_type=str(payload.event_type.value),
        action=str(payload.action.value),
        sensor_readings=[reading.model_dump() for reading in payload.sensor_readings],
        **fields,
    )
    return _epcis_json(request, event.document, status=201)


@router.get(
    "/events",
    response={200: dict[str, Any], **ERRORS},
    summary="Export the caller's events as an EPCIS 2.0 EPCISDocument",
    openapi_extra={"responses": {200: _EPCIS_RESPONSE}},
)
def event_export(request: HttpRequest, filters: Query[EventFilterIn]) -> HttpResponse:
    events = _events_filtered(selectors.event_list(actor=actor_of(request)), filters)
    return _epcis_json(request, selectors.epcis_document(events=events[: filters.limit]))


@router.get(
    "/events/{path:event_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="One event as EPCIS 2.0 JSON",
    openapi_extra={"responses": {200: _EPCIS_RESPONSE}},
)
def event_get(request: HttpRequest, event_id: str) -> HttpResponse:
    event = selectors.event_get(actor=actor_of(request), event_id=event_id)
    return _epcis_json(request, event.document)


@router.get("/places", response={200: list[PlaceOut], **ERRORS}, summary="The caller's places")
def place_list(request: HttpRequest) -> Any:
    return selectors.place_list(actor=actor_of(request))


@router.post("/places", response={201: PlaceOut, **ERRORS}, summary="Add a place (farm, warehouse, lab…)")
def place_create(request: HttpRequest, payload: PlaceIn) -> Any:
    place = services.place_create(actor=actor_of(request), **payload.model_dump())
    return Status(201, place)


@router.post(
    "/external-prefixes",
    response={201: ExternalPrefixOut, **ERRORS},
    summary="Declare a GS1 Company Prefix external: events may name its trade items, marked 外部标识 (ADR 0015)",
)
def external_prefix_declare(request: HttpRequest, payload: ExternalPrefixIn) -> Any:
    declared = services.external_prefix_declare(actor=actor_of(request), **payload.model_dump())
    return Status(201, declared)


class OriginConflictOut(Schema):
    event_id: str
    biz_step: str
    event_time: AwareDatetime
    place: str
    address: str
    distance_km: int | None = Field(description="from the stated origin, when both have coordinates")


class OriginCheckOut(Schema):
    product_id: int
    origin_region: str
    origin_place: str
    conflicts: list[OriginConflictOut]


@router.get(
    "/products/{product_id}/origin-check",
    response={200: OriginCheckOut, **ERRORS},
    summary="Harvest events whose place contradicts the product's stated origin (check before publishing)",
)
def product_origin_check_get(request: HttpRequest, product_id: int) -> Any:
    product, conflicts = product_origin_check(actor=actor_of(request), product_id=product_id)
    return {"product_id": product.pk, "origin_region": product.origin_region, "origin_place": product.origin_place,
            "conflicts": [conflict.as_dict() for conflict in conflicts]}

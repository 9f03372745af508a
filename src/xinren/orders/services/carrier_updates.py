"""Carrier updates (物流动态): the logistics organization named on a shipment reports where the parcel is.

An update is recorded as an EPCIS event naming the parcel's items and signed by the carrier's key, through the
same capture path as every other event (trace.services), so the parcel timeline is verifiable like the scan page
and the items' own pages show the journey too; no second kind of statement (docs/tracking.md, ADR "carrier
updates are EPCIS events"). The carrier's update id becomes the event's eventID (a name-based UUID of the carrier,
the shipment and the id), so a resent update is recognised and changes nothing. A "delivered" update confirms the
delivery as `/shipments/{id}/deliver` does, at the time the carrier reports.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.core import plausible
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.orders import errors
from xinren.orders.choices import CarrierUpdateStatus, ShipmentStatus
from xinren.orders.models import Order, Shipment
from xinren.trace.choices import BizStep, Disposition, EventType
from xinren.trace.models import Place, TraceEvent
from xinren.trace.services import event_record

from .shipping import shipment_deliver_by_partner

_UPDATE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
# The namespace of the eventIDs of carrier updates: uuid5(namespace, "<carrier>/<shipment>/<update id>").
UPDATE_NAMESPACE = uuid.UUID("5f0c8e6a-2d4b-5c1e-9a7f-3b8d6e4c2a10")
BIZ_STEPS = {
    CarrierUpdateStatus.DEPARTED: BizStep.DEPARTING,
    CarrierUpdateStatus.ARRIVED: BizStep.ARRIVING,
    CarrierUpdateStatus.IN_TRANSIT: BizStep.TRANSPORTING,
    CarrierUpdateStatus.OUT_FOR_DELIVERY: BizStep.OUT_FOR_DELIVERY,
    CarrierUpdateStatus.DELIVERED: BizStep.RECEIVING,
}


@dataclass(frozen=True)
class CarrierUpdate:
    """The event an update was recorded as, and whether this call recorded it (False: a resent update)."""

    shipment: Shipment
    event: TraceEvent
    created: bool


def update_event_id(*, carrier_id: int, shipment_id: int, update_id: str) -> str:
    """The eventID a carrier's update is recorded under."""
    return f"urn:uuid:{uuid.uuid5(UPDATE_NAMESPACE, f'{carrier_id}/{shipment_id}/{update_id}')}"


@transaction.atomic
def shipment_update_post(
    *,
    actor: Actor,
    shipment_id: int,
    update_id: str,
    status: str,
    at: datetime,
    place_id: int | None = None,
) -> CarrierUpdate:
    """The carrier of a shipment reports a step of the parcel's journey; recorded once per update id."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LOGISTICS])
    update_id = update_id.strip()
    if not _UPDATE_ID.match(update_id):
        raise InvalidInput(
            errors.TRACKING_UPDATE_INVALID, _("更新编号应为 1–64 位字母、数字或 . _ : -"),
            details={"field": "update_id"},
        )  # fmt: skip
    if status not in CarrierUpdateStatus.values:
        raise InvalidInput(
            errors.TRACKING_UPDATE_INVALID, _("未知的物流状态"),
            details={"field": "status", "allowed": list(CarrierUpdateStatus.values)},
        )  # fmt: skip
    if at.utcoffset() is None:
        raise InvalidInput(errors.TRACKING_UPDATE_INVALID, _("时间必须带时区"), details={"field": "time"})
    # Only the carrier named on the shipment; any other caller is told it does not exist.
    order_id = (
        Shipment.objects.filter(pk=shipment_id, carrier_organization=actor.organization)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise NotFound(errors.SHIPMENT_NOT_FOUND, _("找不到该发货单"))
    Order.objects.select_for_update().get(pk=order_id)  # the lock order of every delivery: order, then shipment
    shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
    event_id = update_event_id(carrier_id=actor.organization.pk, shipment_id=shipment.pk, update_id=update_id)
    recorded = TraceEvent.objects.filter(event_id=event_id, is_error_declaration=False).first()
    if recorded is not None:
        return _resent(actor=actor, shipment=shipment, recorded=recorded, status=status, at=at, place_id=place_id)
    place = None
    if place_id is not None:
        place = Place.objects.filter(pk=place_id, organization=actor.organization).first()
        if place is None:
            raise NotFound(errors.TRACKING_UPDATE_INVALID, _("找不到该地点"), details={"field": "place_id"})
    plausible.time_check(at, details={"field": "time"})
    if at < shipment.shipped_at:
        raise InvalidInput(
            errors.TRACKING_UPDATE_BEFORE_SHIPMENT, _("物流动态的时间不能早于发货时间"),
            details={"field": "time", "time": at.isoformat(), "shipped_at": shipment.shipped_at.isoformat()},
        )  # fmt: skip
    if shipment.status == ShipmentStatus.DELIVERED:
        raise Conflict(
            errors.TRACKING_UPDATE_AFTER_DELIVERY, _("包裹已签收，不能再上报物流动态"),
            details={"field": "status", "delivered_at": shipment.delivered_at.isoformat()
                     if shipment.delivered_at else None},
        )  # fmt: skip
    if status == CarrierUpdateStatus.DELIVERED:
        if place is not None:
            raise InvalidInput(
                errors.TRACKING_UPDATE_INVALID, _("签收动态不记录地点（收货地址不进入日志）"),
                details={"field": "place_id"},
            )  # fmt: skip
        shipment = shipment_deliver_by_partner(actor=actor, shipment_id=shipment.pk, at=at, event_id=event_id)
        event = TraceEvent.objects.get(event_id=event_id, is_error_declaration=False)
    else:
        identifiers = [row.item.digital_link.path for row in shipment.items.select_related("item__product",
                                                                                             "item__batch")]
        event = event_record(
            actor=actor, event_type=EventType.OBJECT, biz_step=BIZ_STEPS[CarrierUpdateStatus(status)], event_time=at,
            identifiers=identifiers, action="OBSERVE", disposition=Disposition.IN_TRANSIT, place_id=place_id,
            event_id=event_id,
        )
    audit_record(
        actor=actor.user, organization=actor.organization, action="shipment.carrier_update", target=shipment,
        data={"update_id": update_id, "status": status, "event_id": event_id},
    )
    return CarrierUpdate(shipment=shipment, event=event, created=True)


def _resent(
    *, actor: Actor, shipment: Shipment, recorded: TraceEvent, status: str, at: datetime, place_id: int | None
) -> CarrierUpdate:
    """A resent update is answered with what was recorded; the same id with other facts is refused."""
    same = (
        recorded.organization_id == actor.organization.pk
        and recorded.biz_step == BIZ_STEPS[CarrierUpdateStatus(status)]
        and recorded.event_time == at
        and recorded.place_id == place_id
    )
    if not same:
        raise Conflict(
            errors.TRACKING_UPDATE_ID_REUSED, _("该更新编号已用于另一条物流动态"),
            details={"field": "update_id", "event_id": recorded.event_id},
        )  # fmt: skip
    return CarrierUpdate(shipment=shipment, event=recorded, created=False)

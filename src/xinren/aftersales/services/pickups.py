"""Return pickups (上门取件): once the merchant agreed to a return or exchange, the consumer books a courier of a
logistics organization for one of their saved addresses and a time window; the courier's "已揽收" records an EPCIS
event on the returned items and moves the request exactly as the consumer's own shipping does (`return_hand_off`).

Which logistics organization (documented in docs/returns.md): the outbound shipment's carrier organization when it is
on the platform, active, and still granted by the merchant; otherwise the merchant's earliest-granted active
logistics partner; with none, no pickup is offered and the consumer ships the parcel themselves.

Lock order: Order → OrderLine → AfterSaleRequest → ReturnPickup → Payment → Refund.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.catalog.grants import grants_in_force
from xinren.catalog.shelf_life import local_date
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.orders.models import Address, Shipment, ShipmentItem
from xinren.trace.choices import BizStep, EventType
from xinren.trace.models import TraceEvent
from xinren.trace.services import event_record

from .. import errors
from ..choices import PICKUP_TRANSITIONS, RETURN_KINDS, FeeBearer, PickupStatus, Status
from ..models import AfterSaleRequest, ProgrammeMembership, ReturnPickup
from ..programmes.choices import ProgrammeStatus
from .moves import locked, payout_finish
from .returns import return_hand_off

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Two-hour windows (Beijing time) on today and the next two days, starting at least an hour from now.
PICKUP_SLOTS = ((9, 11), (11, 13), (14, 16), (16, 18), (18, 20))
PICKUP_DAYS = 3
PICKUP_LEAD = timedelta(hours=1)
# A programme promise with this id offers free pickup: the programme bears the courier fee.
FREE_PICKUP_PROMISE = "free_pickup"
# CBV: the courier takes possession of the parcel (accepting), goods coming back (returned). The cold chain takes
# no event with the "returned" disposition for a delivery or the end of a leg (coldchain/status.py).
HAND_OFF_STEP = BizStep.ACCEPTING
RETURNED = "returned"


@dataclass(frozen=True)
class PickupWindow:
    start: datetime
    end: datetime

    @property
    def value(self) -> str:
        return self.start.isoformat()


def pickup_windows(*, now: datetime | None = None) -> list[PickupWindow]:
    """The windows a consumer may book now."""
    now = now or clock.now()
    today = local_date(now)
    windows = []
    for offset in range(PICKUP_DAYS):
        day = today + timedelta(days=offset)
        for start_hour, end_hour in PICKUP_SLOTS:
            start = datetime.combine(day, time(start_hour), tzinfo=SHANGHAI)
            if start >= now + PICKUP_LEAD:
                windows.append(PickupWindow(start, datetime.combine(day, time(end_hour), tzinfo=SHANGHAI)))
    return windows


def _window(start: datetime | None, now: datetime) -> PickupWindow:
    if start is not None and timezone.is_naive(start):
        start = start.replace(tzinfo=SHANGHAI)
    found = next((window for window in pickup_windows(now=now) if start is not None and window.start == start), None)
    if found is None:
        raise InvalidInput(errors.PICKUP_WINDOW_INVALID, _("请选择未来 3 天内可预约的取件时段"),
                           details={"field": "window_start"})
    return found


def pickup_logistics(request: AfterSaleRequest) -> Organization | None:
    """The logistics organization that would collect this return (module doc), or None."""
    granted = Organization.objects.filter(
        kind=OrganizationKind.LOGISTICS, status=OrganizationStatus.ACTIVE,
        pk__in=grants_in_force().filter(owner_id=request.merchant_id).values("partner_id"),
    )
    carrier_id = Shipment.objects.filter(order_id=request.order_id).values_list(
        "carrier_organization_id", flat=True).first()
    if carrier_id is not None:
        carrier = granted.filter(pk=carrier_id).first()
        if carrier is not None:
            return carrier
    first = grants_in_force().filter(owner_id=request.merchant_id, partner__in=granted).order_by(
        "created_at", "id").first()
    return first.partner if first is not None else None


def pickup_fee_bearer(request: AfterSaleRequest) -> tuple[str, str]:
    """Who pays the courier, and the programme's slug when a programme does (docs/returns.md)."""
    if request.recall_id is not None:  # a recall's return is at the merchant's cost
        return FeeBearer.MERCHANT, ""
    category = request.line.product.category
    memberships = ProgrammeMembership.objects.filter(
        merchant_id=request.merchant_id, left_at__isnull=True, programme__status=ProgrammeStatus.ACTIVE,
    ).select_related("programme").order_by("programme__slug")
    for membership in memberships:
        programme = membership.programme
        if programme.categories and category not in programme.categories:
            continue
        if any(isinstance(p, dict) and p.get("id") == FREE_PICKUP_PROMISE for p in programme.promises or []):
            return FeeBearer.PROGRAMME, programme.slug
    return FeeBearer.CONSUMER, ""  # the law's default for a no-reason return (2017 measures, art. 18)


def pickup_offered(request: AfterSaleRequest) -> bool:
    return request.kind in RETURN_KINDS and request.status == Status.AGREED


def return_pickup_book(*, consumer: User, reference: str, address_id: int, window_start: datetime | None
                       ) -> ReturnPickup:
    """Book a courier for an agreed return: one of the consumer's saved addresses and one of the offered windows."""
    consumer = consumer_require(consumer)
    with transaction.atomic():
        request = locked(consumer=consumer, reference=reference)
        now = clock.now()
        if not pickup_offered(request):
            raise Conflict(errors.TRANSITION, _("商家同意退货后才能预约上门取件"), details={"status": request.status})
        if ReturnPickup.objects.filter(request=request, status=PickupStatus.BOOKED).exists():
            raise Conflict(errors.PICKUP_BOOKED, _("已预约上门取件"), details={"status": request.status})
        address = Address.objects.filter(consumer=consumer, pk=address_id, deleted_at__isnull=True).first()
        if address is None:
            raise InvalidInput(errors.PICKUP_ADDRESS_INVALID, _("请选择一个已保存的地址"),
                               details={"field": "address_id"})
        window = _window(window_start, now)
        logistics = pickup_logistics(request)
        if logistics is None:
            raise Conflict(errors.PICKUP_UNAVAILABLE, _("该商家暂无可上门取件的物流机构，请自行寄回并填写运单号"))
        bearer, programme = pickup_fee_bearer(request)
        pickup = ReturnPickup.objects.create(
            request=request, logistics=logistics, recipient_name=address.recipient_name,
            recipient_phone=address.recipient_phone, address=address.full_address[:200], window_start=window.start,
            window_end=window.end, tracking_number=f"TH{secrets.token_hex(6).upper()}", fee_bearer=bearer,
            fee_programme=programme, booked_at=now,
        )
        audit_record(actor=consumer, organization=None, action="aftersale.pickup.book", target=pickup,
                     data={"request": request.reference, "logistics": logistics.slug, "fee_bearer": bearer})
    return pickup


@transaction.atomic
def return_pickup_cancel(*, consumer: User, reference: str) -> ReturnPickup:
    """The consumer cancels a booked pickup (to book another window or ship the parcel themselves)."""
    consumer = consumer_require(consumer)
    request = locked(consumer=consumer, reference=reference)
    pickup = ReturnPickup.objects.select_for_update().filter(request=request, status=PickupStatus.BOOKED).first()
    if pickup is None:
        raise NotFound(errors.PICKUP_NOT_FOUND, _("没有已预约的上门取件"))
    now = clock.now()
    transition_check(PICKUP_TRANSITIONS, pickup.status, PickupStatus.CANCELLED, code=errors.TRANSITION,
                     labels=PickupStatus)
    pickup.status, pickup.cancelled_at = PickupStatus.CANCELLED, now
    pickup.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=consumer, organization=None, action="aftersale.pickup.cancel", target=pickup,
                 data={"request": request.reference})
    return pickup


def _hand_off_event(*, actor: Actor, request: AfterSaleRequest, at: datetime) -> TraceEvent | None:
    """The logistics organization's EPCIS event naming the returned serialized items (none shipped: no event)."""
    identifiers = [row.item.digital_link.path for row in
                   ShipmentItem.objects.filter(line_id=request.line_id).select_related("item__product", "item__batch")]
    if not identifiers:
        return None
    return event_record(actor=actor, event_type=EventType.OBJECT, biz_step=HAND_OFF_STEP, disposition=RETURNED,
                        event_time=timezone.localtime(at), identifiers=identifiers)


def return_pickup_collect(*, actor: Actor, pickup_id: int) -> ReturnPickup:
    """已揽收: the assigned logistics organization's courier took the parcel. Another organization's pickup is not
    found. A high-trust consumer's refund goes out now."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LOGISTICS])
    request_id = ReturnPickup.objects.filter(pk=pickup_id, logistics=actor.organization).values_list(
        "request_id", flat=True).first()
    if request_id is None:
        raise NotFound(errors.PICKUP_NOT_FOUND, _("找不到该取件单"))
    with transaction.atomic():
        request = locked(pk=request_id)
        pickup = ReturnPickup.objects.select_for_update().get(pk=pickup_id)
        if pickup.status != PickupStatus.BOOKED or request.status != Status.AGREED:
            raise Conflict(errors.TRANSITION, _("该取件单已揽收或已取消"), details={"status": pickup.status})
        now = clock.now()
        transition_check(PICKUP_TRANSITIONS, pickup.status, PickupStatus.PICKED_UP, code=errors.TRANSITION,
                         labels=PickupStatus)
        pickup.hand_off_event = _hand_off_event(actor=actor, request=request, at=now)
        pickup.status, pickup.picked_up_at = PickupStatus.PICKED_UP, now
        pickup.picked_up_by = actor.user if actor.user is not None and actor.user.is_authenticated else None
        pickup.save(update_fields=["hand_off_event", "status", "picked_up_at", "picked_up_by"])
        return_hand_off(request, at=now, carrier=actor.organization.name, tracking_number=pickup.tracking_number,
                        by_user=pickup.picked_up_by, by_organization=actor.organization)
        request.save()
    if request.refund_id is not None:
        payout_finish(request.pk)
    return pickup

"""Returns: the consumer hands the parcel to the courier, the merchant signs for it, and the refund follows at the
moment the consumer's trust level sets (分级退款, levels.py); within 7 days of receipt at the latest (the law)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput
from xinren.orders.models import ShipmentItem
from xinren.trace.choices import BizStep, EventType
from xinren.trace.models import TraceEvent
from xinren.trace.services import event_record

from .. import errors
from ..choices import Kind, Level, PickupStatus, Status
from ..levels import LEVELS, STATUTORY_REFUND_DAYS
from ..models import AfterSaleRequest, ReturnPickup
from .moves import locked, move, payout, payout_finish, refund_due_schedule


def _early_refund(request: AfterSaleRequest) -> bool:
    return (request.agreed_fen or 0) <= LEVELS[request.level].early_refund_cap_fen


def _refund_now(request: AfterSaleRequest, *, at: datetime, rule: str, by_user: User | None = None,
                by_organization: Organization | None = None) -> None:
    payout(request, amount_fen=request.agreed_fen or 0, at=at, by_user=by_user, by_organization=by_organization)
    move(request, Status.REFUNDED, at=at, by_user=by_user, by_organization=by_organization, rule=rule)
    request.refund_due_at = None


def return_hand_off(request: AfterSaleRequest, *, at: datetime, carrier: str, tracking_number: str,
                    by_user: User | None = None, by_organization: Organization | None = None) -> None:
    """The one step shared by the consumer's own shipping and the booked pickup: the parcel is on its way back
    (RETURN_IN_TRANSIT), and a high-trust consumer's refund goes out at this moment (分级退款). The caller holds the
    request's locks, saves it, and calls `payout_finish` after commit when a refund was recorded."""
    if request.status != Status.AGREED:
        raise Conflict(errors.TRANSITION, _("商家同意后才能寄回"), details={"status": request.status})
    move(request, Status.RETURN_IN_TRANSIT, at=at, by_user=by_user, by_organization=by_organization,
         note=f"{carrier} {tracking_number}")
    request.return_carrier, request.return_tracking, request.handed_off_at = carrier, tracking_number, at
    if request.kind == Kind.RETURN_REFUND and request.level == Level.HIGH and _early_refund(request):
        _refund_now(request, at=at, rule="tiered_refund:high")


def aftersale_return_ship(*, consumer: User, reference: str, carrier: str, tracking_number: str) -> AfterSaleRequest:
    """The consumer shipped the return themselves and the courier took the parcel. A high-trust consumer's refund
    goes out now. Refused while a pickup is booked (cancel it first)."""
    consumer = consumer_require(consumer)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier or not tracking_number or len(carrier) > 64 or len(tracking_number) > 64:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写退货的快递公司和运单号"),
                           details={"field": "tracking_number"})
    with transaction.atomic():
        request = locked(consumer=consumer, reference=reference)
        if ReturnPickup.objects.filter(request=request, status=PickupStatus.BOOKED).exists():
            raise Conflict(errors.PICKUP_BOOKED, _("已预约上门取件，如要自行寄回请先取消预约"),
                           details={"status": request.status})
        return_hand_off(request, at=clock.now(), carrier=carrier, tracking_number=tracking_number, by_user=consumer)
        request.save()
    return payout_finish(request.pk) if request.refund_id is not None else request


def aftersale_return_receive(*, actor: Actor, reference: str) -> AfterSaleRequest:
    """The merchant signs for the returned parcel; the refund moment follows the consumer's level."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    with transaction.atomic():
        request = locked(merchant=actor.organization, reference=reference)
        now = clock.now()
        if request.handed_off_at is None or request.received_at is not None:
            raise Conflict(errors.TRANSITION, _("没有待签收的退货"), details={"status": request.status})
        request.received_at = now
        request.return_event = _return_event(actor=actor, request=request, at=now)
        if request.status == Status.REFUNDED or request.kind == Kind.EXCHANGE:
            note = str(_("商家已签收退货")) if request.kind != Kind.EXCHANGE else str(_("商家已签收退货，将发出新商品"))
            if request.status == Status.RETURN_IN_TRANSIT:
                move(request, Status.RECEIVED, at=now, by_user=actor.user, by_organization=actor.organization)
            move(request, Status.CLOSED, at=now, by_user=actor.user, by_organization=actor.organization, note=note)
            request.closed_at = now
        else:
            move(request, Status.RECEIVED, at=now, by_user=actor.user, by_organization=actor.organization)
            after = LEVELS[request.level].refund_after_receipt
            if after is None or not _early_refund(request):
                after = timedelta(days=STATUTORY_REFUND_DAYS)
            request.refund_due_at = now + after
            if after == timedelta(0):
                _refund_now(request, at=now, rule="tiered_refund", by_user=actor.user,
                            by_organization=actor.organization)
            else:
                refund_due_schedule(request)
        request.save()
    return payout_finish(request.pk) if request.refund_id is not None else request


def _return_event(*, actor: Actor, request: AfterSaleRequest, at: datetime) -> TraceEvent | None:
    """The merchant's EPCIS receiving event naming the returned serialized items (none shipped: no event)."""
    identifiers = [row.item.digital_link.path for row in
                   ShipmentItem.objects.filter(line_id=request.line_id).select_related("item__product", "item__batch")]
    if not identifiers:
        return None
    # CBV's "returned" disposition: the trail shows the parcel came back, and the cold chain's promises (origin to
    # the buyer) do not take this arrival for a delivery.
    return event_record(actor=actor, event_type=EventType.OBJECT, biz_step=BizStep.RECEIVING, disposition="returned",
                        event_time=timezone.localtime(at), identifiers=identifiers)


def aftersale_return_inspect(*, actor: Actor, reference: str) -> AfterSaleRequest:
    """The merchant's inspection passed: refund now, whatever the level's timer says."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    with transaction.atomic():
        request = locked(merchant=actor.organization, reference=reference)
        if request.status != Status.RECEIVED:
            raise Conflict(errors.TRANSITION, _("签收退货后才能验货退款"), details={"status": request.status})
        _refund_now(request, at=clock.now(), rule="inspection", by_user=actor.user, by_organization=actor.organization)
        request.save()
    return payout_finish(request.pk)


def refund_due_apply(*, request_id: int, now: datetime | None = None) -> bool:
    """The timed refund of a received return (normal: 2 h; otherwise the statutory 7 days). False if not due."""
    with transaction.atomic():
        request = locked(pk=request_id)
        now = now or clock.now()
        if request.status != Status.RECEIVED or request.refund_due_at is None or request.refund_due_at > now:
            return False
        _refund_now(request, at=now, rule=f"tiered_refund:{request.level}")
        request.save()
    payout_finish(request_id)
    return True

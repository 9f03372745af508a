"""Shipping an order with the serialized items that went into it, and confirming its delivery."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.accounts.services import platform_organization
from xinren.catalog.grants import grants_in_force
from xinren.catalog.gs1 import ai_value_validate, digital_link_parse
from xinren.catalog.models import Item
from xinren.catalog.shelf_life import expiry_floor, local_date, rule_for
from xinren.coldchain.services import item_deliveries_record
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.orders import errors, events
from xinren.orders.choices import (
    SHIPMENT_TRANSITIONS,
    DeliveryConfirmedBy,
    OrderStatus,
    ShipmentStatus,
)
from xinren.orders.holds import items_held
from xinren.orders.models import Order, OrderLine, Shipment, ShipmentItem
from xinren.orders.payouts import payout_create_for_delivery
from xinren.orders.selectors import partner_shipments
from xinren.orders.stock import shipping_days_for
from xinren.trace.choices import BizStep, Disposition, EventType
from xinren.trace.models import TraceEvent
from xinren.trace.services import delivery_receipt_record, event_record

from .status import order_status_move

_TRACKING = re.compile(r"^[A-Za-z0-9\-]{4,64}$")
# A merchant may back-date the shipping time a little (the parcel left before it was recorded), never forward.
MAX_BACKDATE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)


def _bad_code(exc: InvalidInput, code: str) -> InvalidInput:
    return InvalidInput(errors.SHIPMENT_ITEMS, exc.message, details={"field": "items", "code": code})


def _items_resolve(*, codes: Sequence[str], lines: list[OrderLine]) -> dict[int, list[Item]]:
    """The items that the codes name, per line; each code is a serial or an item's Digital Link (URI or path)."""
    wanted: list[tuple[str, str | None, str | None]] = []  # (code, gtin, lot) per serial
    serials: list[str] = []
    for raw in codes:
        code = raw.strip()
        if not code:
            continue
        if "/01/" in code:
            path = urlsplit(code).path if "://" in code else code
            try:
                link = digital_link_parse(path)
            except InvalidInput as exc:
                raise _bad_code(exc, code) from exc
            if link.serial is None:
                raise InvalidInput(
                    errors.SHIPMENT_ITEMS, _("请使用带序列号的单品码，而不是商品或批次码"),
                    details={"field": "items", "code": code},
                )
            wanted.append((link.serial, link.gtin, link.lot))
            serials.append(link.serial)
        else:
            try:
                ai_value_validate(code, field="serial")
            except InvalidInput as exc:
                raise _bad_code(exc, code) from exc
            wanted.append((code, None, None))
            serials.append(code)
    if not wanted:
        raise InvalidInput(errors.SHIPMENT_ITEMS, _("请选择或扫描发出的单品"), details={"field": "items"})
    by_product = {line.product_id: line for line in lines}
    found = list(
        Item.objects.filter(product_id__in=by_product, serial__in=set(serials)).select_related("product", "batch")
    )
    chosen: dict[int, Item] = {}
    for serial, gtin, lot in wanted:
        candidates = [i for i in found if i.serial == serial and (gtin is None or i.product.gtin == gtin)]
        shown = serial if gtin is None else f"{gtin}/{serial}"
        if not candidates:
            raise InvalidInput(
                errors.SHIPMENT_ITEMS, _("找不到单品 %(code)s，或它不是本订单的商品") % {"code": shown},
                details={"field": "items", "code": shown},
            )
        if len(candidates) > 1:
            raise InvalidInput(
                errors.SHIPMENT_ITEMS, _("序列号 %(code)s 对应多个商品，请扫描完整的溯源码") % {"code": shown},
                details={"field": "items", "code": shown},
            )
        item = candidates[0]
        if lot is not None and item.batch.lot != lot:
            raise InvalidInput(
                errors.SHIPMENT_ITEMS, _("单品 %(code)s 不属于码中的批次") % {"code": shown},
                details={"field": "items", "code": shown},
            )
        if item.pk in chosen:
            raise InvalidInput(
                errors.SHIPMENT_ITEMS, _("单品 %(code)s 重复了") % {"code": shown},
                details={"field": "items", "code": shown},
            )
        chosen[item.pk] = item
    per_line: dict[int, list[Item]] = defaultdict(list)
    for item in chosen.values():
        per_line[by_product[item.product_id].pk].append(item)
    for line in lines:
        given = len(per_line.get(line.pk, []))
        if given != line.quantity:
            raise InvalidInput(
                errors.SHIPMENT_ITEMS,
                _("“%(name)s”应发 %(expected)d 件，实际选择了 %(given)d 件")
                % {"name": line.product_name, "expected": line.quantity, "given": given},
                details={"field": "items", "gtin": line.gtin, "expected": line.quantity, "given": given},
            )
    return per_line


def _shelf_life_require(*, items: list[Item], at: datetime) -> None:
    """Refuse items of a lot that is expired, or that would arrive with less than its category's minimum shelf life
    left (catalog/shelf_life.py); the first such item is named with its lot's expiry date."""
    shipping = shipping_days_for({item.product_id for item in items})
    today = local_date(at)
    for item in sorted(items, key=lambda item: (item.batch.expiry_date or today, item.serial)):
        expiry = item.batch.expiry_date
        if expiry is None:
            continue
        details = {"field": "items", "serial": item.serial, "lot": item.batch.lot, "expiry_date": expiry.isoformat()}
        if expiry < today:
            raise Conflict(
                errors.SHIPMENT_ITEM_EXPIRED,
                _("单品 %(serial)s（批号 %(lot)s）已于 %(date)s 过保质期，不能发货，请换一件")
                % {"serial": item.serial, "lot": item.batch.lot, "date": expiry.isoformat()},
                details=details,
            )
        floor = expiry_floor(category=item.product.category, at=at, shipping_days=shipping[item.product_id])
        if expiry < floor:
            raise Conflict(
                errors.SHIPMENT_ITEM_EXPIRED,
                _(
                    "单品 %(serial)s（批号 %(lot)s）保质期至 %(date)s，送达时剩余保质期不足 %(days)d 天，"
                    "不能发货，请换一件"
                )
                % {"serial": item.serial, "lot": item.batch.lot, "date": expiry.isoformat(),
                   "days": rule_for(item.product.category).min_remaining_days},
                details=details,
            )


def _held_refuse(*, items: list[Item]) -> None:
    """Refuse items kept out of sale (a recall): the first such item is named with the hold's reason."""
    held = items_held(items)
    for item in sorted(items, key=lambda item: item.serial):
        hold = held.get(item.pk)
        if hold is not None:
            raise Conflict(
                errors.SHIPMENT_ITEM_HELD,
                _("单品 %(serial)s（批号 %(lot)s）已被召回停售（%(reason)s），不能发货，请换一件")
                % {"serial": item.serial, "lot": item.batch.lot, "reason": hold.reason},
                details={"field": "items", "serial": item.serial, "lot": item.batch.lot, "hold": hold.reference},
            )


def _carrier_organization(*, merchant: Organization, slug: str) -> Organization | None:
    if not slug:
        return None
    granted = grants_in_force().filter(
        owner=merchant, partner__slug=slug, partner__kind=OrganizationKind.LOGISTICS
    ).select_related("partner").first()
    if granted is None:
        raise InvalidInput(
            errors.SHIPMENT_INVALID, _("该物流机构不是你授权的合作方"), details={"field": "carrier_organization"}
        )
    return granted.partner


@transaction.atomic
def order_ship(
    *,
    actor: Actor,
    order_number: str,
    codes: Sequence[str],
    carrier: str,
    tracking_number: str,
    carrier_organization_slug: str = "",
    shipped_at: datetime | None = None,
) -> Shipment:
    """Ship a paid order: name exactly the serialized items in the parcel, and record an EPCIS shipping event
    about those items (so each item's public page shows it)."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    carrier = " ".join(carrier.split())
    tracking_number = tracking_number.strip()
    if not 1 <= len(carrier) <= 64:
        raise InvalidInput(errors.SHIPMENT_INVALID, _("请填写承运商（不超过 64 字）"), details={"field": "carrier"})
    if not _TRACKING.match(tracking_number):
        raise InvalidInput(
            errors.SHIPMENT_INVALID, _("运单号应为 4–64 位字母、数字或连字符"), details={"field": "tracking_number"}
        )
    now = clock.now()
    shipped_at = shipped_at or now
    if shipped_at > now + CLOCK_SKEW or shipped_at < now - MAX_BACKDATE:
        raise InvalidInput(
            errors.SHIPMENT_INVALID, _("发货时间须在过去 7 天内，且不能在未来"), details={"field": "shipped_at"}
        )
    order = Order.objects.select_for_update().filter(merchant=actor.organization, number=order_number).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    if order.status != OrderStatus.PAID:
        raise Conflict(
            errors.ORDER_TRANSITION, _("只有已付款、待发货的订单可以发货"), details={"status": order.status}
        )
    if order.paid_at is not None and shipped_at < order.paid_at:
        raise InvalidInput(errors.SHIPMENT_INVALID, _("发货时间不能早于付款时间"), details={"field": "shipped_at"})
    lines = list(order.lines.order_by("id"))
    per_line = _items_resolve(codes=codes, lines=lines)
    items = [item for line in lines for item in per_line[line.pk]]
    _shelf_life_require(items=items, at=shipped_at)
    _held_refuse(items=items)
    taken = ShipmentItem.objects.filter(item__in=items).select_related("item")
    if taken:
        serials = sorted(row.item.serial for row in taken)
        raise Conflict(
            errors.SHIPMENT_ITEM_TAKEN, _("这些单品已随其他订单发出：%(serials)s") % {"serials": "、".join(serials)},
            details={"field": "items", "serials": serials},
        )
    carrier_org = _carrier_organization(merchant=actor.organization, slug=carrier_organization_slug.strip())
    event = event_record(
        actor=actor,
        event_type=EventType.OBJECT,
        biz_step=BizStep.SHIPPING,
        action="OBSERVE",
        disposition=Disposition.IN_TRANSIT,
        event_time=timezone.localtime(shipped_at),
        identifiers=[item.digital_link.path for item in items],
    )
    shipment = Shipment.objects.create(
        order=order,
        carrier=carrier,
        tracking_number=tracking_number,
        carrier_organization=carrier_org,
        shipped_at=shipped_at,
        trace_event=event,
    )
    try:
        with transaction.atomic():
            ShipmentItem.objects.bulk_create(
                [ShipmentItem(shipment=shipment, line=line, item=item) for line in lines for item in per_line[line.pk]]
            )
    except IntegrityError as exc:  # another order shipped one of these items a moment ago
        raise Conflict(
            errors.SHIPMENT_ITEM_TAKEN, _("有单品刚刚随其他订单发出，请重新选择"), details={"field": "items"}
        ) from exc
    order_status_move(
        order=order, target=OrderStatus.SHIPPED, at=shipped_at, by_user=actor.user,
        by_organization=actor.organization, note=f"{carrier} {tracking_number}",
    )
    events.ORDER_SHIPPED.announce(order_id=order.pk, shipment_id=shipment.pk)
    audit_record(
        actor=actor.user, organization=actor.organization, action="order.ship", target=order,
        data={"carrier": carrier, "tracking_number": tracking_number, "items": len(items), "event_id": event.event_id},
    )
    return shipment


def _deliver(
    *, order: Order, shipment: Shipment, by: str, by_user: User | None, by_organization: Organization | None,
    at: datetime | None = None, event_id: str = "",
) -> None:
    transition_check(
        SHIPMENT_TRANSITIONS, shipment.status, ShipmentStatus.DELIVERED, code=errors.SHIPMENT_TRANSITION,
        labels=ShipmentStatus,
    )
    now = at or clock.now()
    order_status_move(
        order=order, target=OrderStatus.DELIVERED, at=now, by_user=by_user, by_organization=by_organization,
        note=str(DeliveryConfirmedBy(by).label),
    )
    events.ORDER_DELIVERED.announce(order_id=order.pk)
    payout_create_for_delivery(order=order, at=now)  # the merchant's settlement, due after the hold
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = now
    shipment.delivery_confirmed_by = DeliveryConfirmedBy(by)
    shipment.confirmed_by_user = by_user
    shipment.confirmed_by_organization = by_organization
    shipment.receipt_event = _receipt_record(order=order, shipment=shipment, at=now, by_user=by_user,
                                             by_organization=by_organization, event_id=event_id)
    if shipment.receipt_event is not None:  # the items' promises are measured to this receipt (coldchain, ADR 0036)
        item_deliveries_record(event=shipment.receipt_event, by_buyer=by == DeliveryConfirmedBy.CONSUMER)
    shipment.save()
    audit_record(
        actor=by_user, organization=by_organization or order.merchant, action="order.deliver", target=order,
        data={"confirmed_by": by},
    )


def _receipt_record(
    *, order: Order, shipment: Shipment, at: datetime, by_user: User | None, by_organization: Organization | None,
    event_id: str = "",
) -> TraceEvent | None:
    """The EPCIS receiving event naming the delivered items, so that promises are measured to the buyer's table.

    The carrier signs what it reports; a buyer's confirmation is signed by the platform (docs/coldchain.md).
    """
    items = [row.item for row in shipment.items.select_related("item__product", "item__batch").order_by("pk")]
    if not items:
        return None
    return delivery_receipt_record(
        organization=by_organization or platform_organization(), merchant=order.merchant,
        identifiers=[item.digital_link.path for item in items], event_time=timezone.localtime(at), user=by_user,
        event_id=event_id,
    )


@transaction.atomic
def shipment_deliver_by_partner(
    *, actor: Actor, shipment_id: int, at: datetime | None = None, event_id: str = ""
) -> Shipment:
    """A logistics organization the merchant granted confirms that the parcel was delivered (`at`, now by default:
    a carrier's update may report a delivery a little after it happened; orders.tracking checks that time)."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LOGISTICS])
    found = Shipment.objects.filter(partner_shipments(organization=actor.organization), pk=shipment_id)
    order_id = found.values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(errors.SHIPMENT_NOT_FOUND, _("找不到该发货单"))
    order = Order.objects.select_for_update().get(pk=order_id)
    shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
    _deliver(
        order=order, shipment=shipment, by=DeliveryConfirmedBy.LOGISTICS, by_user=actor.user,
        by_organization=actor.organization, at=at, event_id=event_id,
    )
    return shipment


@transaction.atomic
def order_delivery_confirm(*, consumer: User, order_number: str) -> Order:
    """The consumer confirms that the parcel arrived."""
    consumer = consumer_require(consumer)
    order = Order.objects.select_for_update().filter(consumer=consumer, number=order_number).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    shipment = Shipment.objects.select_for_update().filter(order=order).first()
    if shipment is None:
        raise Conflict(errors.ORDER_TRANSITION, _("订单尚未发货"), details={"status": order.status})
    _deliver(order=order, shipment=shipment, by=DeliveryConfirmedBy.CONSUMER, by_user=consumer, by_organization=None)
    return order

"""API routes of the orders context.

`router` (organization callers): merchants manage offers, see and ship their orders, cancel and refund; logistics
organizations confirm deliveries. `webhook_router` (no authentication: the signature is the credential) receives
payment providers' webhooks over the raw request body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.accounts.consumers import consumer_public_id, phone_mask
from xinren.core.origin import public_origin
from xinren.core.schemas import ERRORS, PageIn, page

from . import selectors, services
from .choices import OrderStatus
from .models import Offer, Order, Refund, Shipment

router = Router(tags=["orders"])
webhook_router = Router(tags=["payments"])


class OfferIn(Schema):
    price_fen: int = Field(description="price in fen (1/100 yuan)", examples=[12800])
    stock: int = Field(description="units for sale now", examples=[50])
    active: bool = True


class OfferOut(Schema):
    id: int
    product_id: int
    gtin: str
    product_name: str
    price_fen: int
    stock: int
    active: bool
    updated_at: datetime

    @staticmethod
    def resolve_gtin(obj: Offer) -> str:
        return obj.product.gtin

    @staticmethod
    def resolve_product_name(obj: Offer) -> str:
        return obj.product.name


class ShippedItemOut(Schema):
    serial: str
    lot: str
    digital_link: str


class OrderLineOut(Schema):
    id: int
    product_id: int
    gtin: str
    product_name: str
    unit_price_fen: int
    quantity: int
    total_fen: int
    items: list[ShippedItemOut]


class RefundOut(Schema):
    id: int
    amount_fen: int
    reason: str
    status: str
    failure_code: str
    created_at: datetime
    completed_at: datetime | None


class PaymentOut(Schema):
    reference: str
    provider: str
    status: str
    amount_fen: int
    captured_fen: int
    refunded_fen: int
    failure_code: str
    refunds: list[RefundOut]


class ShipmentOut(Schema):
    id: int
    status: str
    carrier: str
    tracking_number: str
    carrier_organization: str | None
    shipped_at: datetime
    delivered_at: datetime | None
    delivery_confirmed_by: str
    trace_event_id: str | None


class OrderStatusChangeOut(Schema):
    at: datetime
    from_status: str
    to_status: str
    note: str


class OrderOut(Schema):
    number: str
    status: str
    total_fen: int
    currency: str
    consumer: str = Field(description="the consumer's pseudonymous id (never the phone number)")
    consumer_phone: str = Field(description="masked: 138****1234")
    recipient_name: str
    recipient_phone: str = Field(description="masked: 138****1234")
    shipping_address: str
    note: str
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    shipment: ShipmentOut | None
    history: list[OrderStatusChangeOut]


class OrderSummaryOut(Schema):
    number: str
    status: str
    total_fen: int
    currency: str
    placed_at: datetime
    quantity: int


class OrderPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrderSummaryOut]


class OrderShipIn(Schema):
    items: list[str] = Field(
        description="serials, or Digital Link URIs/paths of items (/01/<gtin>/10/<lot>/21/<serial>)", min_length=1
    )
    carrier: str = Field(examples=["顺丰速运"])
    tracking_number: str = Field(examples=["SF1234567890"])
    carrier_organization: str = Field("", description="slug of a granted logistics organization that will confirm")
    shipped_at: datetime | None = None


class OrderCancelIn(Schema):
    reason: str


class RefundIn(Schema):
    amount_fen: int
    reason: str
    idempotency_key: str = Field("", max_length=64, description="or the Idempotency-Key header")


class ShipmentDeliveryOut(Schema):
    id: int
    order: str
    merchant: str
    status: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_order(obj: Shipment) -> str:
        return obj.order.number

    @staticmethod
    def resolve_merchant(obj: Shipment) -> str:
        return obj.order.merchant.name


class PaymentWebhookOut(Schema):
    received: bool
    outcome: str


def _shipment(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "status": shipment.status,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "carrier_organization": shipment.carrier_organization.slug if shipment.carrier_organization else None,
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "delivery_confirmed_by": shipment.delivery_confirmed_by,
        "trace_event_id": shipment.trace_event.event_id if shipment.trace_event_id and shipment.trace_event else None,
    }


def order_dict(order: Order) -> dict[str, Any]:
    """An order as the API shows it to its merchant (phones masked, the consumer pseudonymous)."""
    shipment = getattr(order, "shipment", None) if hasattr(order, "shipment") else None
    items: dict[int, list[dict[str, str]]] = {}
    if shipment is not None:
        for row in shipment.items.all():
            items.setdefault(row.line_id, []).append(
                {
                    "serial": row.item.serial,
                    "lot": row.item.batch.lot,
                    "digital_link": row.item.digital_link.uri(public_origin()),
                }
            )
    return {
        "number": order.number,
        "status": order.status,
        "total_fen": order.total_fen,
        "currency": order.currency,
        "consumer": consumer_public_id(order.consumer),
        "consumer_phone": phone_mask(order.consumer.phone),
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone_masked,
        "shipping_address": order.shipping_address,
        "note": order.note,
        "placed_at": order.placed_at,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "delivered_at": order.delivered_at,
        "cancelled_at": order.cancelled_at,
        "cancel_reason": order.cancel_reason,
        "lines": [
            {
                "id": line.pk,
                "product_id": line.product_id,
                "gtin": line.gtin,
                "product_name": line.product_name,
                "unit_price_fen": line.unit_price_fen,
                "quantity": line.quantity,
                "total_fen": line.total_fen,
                "items": items.get(line.pk, []),
            }
            for line in order.lines.all()
        ],
        "payments": [
            {
                "reference": payment.reference,
                "provider": payment.provider,
                "status": payment.status,
                "amount_fen": payment.amount_fen,
                "captured_fen": payment.captured_fen,
                "refunded_fen": payment.refunded_fen,
                "failure_code": payment.failure_code,
                "refunds": list(payment.refunds.all()),
            }
            for payment in order.payments.all()
        ],
        "shipment": _shipment(shipment) if shipment is not None else None,
        "history": list(order.status_changes.all()),
    }


# -- offers ------------------------------------------------------------------------------------------------------------


@router.get("/offers", response={200: list[OfferOut], **ERRORS}, summary="The caller's offers (price and stock)")
def offer_list(request: HttpRequest) -> Any:
    return selectors.offer_list(actor=actor_of(request))


@router.put("/offers/{product_id}", response={200: OfferOut, **ERRORS}, summary="Set a product's price and stock")
def offer_save(request: HttpRequest, product_id: int, payload: OfferIn) -> Any:
    return services.offer_save(actor=actor_of(request), product_id=product_id, **payload.model_dump())


# -- a merchant's orders -------------------------------------------------------------------------------------------


@router.get("/orders", response={200: OrderPageOut, **ERRORS}, summary="The caller's orders, newest first")
def order_list(request: HttpRequest, params: Query[PageIn], status: OrderStatus | None = None) -> Any:
    orders = selectors.merchant_order_list(actor=actor_of(request), status=status.value if status else "")
    result = page(orders, params)
    result["items"] = [
        {
            "number": order.number,
            "status": order.status,
            "total_fen": order.total_fen,
            "currency": order.currency,
            "placed_at": order.placed_at,
            "quantity": sum(line.quantity for line in order.lines.all()),
        }
        for order in result["items"]
    ]
    return result


@router.get("/orders/{number}", response={200: OrderOut, **ERRORS}, summary="One order with payments and shipment")
def order_get(request: HttpRequest, number: str) -> Any:
    return order_dict(selectors.merchant_order_get(actor=actor_of(request), order_number=number))


@router.post("/orders/{number}/ship", response={200: OrderOut, **ERRORS}, summary="Ship with the items inside")
def order_ship(request: HttpRequest, number: str, payload: OrderShipIn) -> Any:
    actor = actor_of(request)
    services.order_ship(
        actor=actor,
        order_number=number,
        codes=payload.items,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        carrier_organization_slug=payload.carrier_organization,
        shipped_at=payload.shipped_at,
    )
    return order_dict(selectors.merchant_order_get(actor=actor, order_number=number))


@router.post("/orders/{number}/cancel", response={200: OrderOut, **ERRORS}, summary="Cancel before shipping")
def order_cancel(request: HttpRequest, number: str, payload: OrderCancelIn) -> Any:
    actor = actor_of(request)
    services.order_cancel_by_merchant(actor=actor, order_number=number, reason=payload.reason)
    return order_dict(selectors.merchant_order_get(actor=actor, order_number=number))


@router.post(
    "/orders/{number}/refunds", response={201: RefundOut, **ERRORS}, summary="Refund part or all of a paid order"
)
def refund_request(request: HttpRequest, number: str, payload: RefundIn) -> Any:
    refund: Refund = services.refund_request(
        actor=actor_of(request),
        order_number=number,
        amount_fen=payload.amount_fen,
        reason=payload.reason,
        idempotency_key=payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:64],
    )
    return Status(201, refund)


# -- deliveries (logistics organizations) --------------------------------------------------------------------------


@router.get("/shipments", response={200: list[ShipmentDeliveryOut], **ERRORS}, summary="Parcels the caller may confirm")
def shipment_list(request: HttpRequest) -> Any:
    return selectors.partner_shipment_list(actor=actor_of(request))


@router.post(
    "/shipments/{shipment_id}/deliver", response={200: ShipmentDeliveryOut, **ERRORS}, summary="Confirm delivery"
)
def shipment_deliver(request: HttpRequest, shipment_id: int) -> Any:
    actor = actor_of(request)
    services.shipment_deliver_by_partner(actor=actor, shipment_id=shipment_id)
    return selectors.partner_shipment_get(actor=actor, shipment_id=shipment_id)


# -- payment provider webhooks -------------------------------------------------------------------------------------


@webhook_router.post(
    "/{provider}", response={200: PaymentWebhookOut, **ERRORS}, summary="A payment provider's signed webhook", auth=None
)
def payment_webhook(request: HttpRequest, provider: str) -> Any:
    outcome = services.payment_webhook_receive(provider_name=provider, body=request.body, headers=request.headers)
    return {"received": True, "outcome": outcome}

"""Putting orders into each state through the services, for tests of the orders context and its pages."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.actors import Actor
from xinren.accounts.models import User
from xinren.catalog.models import Batch, Item, Product
from xinren.core import clock
from xinren.orders.models import Order, Payment, Shipment
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import LineRequest, order_place, order_ship, payment_refresh, payment_start
from xinren.trace.services import event_record

ADDRESS = "上海市浦东新区张杨路 500 号 12 楼"


def order_placed(consumer: User, product: Product, quantity: int = 1, **fields: str) -> Order:
    return order_place(
        consumer=consumer,
        lines=[LineRequest(product_id=product.pk, quantity=quantity)],
        recipient_name=fields.get("recipient_name", "王小明"),
        recipient_phone=fields.get("recipient_phone", "13900001111"),
        shipping_address=fields.get("shipping_address", ADDRESS),
        client_token=fields.get("client_token", ""),
    )


def checkout_opened(consumer: User, order: Order) -> Payment:
    return payment_start(consumer=consumer, order_number=order.number, return_url=f"/shop/orders/{order.number}/")


def order_paid(consumer: User, order: Order, token: str = Token.SUCCESS) -> Payment:
    """Pay through the sandbox's hosted page, then come back (which captures)."""
    payment = checkout_opened(consumer, order)
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=token)
    return payment_refresh(payment_id=payment.pk)


def order_shipped(actor: Actor, order: Order, items: list[Item], **fields: str) -> Shipment:
    return order_ship(
        actor=actor,
        order_number=order.number,
        codes=[item.digital_link.path for item in items],
        carrier=fields.get("carrier", "顺丰速运"),
        tracking_number=fields.get("tracking_number", "SF1234567890"),
        carrier_organization_slug=fields.get("carrier_organization", ""),
    )


def lot_harvested(actor: Actor, batch: Batch, *, hours_ago: float = 48) -> None:
    """The lot's harvest event: what a delivery promise is measured from (a promise needs one, docs/promises.md)."""
    event_record(actor=actor, event_type="ObjectEvent", biz_step="harvesting",
                 event_time=clock.now() - dt.timedelta(hours=hours_ago), identifiers=[batch.digital_link.path])

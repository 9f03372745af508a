"""Writes of the orders context, one module per concern; everything public is re-exported here."""

from .addresses import address_create, address_default_set, address_delete, address_update
from .carrier_updates import CarrierUpdate, shipment_update_post
from .cart import cart_add, cart_count, cart_line_remove, cart_line_update
from .checkout import cart_checkout
from .offers import offer_save
from .orders import (
    LineRequest,
    order_cancel_by_consumer,
    order_cancel_by_merchant,
    order_expire,
    order_payment_deadline,
    order_place,
    orders_expire,
)
from .payment_groups import (
    payment_group_capture,
    payment_group_refresh,
    payment_group_return,
    payment_group_start,
    payment_group_void,
)
from .payments import (
    Reconciliation,
    payment_capture,
    payment_refresh,
    payment_return,
    payment_start,
    payment_void,
    payments_reconcile,
)
from .refunds import refund_execute, refund_request
from .shipping import order_delivery_confirm, order_ship, shipment_deliver_by_partner
from .webhooks import payment_webhook_receive

__all__ = [
    "CarrierUpdate",
    "LineRequest",
    "Reconciliation",
    "address_create",
    "address_default_set",
    "address_delete",
    "address_update",
    "cart_add",
    "cart_checkout",
    "cart_count",
    "cart_line_remove",
    "cart_line_update",
    "offer_save",
    "order_cancel_by_consumer",
    "order_cancel_by_merchant",
    "order_delivery_confirm",
    "order_expire",
    "order_payment_deadline",
    "order_place",
    "order_ship",
    "orders_expire",
    "payment_capture",
    "payment_group_capture",
    "payment_group_refresh",
    "payment_group_return",
    "payment_group_start",
    "payment_group_void",
    "payment_refresh",
    "payment_return",
    "payment_start",
    "payment_void",
    "payment_webhook_receive",
    "payments_reconcile",
    "refund_execute",
    "refund_request",
    "shipment_deliver_by_partner",
    "shipment_update_post",
]

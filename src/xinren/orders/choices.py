"""Statuses of orders, payments, refunds and shipments, each with its table of allowed transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("待付款")
    PAID = "paid", _("待发货")
    SHIPPED = "shipped", _("已发货")
    DELIVERED = "delivered", _("已签收")
    CANCELLED = "cancelled", _("已取消")


ORDER_TRANSITIONS: TransitionTable = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    # A paid order can still be cancelled before it ships; the payment is then refunded in full.
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("待支付")
    AUTHORISED = "authorised", _("已授权")
    CAPTURED = "captured", _("已收款")
    PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
    REFUNDED = "refunded", _("已全额退款")
    VOIDED = "voided", _("已撤销")
    FAILED = "failed", _("支付失败")


PAYMENT_TRANSITIONS: TransitionTable = {
    # CREATED -> CAPTURED: providers such as WeChat Pay and Alipay authorise and capture in one step.
    PaymentStatus.CREATED: frozenset(
        {PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.VOIDED}
    ),
    PaymentStatus.AUTHORISED: frozenset({PaymentStatus.CAPTURED, PaymentStatus.VOIDED, PaymentStatus.FAILED}),
    PaymentStatus.CAPTURED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}),
    PaymentStatus.REFUNDED: frozenset(),
    PaymentStatus.VOIDED: frozenset(),
    PaymentStatus.FAILED: frozenset(),
}
# A payment in one of these holds (or may soon hold) the consumer's money.
PAYMENT_OPEN = frozenset({PaymentStatus.CREATED, PaymentStatus.AUTHORISED})
PAYMENT_SETTLED = frozenset({PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("退款中")
    SUCCEEDED = "succeeded", _("已退款")
    FAILED = "failed", _("退款失败")


REFUND_TRANSITIONS: TransitionTable = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


class ShipmentStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("运输中")
    DELIVERED = "delivered", _("已签收")


SHIPMENT_TRANSITIONS: TransitionTable = {
    ShipmentStatus.IN_TRANSIT: frozenset({ShipmentStatus.DELIVERED}),
    ShipmentStatus.DELIVERED: frozenset(),
}


class DeliveryConfirmedBy(models.TextChoices):
    CONSUMER = "consumer", _("消费者确认收货")
    LOGISTICS = "logistics", _("物流签收")



class CarrierUpdateStatus(models.TextChoices):
    """What a carrier reports about a parcel (orders.services.carrier_updates maps each to an EPCIS bizStep)."""

    DEPARTED = "departed", _("已离开")
    ARRIVED = "arrived", _("已到达")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")

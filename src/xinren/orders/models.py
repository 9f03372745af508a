"""Offers, orders and their lines, payments and refunds, shipments naming serialized items.

Money is integer fen throughout. A status column only moves along the tables in `choices.py`, and every move
of an order writes an `OrderStatusChange` row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import phone_mask
from xinren.accounts.models import Organization
from xinren.catalog.models import Item, Product
from xinren.core.models import TimeStampedModel
from xinren.core.money import FenField
from xinren.trace.models import TraceEvent

from .choices import DeliveryConfirmedBy, OrderStatus, PaymentStatus, RefundStatus, ShipmentStatus
from .payments.sandbox_models import (  # noqa: F401  (registers the sandbox provider's own tables)
    SandboxCharge,
    SandboxIdempotencyKey,
    SandboxRefund,
    SandboxWebhookEvent,
)
from .payout_models import MerchantPayout, PayoutAccount  # noqa: F401  (merchant settlements: payouts.py)

CURRENCY = "CNY"


class Offer(TimeStampedModel):
    """What a merchant sells one of its products for: the price in fen and the units still for sale."""

    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="offers")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="offers")
    price_fen = FenField(_("单价（分）"))
    stock = models.PositiveIntegerField(_("库存"))
    active = models.BooleanField(_("在售"), default=True)

    class Meta:
        verbose_name = _("商品报价")
        verbose_name_plural = _("商品报价")
        ordering = ["product__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(active=True), name="offer_one_active_per_product"),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="offer_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="offer_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price_fen} fen × {self.stock}"


class Order(TimeStampedModel):
    """A consumer's purchase from one merchant. `number` is the public identifier; ids never leave the server."""

    number = models.CharField(_("订单号"), max_length=20, unique=True)
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    total_fen = FenField(_("金额（分）"))
    currency = models.CharField(_("币种"), max_length=3, default=CURRENCY)
    recipient_name = models.CharField(_("收货人"), max_length=32)
    recipient_phone = models.CharField(_("收货电话"), max_length=11)
    shipping_address = models.CharField(_("收货地址"), max_length=200)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The form's one-time token: submitting the same form twice yields the same order.
    client_token = models.CharField(max_length=64, blank=True)
    placed_at = models.DateTimeField(_("下单时间"))
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # Set when the order was placed from the cart: one combined payment covers the checkout's orders
    # (ADR 0021, cart-combined-payment).
    payment_group = models.ForeignKey(
        "PaymentGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("合并支付"),
    )
    # Keyed hashes (accounts/keyed.py) of the device the order was placed from and of the payment provider's payer
    # account, for the brushing-ring detector's linking only (governance/rings, ADR 0050); never the ids themselves.
    device_hash = models.CharField(_("设备（密钥哈希）"), max_length=64, blank=True)
    payment_hash = models.CharField(_("付款账户（密钥哈希）"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "client_token"], condition=~Q(client_token=""), name="order_unique_client_token"
            ),
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="order_total_positive"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status"]),
            models.Index(fields=["consumer", "placed_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def recipient_phone_masked(self) -> str:
        return phone_mask(self.recipient_phone)


class OrderLine(models.Model):
    """One product in an order at the price it was bought for.

    A review (reviews context) attaches to exactly one line whose order is delivered: see
    `selectors.line_reviewable_get`. The serialized items that fulfilled the line are its `shipment_items`.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_lines")
    # Copies: what the consumer saw when buying, even if the product or offer changes later.
    product_name = models.CharField(_("商品名称"), max_length=128)
    gtin = models.CharField(_("GTIN"), max_length=14)
    unit_price_fen = FenField(_("单价（分）"))
    quantity = models.PositiveIntegerField(_("数量"))
    total_fen = FenField(_("小计（分）"))
    # When the consumer confirmed, at purchase, that this category is excluded from seven-day no-reason returns
    # (消费者权益保护法 art. 25); None: not confirmed, so the no-reason return applies (docs/aftersales.md).
    return_exclusion_confirmed_at = models.DateTimeField(_("确认不适用七天无理由退货"), null=True, blank=True)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_fen__gt=0), name="order_line_price_positive"),
            models.CheckConstraint(
                condition=Q(total_fen=F("unit_price_fen") * F("quantity")), name="order_line_total_is_price_x_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.product_name} × {self.quantity}"


class OrderStatusChange(models.Model):
    """One move of an order along its transition table: who, when, from what, to what."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    at = models.DateTimeField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("订单状态变更")
        verbose_name_plural = _("订单状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '∅'} → {self.to_status}"


class PaymentGroup(TimeStampedModel):
    """合并支付: one payment at the provider (one out_trade_no, `reference`) for the orders of one cart checkout.

    Each order keeps its own `Payment` row (its share, `group` set), which mirrors the group's state and carries the
    order's refunds; the provider only ever sees the group's reference and charge.
    See ADR 0021 (cart-combined-payment) and docs/payments.md.
    """

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_groups")
    provider = models.CharField(_("支付渠道"), max_length=32)
    reference = models.CharField(_("合并支付单号"), max_length=40, unique=True)
    provider_ref = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount_fen = FenField(_("金额（分）"))
    captured_fen = FenField(_("已收款（分）"), default=0)
    currency = models.CharField(_("币种"), max_length=3, default=CURRENCY)
    status = models.CharField(_("状态"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    checkout_url = models.CharField(max_length=512, blank=True)
    failure_code = models.CharField(_("失败代码"), max_length=64, blank=True)
    failure_message = models.CharField(_("失败原因"), max_length=256, blank=True)
    # The checkout form's one-time token: submitting the same cart twice yields the same orders and payment.
    client_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("合并支付")
        verbose_name_plural = _("合并支付")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "client_token"], condition=~Q(client_token=""),
                name="payment_group_unique_client_token",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], condition=~Q(provider_ref=""),
                name="payment_group_unique_provider_ref",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_group_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_fen__gte=0, captured_fen__lte=F("amount_fen")),
                name="payment_group_captured_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class Payment(TimeStampedModel):
    """One attempt to pay an order through a payment provider, mirroring the provider's state.

    With `group` set it is the order's share of a combined payment: `provider_ref` is then the group's charge
    (shared by its siblings) and every provider call goes through the group (services/payment_groups.py).
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    group = models.ForeignKey(
        PaymentGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="payments",
        verbose_name=_("合并支付"),
    )
    provider = models.CharField(_("支付渠道"), max_length=32)
    # The platform's own reference, sent to the provider as the merchant reference (out_trade_no).
    reference = models.CharField(_("支付单号"), max_length=40, unique=True)
    provider_ref = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount_fen = FenField(_("金额（分）"))
    captured_fen = FenField(_("已收款（分）"), default=0)
    refunded_fen = FenField(_("已退款（分）"), default=0)
    currency = models.CharField(_("币种"), max_length=3, default=CURRENCY)
    status = models.CharField(_("状态"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    checkout_url = models.CharField(max_length=512, blank=True)
    failure_code = models.CharField(_("失败代码"), max_length=64, blank=True)
    failure_message = models.CharField(_("失败原因"), max_length=256, blank=True)
    authorised_at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        ordering = ["created_at", "id"]
        constraints = [
            # Shares of a combined payment carry the group's charge, so only standalone payments are unique here.
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], condition=~Q(provider_ref="") & Q(group__isnull=True),
                name="payment_unique_provider_ref",
            ),
            # At most one attempt in flight per order, so a double click cannot open two checkouts.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=[PaymentStatus.CREATED, PaymentStatus.AUTHORISED]),
                name="payment_one_open_per_order",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_fen__gte=0, captured_fen__lte=F("amount_fen")), name="payment_captured_in_range"
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0, refunded_fen__lte=F("captured_fen")),
                name="payment_refunded_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class Refund(TimeStampedModel):
    """Money returned from a captured payment, in full or in part."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = FenField(_("金额（分）"))
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    idempotency_key = models.CharField(max_length=80, unique=True)
    provider_ref = models.CharField(_("渠道退款号"), max_length=64, blank=True)
    failure_code = models.CharField(_("失败代码"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.amount_fen} fen ({self.status})"


class PaymentWebhookEvent(models.Model):
    """A verified webhook event, kept once per provider event id so that redeliveries change nothing."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=80)
    event_type = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField()
    outcome = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("支付回调")
        verbose_name_plural = _("支付回调")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique_provider_event"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.event_type}"


class Shipment(TimeStampedModel):
    """The parcel that fulfils an order; it names the serialized items inside."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shipment")
    status = models.CharField(
        _("状态"), max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.IN_TRANSIT
    )
    carrier = models.CharField(_("承运商"), max_length=64)
    tracking_number = models.CharField(_("运单号"), max_length=64)
    # A logistics organization on the platform; when set, only it (or the consumer) confirms delivery.
    carrier_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="carried_shipments"
    )
    shipped_at = models.DateTimeField(_("发货时间"))
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    delivery_confirmed_by = models.CharField(
        _("签收确认方"), max_length=16, choices=DeliveryConfirmedBy.choices, blank=True
    )
    confirmed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trace_event = models.ForeignKey(
        TraceEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发货事件")
    )
    receipt_event = models.ForeignKey(
        TraceEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("收货事件")
    )

    class Meta:
        verbose_name = _("发货单")
        verbose_name_plural = _("发货单")
        ordering = ["-shipped_at", "-id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class ShipmentItem(models.Model):
    """A serialized item that went into a shipment, for one line of the order. An item is sold once."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="shipment_items")

    class Meta:
        verbose_name = _("发货单品")
        verbose_name_plural = _("发货单品")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["item"], name="shipment_item_unique_item")]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.item_id}"


# -- the cart and the address book ---------------------------------------------------------------------------------


class Address(TimeStampedModel):
    """A consumer's saved delivery address. Deleting one only marks it (`deleted_at`): orders copy the address when
    placed, so nothing refers to it afterwards, but the book keeps what was there for support."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="addresses")
    recipient_name = models.CharField(_("收货人"), max_length=32)
    recipient_phone = models.CharField(_("手机号"), max_length=11)
    region = models.CharField(_("所在地区"), max_length=64)
    detail = models.CharField(_("详细地址"), max_length=120)
    is_default = models.BooleanField(_("默认地址"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("收货地址")
        verbose_name_plural = _("收货地址")
        ordering = ["-is_default", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer"], condition=Q(is_default=True, deleted_at__isnull=True),
                name="address_one_default_per_consumer",
            ),
        ]
        indexes = [models.Index(fields=["consumer", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.consumer_id}: {self.region}"

    @property
    def full_address(self) -> str:
        return f"{self.region} {self.detail}"

    @property
    def recipient_phone_masked(self) -> str:
        return phone_mask(self.recipient_phone)


class CartLine(TimeStampedModel):
    """One offer in a consumer's cart (the cart is the consumer's lines), at most once per offer."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_lines")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="cart_lines")
    quantity = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("购物车商品")
        verbose_name_plural = _("购物车商品")
        ordering = ["offer__merchant_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "offer"], name="cart_line_unique_offer"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id}: {self.offer_id} × {self.quantity}"

    @property
    def total_fen(self) -> int:
        return self.offer.price_fen * self.quantity


# -- holds: items kept out of sale (a recall, docs/recalls.md) ---------------------------------------------------


class SaleHold(TimeStampedModel):
    """A lot, or one serialized item, kept out of sale: not counted as stock and refused at shipping.

    Written by a context above (aftersales recalls) that names itself in `reference` ("recall:<id>"); `orders`
    knows only that the items are held and why (ADR recalls-hold-stock-below-aftersales).
    """

    batch = models.ForeignKey(
        "catalog.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="sale_holds"
    )
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="sale_holds")
    reason = models.CharField(_("原因"), max_length=200)
    reference = models.CharField(_("来源"), max_length=64)
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("停售")
        verbose_name_plural = _("停售")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(batch__isnull=False, item__isnull=True) | Q(batch__isnull=True, item__isnull=False),
                name="sale_hold_batch_or_item",
            ),
            models.UniqueConstraint(fields=["reference", "batch"], condition=Q(batch__isnull=False),
                                    name="sale_hold_unique_reference_batch"),
            models.UniqueConstraint(fields=["reference", "item"], condition=Q(item__isnull=False),
                                    name="sale_hold_unique_reference_item"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {'batch ' + str(self.batch_id) if self.batch_id else 'item ' + str(self.item_id)}"

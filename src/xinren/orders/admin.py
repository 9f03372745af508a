"""Operators see orders, payments and shipments read-only: money and statuses move only through services."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import (
    Offer,
    Order,
    OrderLine,
    OrderStatusChange,
    Payment,
    PaymentGroup,
    PaymentWebhookEvent,
    Refund,
    Shipment,
    ShipmentItem,
)


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["product_name", "gtin", "unit_price_fen", "quantity", "total_fen"]


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "by_user", "by_organization", "note"]


class PaymentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["reference", "provider", "status", "amount_fen", "captured_fen", "refunded_fen", "failure_code"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "merchant", "price_fen", "stock", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["product__name", "product__gtin", "merchant__name"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "merchant", "status", "total_fen", "recipient_phone_masked", "placed_at"]
    list_filter = ["status"]
    search_fields = ["number", "merchant__name"]
    exclude = ["recipient_phone", "client_token"]
    inlines = [OrderLineInline, PaymentInline, StatusChangeInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "order", "provider", "status", "amount_fen", "captured_fen", "refunded_fen"]
    list_filter = ["provider", "status"]
    search_fields = ["reference", "provider_ref", "order__number"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["payment", "amount_fen", "status", "failure_code", "created_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["payment__reference", "payment__order__number", "idempotency_key"]


@admin.register(PaymentWebhookEvent)
class PaymentWebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "event_id", "event_type", "outcome"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id"]


class ShipmentItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ShipmentItem
    extra = 0
    fields = ["item", "line"]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "carrier", "tracking_number", "status", "shipped_at", "delivered_at"]
    list_filter = ["status", "delivery_confirmed_by"]
    search_fields = ["order__number", "tracking_number"]
    inlines = [ShipmentItemInline]


@admin.register(PaymentGroup)
class PaymentGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """合并支付: the provider's one payment for a cart checkout's orders (their shares are Payments)."""

    list_display = ["reference", "provider", "status", "amount_fen", "captured_fen", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["reference", "provider_ref", "orders__number"]
    exclude = ["client_token"]

"""Placing, cancelling and expiring orders: stock is reserved and returned, every move is recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.core import clock
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from xinren.orders.choices import OrderStatus, PaymentStatus, RefundStatus
from xinren.orders.models import Offer, Order, OrderLine, OrderStatusChange, Payment
from xinren.orders.payments.sandbox_models import SandboxCharge
from xinren.orders.services import (
    LineRequest,
    order_cancel_by_consumer,
    order_cancel_by_merchant,
    order_place,
    orders_expire,
)

from ..factories import ProductFactory, UserFactory, actor_for
from .flows import ADDRESS, checkout_opened, order_paid, order_placed

pytestmark = pytest.mark.django_db


def _history(order: Order) -> list[tuple[str, str]]:
    return list(OrderStatusChange.objects.filter(order=order).order_by("id").values_list("from_status", "to_status"))


def test_place_an_order_reserves_stock_and_copies_the_price(consumer, product, offer):
    # when
    order = order_placed(consumer, product, 2, recipient_phone="+86 139-0000-1111")
    # then
    assert order.number.isdigit() and len(order.number) == 18
    assert (order.consumer, order.merchant, order.status, order.total_fen, order.currency) == (
        consumer, product.merchant, OrderStatus.PENDING_PAYMENT, 25600, "CNY"
    )
    assert (order.recipient_name, order.recipient_phone, order.recipient_phone_masked, order.shipping_address) == (
        "王小明", "13900001111", "139****1111", ADDRESS
    )
    line = OrderLine.objects.get(order=order)
    assert (line.product, line.offer, line.product_name, line.gtin, line.unit_price_fen, line.quantity,
            line.total_fen) == (product, offer, product.name, product.gtin, 12800, 2, 25600)
    assert Offer.objects.get(pk=offer.pk).stock == 3
    assert _history(order) == [("", "pending_payment")]


def test_a_later_price_change_does_not_touch_placed_orders(merchant_actor, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when
    Offer.objects.filter(pk=offer.pk).update(price_fen=9900)
    # then
    assert Order.objects.get(pk=order.pk).total_fen == 12800
    assert OrderLine.objects.get(order=order).unit_price_fen == 12800


def test_more_than_the_stock_is_refused_and_nothing_changes(consumer, product, offer):
    # when
    with pytest.raises(Conflict) as caught:
        order_placed(consumer, product, 6)
    # then
    assert caught.value.code == "order.out_of_stock"
    assert caught.value.details == {"field": "quantity", "product_id": product.pk, "available": 5}
    assert str(caught.value.message) == f"库存不足：{product.name} 仅剩 5 件"
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"recipient_name": "  "}, "order.invalid", "recipient_name"),
        ({"recipient_phone": "021-5555-1234"}, "consumer.phone_invalid", "recipient_phone"),
        ({"shipping_address": "上海"}, "order.invalid", "shipping_address"),
    ],
)
def test_bad_shipping_details_are_refused(consumer, product, offer, fields, code, field):
    with pytest.raises(InvalidInput) as caught:
        order_placed(consumer, product, **fields)
    assert (caught.value.code, caught.value.details) == (code, {"field": field})
    assert Order.objects.count() == 0
    assert Offer.objects.get(pk=offer.pk).stock == 5


@pytest.mark.parametrize("quantity", [0, 100])
def test_quantity_must_be_1_to_99(consumer, product, offer, quantity):
    with pytest.raises(InvalidInput) as caught:
        order_placed(consumer, product, quantity)
    assert caught.value.details == {"field": "quantity"}
    assert Order.objects.count() == 0


def test_products_not_for_sale_cannot_be_ordered(merchant, consumer, product, offer):
    # given a draft product with an offer, an inactive offer, and a product without an offer
    draft = ProductFactory(merchant=merchant, status="draft")
    Offer.objects.create(merchant=merchant, product=draft, price_fen=100, stock=3)
    paused = ProductFactory(merchant=merchant)
    Offer.objects.create(merchant=merchant, product=paused, price_fen=100, stock=3, active=False)
    unpriced = ProductFactory(merchant=merchant)
    for unavailable in (draft, paused, unpriced):
        # when
        with pytest.raises(Conflict) as caught:
            order_placed(consumer, unavailable)
        # then
        assert caught.value.code == "offer.unavailable"
    assert Order.objects.count() == 0


def test_one_order_holds_one_merchants_products(consumer, product, offer, other_merchant):
    # given
    tea = ProductFactory(merchant=other_merchant)
    Offer.objects.create(merchant=other_merchant, product=tea, price_fen=45800, stock=3)
    # when
    with pytest.raises(InvalidInput) as caught:
        order_place(
            consumer=consumer,
            lines=[LineRequest(product_id=product.pk, quantity=1), LineRequest(product_id=tea.pk, quantity=1)],
            recipient_name="王小明", recipient_phone="13900001111", shipping_address=ADDRESS,
        )
    # then
    assert caught.value.code == "order.mixed_merchants"
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert Order.objects.count() == 0


def test_an_order_of_two_products_totals_both(merchant, consumer, product, offer):
    # given
    pie = ProductFactory(merchant=merchant)
    Offer.objects.create(merchant=merchant, product=pie, price_fen=6800, stock=10)
    # when
    order = order_place(
        consumer=consumer,
        lines=[LineRequest(product_id=product.pk, quantity=1), LineRequest(product_id=pie.pk, quantity=3)],
        recipient_name="王小明", recipient_phone="13900001111", shipping_address=ADDRESS,
    )
    # then
    assert order.total_fen == 12800 + 3 * 6800
    assert sorted(order.lines.values_list("quantity", "total_fen")) == [(1, 12800), (3, 20400)]


def test_the_same_form_token_yields_the_same_order(consumer, product, offer):
    # when
    first = order_placed(consumer, product, client_token="form-7f3a")
    second = order_placed(consumer, product, client_token="form-7f3a")
    # then
    assert first.pk == second.pk
    assert Offer.objects.get(pk=offer.pk).stock == 4


def test_orders_are_rate_limited_per_consumer(settings, consumer, other_consumer, product, offer):
    # given
    settings.XINREN_ORDERS_PER_HOUR = 2
    order_placed(consumer, product)
    order_placed(consumer, product)
    # when
    with pytest.raises(DomainError) as caught:
        order_placed(consumer, product)
    # then
    assert (caught.value.code, caught.value.status, caught.value.details) == (
        "order.rate_limited", 429, {"limit_per_hour": 2}
    )
    assert Order.objects.count() == 2
    assert Offer.objects.get(pk=offer.pk).stock == 3
    assert order_placed(other_consumer, product).consumer == other_consumer


def test_staff_accounts_without_a_phone_cannot_order(product, offer):
    with pytest.raises(PermissionDenied):
        order_placed(UserFactory(phone=None), product)
    assert Order.objects.count() == 0


def test_consumer_cancels_an_unpaid_order_and_the_stock_returns(consumer, product, offer):
    # given
    order = order_placed(consumer, product, 2)
    payment = checkout_opened(consumer, order)
    # when
    cancelled = order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    # then
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "消费者取消订单")
    assert cancelled.cancelled_at is not None
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.VOIDED
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "voided"
    assert _history(order) == [("", "pending_payment"), ("pending_payment", "cancelled")]


def test_cancelling_a_paid_order_refunds_it_in_full(consumer, product, offer):
    # given
    order = order_placed(consumer, product, 2)
    payment = order_paid(consumer, order)
    # when
    order_cancel_by_consumer(consumer=consumer, order_number=order.number, reason="买错了")
    # then
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (PaymentStatus.REFUNDED, 25600, 25600)
    assert list(payment.refunds.values_list("amount_fen", "status", "reason")) == [
        (25600, RefundStatus.SUCCEEDED, "买错了")
    ]
    assert SandboxCharge.objects.get(ref=payment.provider_ref).refunded_fen == 25600
    assert Offer.objects.get(pk=offer.pk).stock == 5


def test_another_consumers_order_is_not_found(consumer, other_consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when
    with pytest.raises(NotFound):
        order_cancel_by_consumer(consumer=other_consumer, order_number=order.number)
    # then
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
    assert Offer.objects.get(pk=offer.pk).stock == 4


def test_merchant_cancels_with_a_reason(merchant_actor, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when
    with pytest.raises(InvalidInput):
        order_cancel_by_merchant(actor=merchant_actor, order_number=order.number, reason=" ")
    cancelled = order_cancel_by_merchant(actor=merchant_actor, order_number=order.number, reason="暴雨封山，无法采收")
    # then
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "暴雨封山，无法采收")
    change = OrderStatusChange.objects.get(order=order, to_status="cancelled")
    assert (change.by_user, change.by_organization) == (merchant_actor.user, merchant_actor.organization)


def test_other_merchants_and_viewers_cannot_cancel(merchant, other_actor, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when / then
    with pytest.raises(NotFound):
        order_cancel_by_merchant(actor=other_actor, order_number=order.number, reason="不是我的")
    with pytest.raises(PermissionDenied):
        order_cancel_by_merchant(actor=actor_for(merchant, Role.VIEWER), order_number=order.number, reason="x")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_a_cancelled_order_cannot_be_cancelled_again(consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    # when
    with pytest.raises(Conflict) as caught:
        order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    # then
    assert caught.value.code == "order.transition_invalid"
    assert str(caught.value.message) == "当前状态为“已取消”，不能变为“已取消”"
    assert Offer.objects.get(pk=offer.pk).stock == 5


def test_unpaid_orders_expire_after_the_payment_window(monkeypatch, consumer, product, offer):
    # given an order placed 31 minutes ago and one placed just now
    placed = clock.now() - dt.timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: placed)
    old = order_placed(consumer, product)
    monkeypatch.undo()
    fresh = order_placed(consumer, product)
    # when
    expired = orders_expire()
    # then
    assert expired == 1
    assert Order.objects.get(pk=old.pk).status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=old.pk).cancel_reason == "超时未付款，订单自动取消"
    assert Order.objects.get(pk=fresh.pk).status == OrderStatus.PENDING_PAYMENT
    assert Offer.objects.get(pk=offer.pk).stock == 4


def test_expiry_first_asks_the_provider_and_keeps_an_order_just_paid(monkeypatch, consumer, product, offer):
    # given an old order whose consumer completed the hosted checkout, but the platform has not heard yet
    from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token

    placed = clock.now() - dt.timedelta(minutes=45)
    monkeypatch.setattr(clock, "now", lambda: placed)
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    monkeypatch.undo()
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    # when
    expired = orders_expire()
    # then
    assert expired == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

"""The cart, the address book, checkout across merchants and the combined payment (合并支付)."""

from __future__ import annotations

import pytest

from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.orders.choices import OrderStatus, PaymentStatus, RefundStatus
from xinren.orders.models import Address, CartLine, Offer, Order, OrderLine, Payment, PaymentGroup, Refund
from xinren.orders.payments.sandbox import Token
from xinren.orders.payments.sandbox_models import SandboxCharge
from xinren.orders.services import (
    address_create,
    address_default_set,
    address_delete,
    address_update,
    cart_add,
    cart_checkout,
    cart_count,
    cart_line_update,
    order_cancel_by_consumer,
    order_expire,
    payment_start,
    refund_request,
)
from xinren.orders.services import checkout as checkout_module
from xinren.orders.services.addresses import MAX_ADDRESSES

from .cart_flows import address_saved, cart_checked_out, group_paid

pytestmark = pytest.mark.django_db


# -- addresses -------------------------------------------------------------------------------------------------------


def test_the_first_address_is_the_default_and_a_new_default_replaces_it(consumer):
    first = address_saved(consumer)
    second = address_create(
        consumer=consumer, recipient_name="李四", recipient_phone="138 1234 5678", region="北京市 朝阳区",
        detail="建国路 88 号", is_default=True,
    )
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert second.recipient_phone == "13812345678"
    assert second.recipient_phone_masked == "138****5678"
    address_default_set(consumer=consumer, address_id=first.pk)
    assert list(Address.objects.filter(is_default=True)) == [first]


def test_deleting_the_default_address_marks_it_and_passes_the_default_on(consumer):
    first = address_saved(consumer)
    second = address_saved(consumer, detail="世纪大道 1 号")
    address_delete(consumer=consumer, address_id=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.deleted_at is not None and not first.is_default
    assert second.is_default


def test_a_bad_phone_or_another_consumers_address_is_refused(consumer, other_consumer):
    with pytest.raises(InvalidInput) as caught:
        address_saved(consumer, recipient_phone="12345")
    assert caught.value.details["field"] == "recipient_phone"
    address = address_saved(other_consumer)
    with pytest.raises(NotFound):
        address_update(
            consumer=consumer, address_id=address.pk, recipient_name="x", recipient_phone="13900001111",
            region="上海市", detail="某路 1 号",
        )
    assert Address.objects.get(pk=address.pk).recipient_name == "王小明"


def test_the_address_book_has_a_limit(consumer):
    for n in range(MAX_ADDRESSES):
        address_saved(consumer, detail=f"张杨路 {n} 号")
    with pytest.raises(DomainError) as caught:
        address_saved(consumer)
    assert caught.value.code == "address.limit_reached"
    assert "最多保存" in str(caught.value.message)
    assert Address.objects.count() == MAX_ADDRESSES


# -- cart ------------------------------------------------------------------------------------------------------------


def test_adding_twice_adds_up_and_the_count_is_units(consumer, product, offer):
    cart_add(consumer=consumer, product_id=product.pk, quantity=1)
    line = cart_add(consumer=consumer, product_id=product.pk, quantity=2)
    assert line.quantity == 3
    assert CartLine.objects.count() == 1
    assert cart_count(consumer=consumer) == 3


def test_the_cart_refuses_more_than_in_stock_naming_what_is_left(consumer, product, offer):
    cart_add(consumer=consumer, product_id=product.pk, quantity=4)
    with pytest.raises(Conflict) as caught:
        cart_add(consumer=consumer, product_id=product.pk, quantity=2)
    assert caught.value.code == "order.out_of_stock"
    assert f"{product.name} 仅剩 5 件" in str(caught.value.message)
    assert CartLine.objects.get().quantity == 4


def test_a_quantity_of_zero_removes_the_line(consumer, product, offer):
    line = cart_add(consumer=consumer, product_id=product.pk)
    assert cart_line_update(consumer=consumer, line_id=line.pk, quantity=0) is None
    assert not CartLine.objects.exists()


# -- checkout --------------------------------------------------------------------------------------------------------


def test_a_cart_of_two_merchants_becomes_two_orders_and_one_payment(
    consumer, product_on_sale, other_product_on_sale
):
    # when
    group = cart_checked_out(consumer, (product_on_sale, 2), (other_product_on_sale, 1))
    # then
    orders = list(Order.objects.order_by("merchant_id"))
    assert len(orders) == 2
    assert {order.merchant_id for order in orders} == {product_on_sale.merchant_id, other_product_on_sale.merchant_id}
    assert all(order.payment_group_id == group.pk for order in orders)
    assert group.amount_fen == 2 * 12800 + 26800 == sum(order.total_fen for order in orders)
    assert orders[0].shipping_address == "上海市 浦东新区 张杨路 500 号 12 楼"
    assert Payment.objects.filter(group=group).count() == 2
    assert not CartLine.objects.exists()
    assert Offer.objects.get(product=product_on_sale).stock == 998


def test_the_same_checkout_submitted_twice_makes_one_set_of_orders(consumer, product_on_sale):
    address = address_saved(consumer)
    cart_add(consumer=consumer, product_id=product_on_sale.pk, quantity=1)
    first = cart_checkout(consumer=consumer, address_id=address.pk, client_token="form-1")
    second = cart_checkout(consumer=consumer, address_id=address.pk, client_token="form-1")
    assert first.pk == second.pk
    assert Order.objects.count() == 1


@pytest.mark.parametrize("case", ["deleted_address", "beyond_stock", "empty", "inactive"])
def test_bad_checkouts_get_a_chinese_reason_and_change_nothing(case, consumer, product, offer):
    address = address_saved(consumer)
    cart_add(consumer=consumer, product_id=product.pk, quantity=3)
    expected = {
        "deleted_address": ("address.not_found", "收货地址不存在或已删除"),
        "beyond_stock": ("order.out_of_stock", f"库存不足：{product.name} 仅剩 2 件"),
        "empty": ("cart.empty", "购物车是空的"),
        "inactive": ("offer.unavailable", f"{product.name} 已下架"),
    }[case]
    if case == "deleted_address":
        address_delete(consumer=consumer, address_id=address.pk)
    elif case == "beyond_stock":
        Offer.objects.filter(pk=offer.pk).update(stock=2)
    elif case == "empty":
        CartLine.objects.all().delete()
    else:
        Offer.objects.filter(pk=offer.pk).update(active=False)
    stock = Offer.objects.get(pk=offer.pk).stock
    # when
    with pytest.raises(DomainError) as caught:
        cart_checkout(consumer=consumer, address_id=address.pk, client_token="t")
    # then
    assert caught.value.code == expected[0]
    assert expected[1] in str(caught.value.message)
    assert Order.objects.count() == PaymentGroup.objects.count() == Payment.objects.count() == 0
    assert Offer.objects.get(pk=offer.pk).stock == stock
    assert CartLine.objects.count() == (0 if case == "empty" else 1)


def test_a_failure_in_the_second_merchants_order_writes_nothing(
    monkeypatch, consumer, product_on_sale, other_product_on_sale
):
    # given the second order's writing fails
    real = checkout_module.order_create
    calls: list[int] = []

    def failing_second(**kwargs):  # type: ignore[no-untyped-def,unused-ignore]
        calls.append(1)
        if len(calls) == 2:
            raise InvalidInput("test.failure", "第二个订单写入失败")
        return real(**kwargs)

    monkeypatch.setattr(checkout_module, "order_create", failing_second)
    # when
    with pytest.raises(InvalidInput):
        cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1))
    # then
    assert len(calls) == 2
    assert Order.objects.count() == OrderLine.objects.count() == 0
    assert PaymentGroup.objects.count() == Payment.objects.count() == 0
    assert CartLine.objects.count() == 2
    assert Offer.objects.get(product=product_on_sale).stock == 1000
    assert Offer.objects.get(product=other_product_on_sale).stock == 1000


def test_the_hourly_order_limit_counts_every_order_of_a_checkout(
    settings, consumer, product_on_sale, other_product_on_sale
):
    settings.XINREN_ORDERS_PER_HOUR = 1
    with pytest.raises(DomainError) as caught:
        cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1))
    assert caught.value.code == "order.rate_limited"
    assert Order.objects.count() == 0


# -- the combined payment ------------------------------------------------------------------------------------------


def test_one_combined_payment_pays_every_order(consumer, product_on_sale, other_product_on_sale):
    group = cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 2))
    # when
    group = group_paid(consumer, group)
    # then
    assert (group.status, group.captured_fen) == (PaymentStatus.CAPTURED, group.amount_fen)
    assert SandboxCharge.objects.count() == 1
    charge = SandboxCharge.objects.get()
    assert (charge.reference, charge.captured_fen) == (group.reference, 12800 + 2 * 26800)
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PAID}
    assert [(p.status, p.captured_fen) for p in Payment.objects.order_by("order__merchant_id")] == [
        (PaymentStatus.CAPTURED, 12800),
        (PaymentStatus.CAPTURED, 53600),
    ]


def test_paying_one_order_of_the_group_opens_the_combined_checkout(consumer, product_on_sale, other_product_on_sale):
    group = cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1))
    order = Order.objects.first()
    assert order is not None
    payment = payment_start(consumer=consumer, order_number=order.number, return_url="/shop/orders/")
    group.refresh_from_db()
    assert payment.group_id == group.pk
    assert payment.checkout_url == group.checkout_url != ""
    assert SandboxCharge.objects.get().amount_fen == group.amount_fen


def test_a_declined_combined_payment_leaves_the_orders_to_pay_one_by_one(
    consumer, product_on_sale, other_product_on_sale
):
    group = group_paid(
        consumer, cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1)), token=Token.DECLINE
    )
    assert group.status == PaymentStatus.FAILED
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.FAILED}
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PENDING_PAYMENT}
    # then one order is paid on its own
    order = Order.objects.order_by("pk").first()
    assert order is not None
    payment = payment_start(consumer=consumer, order_number=order.number, return_url="/")
    assert payment.group_id is None and payment.amount_fen == order.total_fen


def test_cancelling_one_unpaid_order_closes_the_combined_payment(consumer, product_on_sale, other_product_on_sale):
    group = cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1))
    first, second = Order.objects.order_by("pk")
    payment_start(consumer=consumer, order_number=first.number, return_url="/")
    # when
    order_cancel_by_consumer(consumer=consumer, order_number=first.number)
    # then
    group.refresh_from_db()
    assert group.status == PaymentStatus.VOIDED
    assert SandboxCharge.objects.get().status == "voided"
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.VOIDED}
    second.refresh_from_db()
    assert second.status == OrderStatus.PENDING_PAYMENT
    assert payment_start(consumer=consumer, order_number=second.number, return_url="/").amount_fen == 26800


def test_refunds_stay_per_order_within_the_combined_charge(
    consumer, merchant_admin, product_on_sale, other_product_on_sale
):
    group = group_paid(consumer, cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1)))
    mine = Order.objects.get(merchant=merchant_admin.organization)
    # when the merchant refunds more than its own order, then exactly its order
    with pytest.raises(Conflict):
        refund_request(actor=merchant_admin, order_number=mine.number, amount_fen=12801, reason="破损")
    refund = refund_request(actor=merchant_admin, order_number=mine.number, amount_fen=12800, reason="破损")
    # then
    assert refund.status == RefundStatus.SUCCEEDED
    charge = SandboxCharge.objects.get(reference=group.reference)
    assert (charge.captured_fen, charge.refunded_fen) == (12800 + 26800, 12800)
    assert Payment.objects.get(order=mine).status == PaymentStatus.REFUNDED
    assert Payment.objects.exclude(order=mine).get().status == PaymentStatus.CAPTURED


def test_cancelling_a_paid_order_of_the_group_refunds_only_its_share(
    consumer, product_on_sale, other_product_on_sale
):
    group_paid(consumer, cart_checked_out(consumer, (product_on_sale, 1), (other_product_on_sale, 1)))
    first = Order.objects.order_by("pk").first()
    assert first is not None
    order_cancel_by_consumer(consumer=consumer, order_number=first.number)
    assert Refund.objects.get().amount_fen == first.total_fen
    assert SandboxCharge.objects.get().refunded_fen == first.total_fen
    assert Order.objects.exclude(pk=first.pk).get().status == OrderStatus.PAID


def test_an_expired_checkout_cancels_every_order_and_returns_the_stock(
    settings, consumer, product_on_sale, other_product_on_sale
):
    from datetime import timedelta

    from xinren.core import clock

    group = cart_checked_out(consumer, (product_on_sale, 3), (other_product_on_sale, 1))
    later = clock.now() + timedelta(hours=2)
    for order in Order.objects.all():
        order_expire(order_id=order.pk, now=later)
    group.refresh_from_db()
    assert group.status == PaymentStatus.VOIDED
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CANCELLED}
    assert Offer.objects.get(product=product_on_sale).stock == 1000

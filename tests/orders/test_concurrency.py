"""Races on PostgreSQL, where row locks are real: each thread has its own connection and transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xinren.catalog.shelf_life import local_date
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.orders.choices import OrderStatus, PaymentStatus, RefundStatus
from xinren.orders.models import Offer, Order, OrderStatusChange, Payment, PaymentWebhookEvent, Refund, Shipment
from xinren.orders.payments import sandbox as sandbox_module
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.payments.sandbox_models import SandboxCharge, SandboxIdempotencyKey, SandboxWebhookEvent
from xinren.orders.payments.signatures import SIGNATURE_HEADER, webhook_secrets, webhook_sign
from xinren.orders.services import payment_capture, payment_return, payment_webhook_receive, refund_request

from ..concurrency import race
from ..factories import BatchFactory, ItemFactory
from ..fixtures.accounts import consumer_with_phone
from .flows import checkout_opened, order_paid, order_placed, order_shipped

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_six_buyers_for_the_last_three_units(require_postgres, merchant, product):
    # given
    offer = Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=3)
    buyers = [consumer_with_phone(f"1390000000{n}") for n in range(6)]
    # when
    results = race(*(lambda buyer=buyer: order_placed(buyer, product) for buyer in buyers))
    # then
    assert _codes(results) == ["ok"] * 3 + ["order.out_of_stock"] * 3
    assert Offer.objects.get(pk=offer.pk).stock == 0
    assert Order.objects.count() == 3


def test_a_double_submitted_form_makes_one_order(require_postgres, consumer, product, offer):
    # when
    results = race(*(lambda: order_placed(consumer, product, client_token="form-1") for _ in range(4)))
    # then
    assert len({order.pk for order in results}) == 1
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).stock == 4


def test_the_rate_limit_holds_under_concurrency(require_postgres, settings, consumer, product, merchant):
    # given
    settings.XINREN_ORDERS_PER_HOUR = 2
    Offer.objects.create(merchant=merchant, product=product, price_fen=100, stock=50)
    # when
    results = race(*(lambda: order_placed(consumer, product) for _ in range(5)))
    # then
    assert _codes(results) == ["ok", "ok", "order.rate_limited", "order.rate_limited", "order.rate_limited"]
    assert Order.objects.count() == 2


@pytest.fixture
def held_webhooks(monkeypatch):  # type: ignore[no-untyped-def]
    """The sandbox's webhooks stay queued instead of being delivered after its commit."""
    monkeypatch.setattr(sandbox_module, "webhook_deliver", lambda *, event_id: False)


def test_two_captures_at_once_take_the_money_once(require_postgres, held_webhooks, consumer, product, offer):
    # given an authorisation the platform has heard of but not yet captured
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    # when
    race(lambda: payment_capture(payment_id=payment.pk), lambda: payment_capture(payment_id=payment.pk))
    # then
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (PaymentStatus.CAPTURED, 12800, 0)
    assert OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1
    assert SandboxCharge.objects.get(ref=payment.provider_ref).captured_fen == 12800
    assert SandboxIdempotencyKey.objects.filter(key=f"capture:{payment.reference}").count() == 1
    assert Refund.objects.count() == 0


def test_the_same_webhook_delivered_three_times_at_once_counts_once(
    require_postgres, held_webhooks, consumer, product, offer
):
    # given an "authorised" event waiting to be delivered
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    body = SandboxWebhookEvent.objects.get(event_type="payment.authorised").body.encode()

    def deliver() -> str:
        timestamp = int(clock.now().timestamp())
        headers = {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=timestamp, secrets=webhook_secrets()[:1])}
        return payment_webhook_receive(provider_name="sandbox", body=body, headers=headers)

    # when
    results = race(deliver, deliver, deliver)
    # then
    assert sorted(results) == ["duplicate", "duplicate", "payment_authorised"]
    assert PaymentWebhookEvent.objects.filter(event_type="payment.authorised").count() == 1
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen) == (PaymentStatus.CAPTURED, 12800)
    assert OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1
    assert SandboxCharge.objects.get(ref=payment.provider_ref).captured_fen == 12800


def test_a_webhook_and_the_consumers_return_at_once(require_postgres, held_webhooks, consumer, product, offer):
    # given the consumer finished the hosted checkout
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    body = SandboxWebhookEvent.objects.get(event_type="payment.authorised").body.encode()
    headers = {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=int(clock.now().timestamp()),
                                              secrets=webhook_secrets()[:1])}
    # when the webhook arrives while the consumer's browser returns
    race(
        lambda: payment_webhook_receive(provider_name="sandbox", body=body, headers=headers),
        lambda: payment_return(consumer=consumer, order_number=order.number),
    )
    # then
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen) == (PaymentStatus.CAPTURED, 12800)
    assert OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.PAID).count() == 1
    assert Refund.objects.count() == 0


def test_two_refunds_at_once_never_exceed_what_was_paid(require_postgres, merchant_admin, consumer, product, offer):
    # given a paid order of 12,800 fen
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    # when two refunds of 8,000 fen race
    results = race(
        *(lambda: refund_request(actor=merchant_admin, order_number=order.number, amount_fen=8000, reason="破损")
          for _ in range(2))
    )
    # then
    assert _codes(results) == ["ok", "refund.exceeds_captured"]
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, 8000)
    assert list(Refund.objects.values_list("status", flat=True)) == [RefundStatus.SUCCEEDED]
    assert SandboxCharge.objects.get().refunded_fen == 8000


def test_two_orders_shipping_the_same_item_at_once(require_postgres, merchant_actor, product, offer, items):
    # given two paid orders
    buyers = [consumer_with_phone("13900000001"), consumer_with_phone("13900000002")]
    orders = []
    for buyer in buyers:
        order = order_placed(buyer, product)
        order_paid(buyer, order)
        orders.append(order)
    # when both try to ship item SN0001
    results = race(*(lambda order=order: order_shipped(merchant_actor, order, items[:1]) for order in orders))
    # then
    assert _codes(results) == ["ok", "shipment.item_already_shipped"]
    assert Shipment.objects.count() == 1
    assert Order.objects.filter(status=OrderStatus.SHIPPED).count() == 1


def test_six_buyers_for_the_last_two_fresh_items_when_the_offer_says_fifty(require_postgres, merchant, product):
    # given: the merchant's count is generous, but only two items of the lot are still within shelf life
    today = local_date(timezone.now())
    fresh = BatchFactory(product=product, lot="FRESH", expiry_date=today + dt.timedelta(days=10))
    stale = BatchFactory(product=product, lot="STALE", expiry_date=today - dt.timedelta(days=1))
    for n in range(2):
        ItemFactory(batch=fresh, serial=f"F{n}")
    for n in range(5):
        ItemFactory(batch=stale, serial=f"S{n}")
    offer = Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=50)
    buyers = [consumer_with_phone(f"1390000001{n}") for n in range(6)]
    # when
    results = race(*(lambda buyer=buyer: order_placed(buyer, product) for buyer in buyers))
    # then: the offer's row lock serialises them, and each counts the others' committed orders
    assert _codes(results) == ["ok"] * 2 + ["order.out_of_stock"] * 4
    assert Offer.objects.get(pk=offer.pk).stock == 48
    assert Order.objects.count() == 2

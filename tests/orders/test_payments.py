"""Paying through the sandbox provider: checkout, authorise, capture, void, refunds and the failure triggers."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from xinren.orders.choices import OrderStatus, PaymentStatus, RefundStatus
from xinren.orders.models import Offer, Order, OrderStatusChange, Payment, Refund
from xinren.orders.payments import provider_get
from xinren.orders.payments.provider import PaymentProvider, ProviderError
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.payments.sandbox_models import SandboxCharge, SandboxIdempotencyKey, SandboxRefund
from xinren.orders.services import (
    order_cancel_by_consumer,
    payment_capture,
    payment_refresh,
    payment_start,
    refund_request,
)
from xinren.orders.services.payments import _payment_sync

from ..factories import actor_for
from .flows import checkout_opened, order_paid, order_placed

pytestmark = pytest.mark.django_db

sandbox = SandboxPaymentProvider()


def test_the_configured_provider_is_the_named_sandbox():
    provider = provider_get()
    assert isinstance(provider, SandboxPaymentProvider)
    assert isinstance(provider, PaymentProvider)
    assert provider.name == "sandbox"


def test_an_unknown_provider_is_refused(settings):
    settings.XINREN_PAYMENT_PROVIDER = "wechatpay"
    with pytest.raises(NotFound) as caught:
        provider_get()
    assert caught.value.details == {"provider": "wechatpay"}


def test_start_opens_a_hosted_checkout_once(consumer, product, offer):
    # given
    order = order_placed(consumer, product, 2)
    # when
    payment = checkout_opened(consumer, order)
    again = checkout_opened(consumer, order)
    # then
    assert again.pk == payment.pk
    assert (payment.provider, payment.status, payment.amount_fen, payment.currency) == (
        "sandbox", PaymentStatus.CREATED, 25600, "CNY"
    )
    assert payment.checkout_url == f"/shop/sandbox/pay/{payment.provider_ref}/"
    charge = SandboxCharge.objects.get()
    assert (charge.ref, charge.reference, charge.amount_fen, charge.status, charge.return_url) == (
        payment.provider_ref, payment.reference, 25600, "requires_authorisation", f"/shop/orders/{order.number}/"
    )


def test_paying_authorises_then_captures_and_the_order_is_paid(consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when
    payment = order_paid(consumer, order, Token.SUCCESS)
    # then
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (PaymentStatus.CAPTURED, 12800, 0)
    assert payment.authorised_at is not None and payment.captured_at is not None
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_at == payment.captured_at
    assert list(OrderStatusChange.objects.filter(order=order).values_list("to_status", "note")) == [
        ("pending_payment", ""), ("paid", payment.reference)
    ]
    charge = SandboxCharge.objects.get(ref=payment.provider_ref)
    assert (charge.status, charge.captured_fen) == ("captured", 12800)


def test_a_wallet_authorises_and_captures_in_one_step(consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when
    payment = order_paid(consumer, order, Token.WALLET)
    # then
    assert (payment.status, payment.captured_fen) == (PaymentStatus.CAPTURED, 12800)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


@pytest.mark.parametrize(
    ("token", "code"),
    [(Token.DECLINE, "card_declined"), (Token.INSUFFICIENT_FUNDS, "insufficient_funds"),
     (Token.CAPTURE_FAIL, "processing_error")],
)
def test_failures_leave_the_order_awaiting_payment(consumer, product, offer, token, code):
    # given
    order = order_placed(consumer, product)
    # when
    payment = order_paid(consumer, order, token)
    # then
    assert (payment.status, payment.failure_code, payment.captured_fen) == (PaymentStatus.FAILED, code, 0)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
    # and the consumer can try again with a new attempt
    retry = order_paid(consumer, order, Token.SUCCESS)
    assert retry.pk != payment.pk and retry.status == PaymentStatus.CAPTURED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_amounts_above_the_limit_are_declined(merchant, consumer, product):
    # given an order of 2 × 30,000.00 yuan
    Offer.objects.create(merchant=merchant, product=product, price_fen=3_000_000, stock=5)
    order = order_placed(consumer, product, 2)
    # when
    payment = order_paid(consumer, order, Token.SUCCESS)
    # then
    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, "amount_too_large")


def test_payment_attempts_are_limited(consumer, product, offer):
    # given five declined attempts
    order = order_placed(consumer, product)
    for _ in range(5):
        order_paid(consumer, order, Token.DECLINE)
    # when
    with pytest.raises(DomainError) as caught:
        checkout_opened(consumer, order)
    # then
    assert (caught.value.code, caught.value.status) == ("payment.too_many_attempts", 429)
    assert Payment.objects.filter(order=order).count() == 5


def test_only_the_buyer_can_pay_and_only_while_awaiting_payment(consumer, other_consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when / then
    with pytest.raises(NotFound):
        checkout_opened(other_consumer, order)
    order_paid(consumer, order)
    with pytest.raises(Conflict) as caught:
        checkout_opened(consumer, order)
    assert caught.value.code == "order.transition_invalid"
    assert Payment.objects.filter(order=order).count() == 1


def test_capturing_twice_takes_the_money_once(consumer, product, offer):
    # given an authorised payment (the hosted page finished; the platform has not captured yet)
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    # when it is captured, and a racing second caller that read "authorised" before the first one applied its
    # answer repeats the capture with the same key and applies the (replayed) answer
    payment_capture(payment_id=payment.pk)
    replayed = sandbox.capture(
        provider_ref=payment.provider_ref, amount_fen=12800, idempotency_key=f"capture:{payment.reference}"
    )
    _payment_sync(payment_id=payment.pk, remote=replayed)
    payment_capture(payment_id=payment.pk)
    # then
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen) == (PaymentStatus.CAPTURED, 12800)
    assert OrderStatusChange.objects.filter(order=order, to_status="paid").count() == 1
    assert SandboxIdempotencyKey.objects.filter(key=f"capture:{payment.reference}").count() == 1
    assert SandboxCharge.objects.get(ref=payment.provider_ref).captured_fen == 12800


def test_the_sandbox_honours_idempotency_keys(consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    first = sandbox.authorise(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS, idempotency_key="k-1")
    # when the same request is repeated with the same key
    again = sandbox.authorise(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS, idempotency_key="k-1")
    # then the first answer comes back
    assert again == first
    # and the same key for a different request is refused
    with pytest.raises(ProviderError) as caught:
        sandbox.authorise(provider_ref=payment.provider_ref, payment_token=Token.DECLINE, idempotency_key="k-1")
    assert caught.value.code == "idempotency_key_reused"
    # and a new key cannot authorise twice
    with pytest.raises(ProviderError) as caught:
        sandbox.authorise(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS, idempotency_key="k-2")
    assert caught.value.code == "payment_not_authorisable"


def test_the_sandbox_refuses_what_a_real_provider_refuses(consumer, product, offer):
    # given a captured payment
    order = order_placed(consumer, product)
    payment = order_paid(consumer, order)
    ref = payment.provider_ref
    # then
    cases = [
        (lambda: sandbox.capture(provider_ref=ref, amount_fen=12800, idempotency_key="again"),
         "payment_not_capturable"),
        (lambda: sandbox.void(provider_ref=ref, idempotency_key="v"), "payment_not_voidable"),
        (lambda: sandbox.refund(provider_ref=ref, amount_fen=12801, reference="r", reason="x", idempotency_key="r1"),
         "amount_exceeds_refundable"),
        (lambda: sandbox.payment_retrieve(provider_ref="sbx_pay_nope"), "payment_not_found"),
        (lambda: sandbox.checkout_create(reference="p", amount_fen=0, currency="CNY", description="", return_url="/",
                                         idempotency_key="c"), "amount_invalid"),
        (lambda: sandbox.checkout_create(reference="p", amount_fen=1, currency="USD", description="", return_url="/",
                                         idempotency_key="c"), "currency_unsupported"),
        (lambda: sandbox.authorise(provider_ref=ref, payment_token="tok_unknown", idempotency_key=""),
         "idempotency_key_required"),
    ]
    for call, code in cases:
        with pytest.raises(ProviderError) as caught:
            call()
        assert caught.value.code == code
    assert SandboxCharge.objects.get(ref=ref).captured_fen == 12800


def test_partial_then_full_refund(merchant_admin, consumer, product, offer):
    # given a paid order of 25,600 fen
    order = order_placed(consumer, product, 2)
    payment = order_paid(consumer, order)
    # when
    first = refund_request(actor=merchant_admin, order_number=order.number, amount_fen=5000, reason="一只菌盖破损")
    payment.refresh_from_db()
    partial = (payment.status, payment.refunded_fen)
    second = refund_request(actor=merchant_admin, order_number=order.number, amount_fen=20600, reason="整单退回")
    # then
    payment.refresh_from_db()
    assert partial == (PaymentStatus.PARTIALLY_REFUNDED, 5000)
    assert (first.status, second.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUCCEEDED)
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.REFUNDED, 25600)
    assert first.provider_ref.startswith("sbx_re_") and first.completed_at is not None
    assert list(SandboxRefund.objects.order_by("id").values_list("amount_fen", "status")) == [
        (5000, "succeeded"), (20600, "succeeded")
    ]


def test_refunding_more_than_was_paid_is_refused(merchant_admin, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    payment = order_paid(consumer, order)
    refund_request(actor=merchant_admin, order_number=order.number, amount_fen=2800, reason="少发一只")
    # when
    with pytest.raises(Conflict) as caught:
        refund_request(actor=merchant_admin, order_number=order.number, amount_fen=10001, reason="再退")
    # then
    assert caught.value.code == "refund.exceeds_captured"
    assert caught.value.details == {"field": "amount_fen", "available_fen": 10000}
    assert str(caught.value.message) == "退款金额超过可退金额（100.00 元）"
    assert Refund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).refunded_fen == 2800


def test_a_refund_key_is_honoured(merchant_admin, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    payment = order_paid(consumer, order)
    first = refund_request(
        actor=merchant_admin, order_number=order.number, amount_fen=1000, reason="补偿", idempotency_key="claim-7"
    )
    # when the same request is sent again, and then the key with another amount
    again = refund_request(
        actor=merchant_admin, order_number=order.number, amount_fen=1000, reason="补偿", idempotency_key="claim-7"
    )
    with pytest.raises(Conflict) as caught:
        refund_request(
            actor=merchant_admin, order_number=order.number, amount_fen=2000, reason="补偿", idempotency_key="claim-7"
        )
    # then
    assert again.pk == first.pk
    assert caught.value.code == "refund.idempotency_key_reused"
    assert Payment.objects.get(pk=payment.pk).refunded_fen == 1000


def test_a_refund_the_provider_declines_changes_no_balance(merchant_admin, consumer, product, offer):
    # given a payment made with the token whose refunds fail
    order = order_placed(consumer, product)
    payment = order_paid(consumer, order, Token.REFUND_FAIL)
    # when
    refund = refund_request(actor=merchant_admin, order_number=order.number, amount_fen=5000, reason="破损")
    # then
    assert (refund.status, refund.failure_code) == (RefundStatus.FAILED, "refund_declined")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.CAPTURED, 0)
    # and the amount is available again for a later try
    with pytest.raises(Conflict):
        refund_request(actor=merchant_admin, order_number=order.number, amount_fen=12801, reason="破损")


@pytest.mark.parametrize(("amount", "reason", "field"), [(0, "破损", "amount_fen"), (100, " ", "reason")])
def test_refund_input_is_checked(merchant_admin, consumer, product, offer, amount, reason, field):
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    with pytest.raises(InvalidInput) as caught:
        refund_request(actor=merchant_admin, order_number=order.number, amount_fen=amount, reason=reason)
    assert caught.value.details == {"field": field}
    assert Refund.objects.count() == 0


def test_who_may_refund(merchant, merchant_actor, other_merchant, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    # then staff may not, another merchant's admin does not even find the order
    with pytest.raises(PermissionDenied):
        refund_request(actor=merchant_actor, order_number=order.number, amount_fen=100, reason="x")
    with pytest.raises(NotFound):
        refund_request(actor=actor_for(other_merchant, Role.ADMIN), order_number=order.number, amount_fen=100,
                       reason="x")
    assert Refund.objects.count() == 0


def test_an_unpaid_order_cannot_be_refunded(merchant_admin, consumer, product, offer):
    order = order_placed(consumer, product)
    with pytest.raises(Conflict) as caught:
        refund_request(actor=merchant_admin, order_number=order.number, amount_fen=100, reason="x")
    assert caught.value.code == "order.transition_invalid"


def test_money_arriving_for_a_cancelled_order_goes_back(consumer, product, offer):
    # given the consumer cancels while the hosted page is still open, then pays there anyway
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    Payment.objects.filter(pk=payment.pk).update(provider_ref="")  # the void cannot reach the provider's record
    order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    Payment.objects.filter(pk=payment.pk).update(provider_ref=SandboxCharge.objects.get().ref, status="created")
    sandbox.checkout_complete(provider_ref=SandboxCharge.objects.get().ref, payment_token=Token.WALLET)
    # when the platform hears of it
    payment_refresh(payment_id=payment.pk)
    # then it is refunded in full and the order stays cancelled
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (PaymentStatus.REFUNDED, 12800, 12800)
    assert list(payment.refunds.values_list("idempotency_key", "status")) == [
        (f"auto:{payment.reference}", RefundStatus.SUCCEEDED)
    ]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED


def test_cancelling_while_authorised_voids_the_authorisation(consumer, product, offer):
    # given an authorisation the platform has heard of but not captured (e.g. the capture is failing)
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    # when
    order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    # then
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.VOIDED
    assert SandboxCharge.objects.get(ref=payment.provider_ref).status == "voided"


def test_start_uses_the_return_url_given(consumer, product, offer):
    order = order_placed(consumer, product)
    payment = payment_start(consumer=consumer, order_number=order.number, return_url="/shop/orders/x/return/")
    assert SandboxCharge.objects.get(ref=payment.provider_ref).return_url == "/shop/orders/x/return/"

"""The keyed hashes an order keeps for the brushing-ring detector (governance/rings, ADR 0050): the device it was
placed from and the payment provider's payer account, never the ids themselves."""

from __future__ import annotations

import dataclasses

import pytest

from xinren.accounts.keyed import keyed_hash
from xinren.orders.choices import PaymentStatus
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import LineRequest, order_place
from xinren.orders.services.payments import _payment_sync, payer_hash

from .flows import ADDRESS, checkout_opened, order_placed

pytestmark = pytest.mark.django_db

sandbox = SandboxPaymentProvider()


def test_an_order_keeps_the_keyed_hash_of_its_device_only(consumer, product, offer):
    order = order_place(
        consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)], recipient_name="王小明",
        recipient_phone="13900001111", shipping_address=ADDRESS, device="cookie:3f2a9c",
    )
    order.refresh_from_db()
    assert order.device_hash == keyed_hash("device", "cookie:3f2a9c")
    assert "3f2a9c" not in order.device_hash
    assert order_placed(consumer, product).device_hash == ""


def test_a_paid_order_keeps_the_keyed_hash_of_the_payer_account(consumer, product, offer):
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    remote = sandbox.payment_retrieve(provider_ref=payment.provider_ref)
    # when the provider names the paying account (WeChat Pay's openid)
    _payment_sync(payment_id=payment.pk, remote=dataclasses.replace(remote, payer="o6_bmjrPTlm6_2sgVt7hMZOPfL2M"))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED)
    assert order.payment_hash == payer_hash(provider=payment.provider, payer="o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    assert "o6_bmjr" not in order.payment_hash and len(order.payment_hash) == 64

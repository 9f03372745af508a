"""Provider webhooks: HMAC-SHA256 signatures over the raw body, a replay window, once-only processing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinren.core import clock
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.models import Order, Payment, PaymentWebhookEvent
from xinren.orders.payments.provider import WebhookVerificationError
from xinren.orders.payments.sandbox import (
    SandboxPaymentProvider,
    Token,
    WebhookUndelivered,
    webhook_deliver_task,
    webhooks_deliver_pending,
)
from xinren.orders.payments.sandbox_models import SandboxWebhookEvent
from xinren.orders.payments.signatures import SIGNATURE_HEADER, webhook_sign, webhook_signature_verify
from xinren.orders.services import payment_webhook_receive, webhooks

from ..fixtures.tasks import queued
from .flows import checkout_opened, order_placed

pytestmark = pytest.mark.django_db

sandbox = SandboxPaymentProvider()
SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_PAYMENT_WEBHOOK_SECRET = SECRET


def _signed(body: bytes, *, at: int | None = None, secrets: tuple[str, ...] = (SECRET,)) -> dict[str, str]:
    timestamp = int(clock.now().timestamp()) if at is None else at
    return {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=timestamp, secrets=secrets)}


def _authorised(consumer, product):  # type: ignore[no-untyped-def]
    """An order whose consumer finished the hosted checkout; the sandbox's webhooks are still undelivered."""
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    return order, payment


def test_signature_scheme_round_trip():
    # given
    body = b'{"id":"evt_1"}'
    header = webhook_sign(body=body, timestamp=1_700_000_000, secrets=["a"])
    # then
    assert header.startswith("t=1700000000,v1=") and len(header) == len("t=1700000000,v1=") + 64
    assert webhook_signature_verify(body=body, header=header, secrets=["a"], now=1_700_000_100, tolerance=300) == (
        1_700_000_000
    )


@pytest.mark.parametrize(
    ("header", "secrets", "now", "code"),
    [
        ("t=1700000000,v1=" + "0" * 64, ["a"], 1_700_000_000, "webhook.signature_invalid"),
        ("v1=abc", ["a"], 1_700_000_000, "webhook.signature_invalid"),
        ("", ["a"], 1_700_000_000, "webhook.signature_invalid"),
        (None, ["b"], 1_700_000_000, "webhook.signature_invalid"),
        (None, ["a"], 1_700_000_301, "webhook.timestamp_outside_window"),
        (None, ["a"], 1_699_999_699, "webhook.timestamp_outside_window"),
    ],
)
def test_bad_signatures_and_stale_timestamps_are_refused(header, secrets, now, code):
    body = b'{"id":"evt_1"}'
    header = header if header is not None else webhook_sign(body=body, timestamp=1_700_000_000, secrets=["a"])
    with pytest.raises(WebhookVerificationError) as caught:
        webhook_signature_verify(body=body, header=header, secrets=secrets, now=now, tolerance=300)
    assert caught.value.code == code


def test_a_body_changed_after_signing_is_refused():
    header = webhook_sign(body=b'{"amount_fen":100}', timestamp=1_700_000_000, secrets=["a"])
    with pytest.raises(WebhookVerificationError):
        webhook_signature_verify(
            body=b'{"amount_fen":999}', header=header, secrets=["a"], now=1_700_000_000, tolerance=300
        )


def test_a_rotated_secret_is_accepted_during_the_rotation(settings):
    # given the receiver knows the new and the old secret
    settings.XINREN_PAYMENT_WEBHOOK_SECRET = "whsec_new,whsec_old"
    body = b"{}"
    # then a sender still on the old one is accepted
    header = webhook_sign(body=body, timestamp=1_700_000_000, secrets=["whsec_old"])
    from xinren.orders.payments.signatures import webhook_secrets

    assert webhook_secrets() == ["whsec_new", "whsec_old"]
    assert webhook_signature_verify(body=body, header=header, secrets=webhook_secrets(), now=1_700_000_000,
                                    tolerance=300) == 1_700_000_000


def test_the_sandbox_delivers_its_events_and_the_order_gets_paid(run_tasks, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    # when the consumer completes the hosted checkout
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    # then the delivery of the provider's webhook is queued with the sandbox's write
    event = SandboxWebhookEvent.objects.get()
    assert queued(webhook_deliver_task) == [{"event_id": event.event_id}]
    # when a worker runs it
    run_tasks()
    # then authorised -> (the platform captures) -> captured, without any refresh by the consumer
    payment.refresh_from_db()
    assert (payment.status, payment.captured_fen) == (PaymentStatus.CAPTURED, 12800)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert list(PaymentWebhookEvent.objects.order_by("id").values_list("event_type", "outcome")) == [
        ("payment.authorised", "payment_authorised"), ("payment.captured", "payment_captured")
    ]
    assert SandboxWebhookEvent.objects.filter(delivered_at__isnull=True).count() == 0


def test_a_redelivered_event_is_processed_once(consumer, product, offer):
    # given
    _order, payment = _authorised(consumer, product)
    event = SandboxWebhookEvent.objects.get(event_type="payment.authorised")
    body = event.body.encode()
    # when
    first = payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body))
    second = payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body))
    # then (the event applied "authorised"; the platform then captured)
    assert (first, second) == ("payment_authorised", "duplicate")
    assert PaymentWebhookEvent.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).captured_fen == 12800


def test_late_news_does_not_move_a_payment_back(consumer, product, offer):
    # given the payment is already captured (the capture's event arrived first)
    _order, payment = _authorised(consumer, product)
    webhooks_deliver_pending()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    # when an "authorised" event of the same payment arrives late, with a fresh signature
    late = json.loads(SandboxWebhookEvent.objects.get(event_type="payment.authorised").body)
    late["id"] = "evt_late"
    body = json.dumps(late).encode()
    outcome = payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body))
    # then
    assert outcome == "payment_captured"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED


def test_an_old_signature_is_refused_and_nothing_is_recorded(consumer, product, offer):
    # given
    _order, payment = _authorised(consumer, product)
    body = SandboxWebhookEvent.objects.get(event_type="payment.authorised").body.encode()
    stale = int((clock.now() - dt.timedelta(minutes=6)).timestamp())
    # when
    from xinren.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body, at=stale))
    # then
    assert (caught.value.code, caught.value.status) == ("webhook.timestamp_outside_window", 400)
    assert PaymentWebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_an_event_for_an_unknown_payment_is_acknowledged(consumer, product, offer):
    body = json.dumps({"id": "evt_x", "type": "payment.captured", "created": 1, "data": {"payment": {
        "id": "sbx_pay_x", "reference": "pay_nobody", "status": "captured", "amount_fen": 100, "captured_fen": 100,
        "refunded_fen": 0, "currency": "CNY"}}}).encode()
    assert payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body)) == "unknown_payment"


# -- over HTTP ---------------------------------------------------------------------------------------------------------


def test_the_webhook_endpoint_verifies_the_raw_body(consumer, product, offer):
    # given
    order, _payment = _authorised(consumer, product)
    body = SandboxWebhookEvent.objects.get(event_type="payment.authorised").body.encode()
    client = Client(enforce_csrf_checks=True)
    # when
    response = client.post(
        "/api/v1/payments/webhooks/sandbox", data=body, content_type="application/json",
        headers=_signed(body),
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "outcome": "payment_authorised"}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_the_webhook_endpoint_refuses_a_bad_signature(consumer, product, offer):
    # given
    _order, payment = _authorised(consumer, product)
    body = SandboxWebhookEvent.objects.get(event_type="payment.authorised").body.encode()
    # when
    response = Client().post(
        "/api/v1/payments/webhooks/sandbox", data=body, content_type="application/json",
        headers=_signed(body, secrets=("whsec_wrong",)),
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "webhook.signature_invalid", "message": "回调签名无效", "details": {}}
    assert PaymentWebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_an_unknown_provider_is_404(consumer):
    body = b"{}"
    response = Client().post("/api/v1/payments/webhooks/alipay", data=body, content_type="application/json",
                             headers=_signed(body))
    assert response.status_code == 404
    assert response.json()["code"] == "payment.provider_unknown"


def test_an_event_about_nothing_is_acknowledged_and_ignored():
    body = b'{"created":1795000000,"data":{},"id":"evt_test","type":"ping"}'
    assert payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body)) == "ignored"
    assert list(PaymentWebhookEvent.objects.values_list("event_id", "outcome")) == [("evt_test", "ignored")]


@pytest.mark.parametrize("body", [b"not json", b'{"id":"evt_1"}', b'{"id":"e","type":"t","created":"x","data":{}}'])
def test_a_signed_but_malformed_body_is_refused(body):
    from xinren.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        payment_webhook_receive(provider_name="sandbox", body=body, headers=_signed(body))
    assert (caught.value.code, caught.value.status) == ("webhook.payload_invalid", 400)
    assert PaymentWebhookEvent.objects.count() == 0


def test_an_undelivered_webhook_is_retried_after_a_backoff(run_tasks, consumer, product, offer, monkeypatch, settings):
    # given: the platform's receiver fails, and retries start 10 s after a failure
    settings.XINREN_TASKS_RETRY_SECONDS = 10
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)

    def receiver_down(**kwargs: object) -> str:
        raise ConnectionError("receiver down")

    monkeypatch.setattr(webhooks, "payment_webhook_receive", receiver_down)
    sandbox.checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    event = SandboxWebhookEvent.objects.get()
    now = clock.now()
    # when: a worker runs the delivery
    run_tasks(at=now)
    # then: the failed attempt is on record with its error, and attempt 2 waits 10 s
    failed = DBTaskResult.objects.get(task_path=webhook_deliver_task.module_path, status=TaskResultStatus.FAILED)
    assert failed.exception_class_path == f"{WebhookUndelivered.__module__}.WebhookUndelivered"
    assert failed.traceback.strip().splitlines()[-1] == (
        f"xinren.orders.payments.sandbox.WebhookUndelivered: {event.event_id}: receiver down"
    )
    assert queued(webhook_deliver_task) == [{"event_id": event.event_id, "_attempt": 2}]
    retry = DBTaskResult.objects.get(task_path=webhook_deliver_task.module_path, status=TaskResultStatus.READY)
    assert retry.run_after == now + dt.timedelta(seconds=10)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED
    # when: the receiver is back and the retry's time has come
    monkeypatch.undo()
    run_tasks(at=now + dt.timedelta(seconds=10))
    # then: delivered (and the capture's own event after it)
    delivered = SandboxWebhookEvent.objects.filter(delivered_at__isnull=False).order_by("id")
    assert list(delivered.values_list("event_type", "attempts")) == [("payment.authorised", 2), ("payment.captured", 1)]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CAPTURED
    assert queued(webhook_deliver_task) == []

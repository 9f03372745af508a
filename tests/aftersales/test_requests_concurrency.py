"""Races on PostgreSQL: two claims on one order line cannot both pay, and a decision taken twice at once pays once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from xinren.accounts.consumers import consumer_signup
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleDecision, AfterSaleRequest
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_open, aftersale_upload, claims_decide
from xinren.aftersales.services.autodecide import DECIDER_LOCK, lane_of
from xinren.core.errors import DomainError
from xinren.orders.models import Payment, Refund

from ..concurrency import race
from ..factories import BatchFactory, ItemFactory
from ..fixtures.reviews import line_through_flow
from .conftest import picture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_two_bad_order_claims_racing_on_one_line_pay_once(require_postgres, consumer, line, run_tasks):
    photo = [("a.jpg", picture())]
    # when
    results = race(*(
        lambda: aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                               kind=Kind.DAMAGED, reason="坏了", amount_fen=3000, media=photo)
        for _ in range(3)
    ))
    # then
    assert _codes(results) == ["aftersale.open_exists"] * 2 + ["ok"]
    assert AfterSaleRequest.objects.get().status == Status.PAYING
    run_tasks()  # the batch's payout task
    assert AfterSaleRequest.objects.get().status == Status.PAID
    assert list(Refund.objects.values_list("amount_fen", flat=True)) == [3000]
    assert Payment.objects.get(order=line.order).refunded_fen == 3000


def test_claims_of_many_consumers_at_once_are_each_decided_once_in_batches(require_postgres, product_on_sale,
                                                                          run_tasks):
    # given: eight consumers, each with a delivered line and a photo uploaded before the claim
    spare = BatchFactory(product=product_on_sale, quantity=20)
    for _ in range(8):
        ItemFactory(batch=spare)  # in stock to sell
    consumers = [consumer_signup(phone=f"1370000{n:04d}", password="race-password-1") for n in range(8)]
    lines = [line_through_flow(consumer, product_on_sale) for consumer in consumers]
    uploads = [aftersale_upload(consumer=consumer, media=[("a.jpg", picture())])[0] for consumer in consumers]
    # when they all claim at once
    results = race(*(
        (lambda c=consumer, li=line, u=upload: aftersale_open(
            consumer=c, order_number=li.order.number, line_id=li.pk, kind=Kind.DAMAGED, reason="坏了",
            amount_fen=3000, upload_ids=[u.pk]))
        for consumer, line, upload in zip(consumers, lines, uploads, strict=True)
    ))
    # then every claim came back decided (none left to the sweep), each with one decision and one refund
    assert {result.status for result in results} == {Status.PAYING}
    assert AfterSaleRequest.objects.filter(status=Status.DECIDING).count() == 0
    assert AfterSaleDecision.objects.count() == 8 and Refund.objects.count() == 8
    assert sorted(AfterSaleDecision.objects.values_list("request_id", flat=True)) == sorted(r.pk for r in results)
    assert claims_decide() == []
    run_tasks()
    assert set(AfterSaleRequest.objects.values_list("status", flat=True)) == {Status.PAID}
    assert all(Payment.objects.get(order=line.order).refunded_fen == 3000 for line in lines)


def test_a_merchant_agreeing_twice_at_once_refunds_once(require_postgres, consumer, merchant_actor, line):
    # given
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.REFUND_ONLY, reason="不想要了", amount_fen=12800)
    # when
    results = race(*(lambda: aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
                     for _ in range(2)))
    # then
    assert _codes(results) == ["aftersale.transition_invalid", "ok"]
    assert list(Refund.objects.values_list("amount_fen", flat=True)) == [12800]
    assert Payment.objects.get(order=line.order).refunded_fen == 12800


def test_a_lane_busy_deciding_does_not_hold_up_the_other_lane(require_postgres, product_on_sale, run_tasks):
    # given: a consumer in each lane with a delivered line and a photo, and lane 0 busy with a batch (its lock held
    # by another connection)
    spare = BatchFactory(product=product_on_sale, quantity=4)
    for _ in range(4):
        ItemFactory(batch=spare)
    consumers = [consumer_signup(phone=f"1370001{n:04d}", password="race-password-1") for n in range(2)]
    busy, free = sorted(consumers, key=lambda consumer: lane_of(consumer.pk))
    assert (lane_of(busy.pk), lane_of(free.pk)) == (0, 1)
    claims = {}
    for consumer in (busy, free):
        line = line_through_flow(consumer, product_on_sale)
        upload = aftersale_upload(consumer=consumer, media=[("a.jpg", picture())])[0]
        claims[consumer.pk] = lambda c=consumer, li=line, u=upload: aftersale_open(
            consumer=c, order_number=li.order.number, line_id=li.pk, kind=Kind.DAMAGED, reason="坏了",
            amount_fen=3000, upload_ids=[u.pk])
    held, release, outcome = threading.Event(), threading.Event(), {}

    def batch_elsewhere() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [DECIDER_LOCK])
            held.set()
            release.wait(10)
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [DECIDER_LOCK])
        connection.close()

    def waiting_claim() -> None:
        outcome["busy"] = claims[busy.pk]()
        connection.close()

    other, waiter = threading.Thread(target=batch_elsewhere), threading.Thread(target=waiting_claim)
    other.start()
    assert held.wait(10)
    try:
        waiter.start()
        # when the other lane's consumer claims
        decided = claims[free.pk]()
        # then it is decided at once, while the busy lane's claim waits for its batch
        assert decided.status == Status.PAYING
        waiter.join(0.5)
        assert waiter.is_alive() and "busy" not in outcome
    finally:
        release.set()
        other.join()
    waiter.join(10)
    assert outcome["busy"].status == Status.PAYING
    assert AfterSaleDecision.objects.count() == 2 and Refund.objects.count() == 2

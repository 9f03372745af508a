"""Races on PostgreSQL: a pickup collected twice at once moves the request and refunds a high-trust consumer once;
the consumer's own shipping racing the courier cannot both hand the parcel off; two answers to one evidence request
return the claim once."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.aftersales.choices import Kind, Level, PickupStatus, Status
from xinren.aftersales.models import AfterSaleRequest, EvidenceRequest, ReturnPickup
from xinren.aftersales.services import (
    aftersale_merchant_agree,
    aftersale_open,
    aftersale_return_ship,
    evidence_answer,
    evidence_ask,
    return_pickup_book,
    return_pickup_cancel,
    return_pickup_collect,
)
from xinren.aftersales.services.pickups import pickup_windows
from xinren.core.errors import DomainError
from xinren.orders.models import Payment, Refund
from xinren.orders.services.addresses import address_create
from xinren.trace.models import TraceEvent

from ..concurrency import race
from ..factories import legacy_grant
from .conftest import picture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


@pytest.fixture
def booked(consumer, merchant_actor, merchant_admin, logistics, line) -> ReturnPickup:  # type: ignore[no-untyped-def]
    """A high-trust consumer's agreed return with a pickup booked."""
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    address = address_create(consumer=consumer, recipient_name="王小明", recipient_phone="13812341234",
                             region="上海市浦东新区", detail="张杨路 500 号")
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.RETURN_REFUND, reason="七天无理由退货", amount_fen=12800)
    AfterSaleRequest.objects.filter(pk=request.pk).update(level=Level.HIGH)
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    return return_pickup_book(consumer=consumer, reference=request.reference, address_id=address.pk,
                              window_start=pickup_windows()[0].start)


def test_a_pickup_collected_twice_at_once_refunds_once(require_postgres, logistics_actor, booked, line):
    results = race(*(lambda: return_pickup_collect(actor=logistics_actor, pickup_id=booked.pk) for _ in range(3)))
    assert _codes(results) == ["aftersale.transition_invalid"] * 2 + ["ok"]
    assert ReturnPickup.objects.get().status == PickupStatus.PICKED_UP
    assert AfterSaleRequest.objects.get().status == Status.REFUNDED
    assert list(Refund.objects.values_list("amount_fen", flat=True)) == [12800]
    assert Payment.objects.get(order=line.order).refunded_fen == 12800
    assert TraceEvent.objects.filter(biz_step="accepting").count() == 1


def test_the_courier_and_a_cancel_with_self_shipping_cannot_both_hand_off(require_postgres, consumer,
                                                                          logistics_actor, booked):
    reference = booked.request.reference

    def cancel_and_ship() -> Any:
        return_pickup_cancel(consumer=consumer, reference=reference)
        return aftersale_return_ship(consumer=consumer, reference=reference, carrier="顺丰速运", tracking_number="SF1")

    results = race(lambda: return_pickup_collect(actor=logistics_actor, pickup_id=booked.pk), cancel_and_ship)
    assert "ok" in _codes(results)
    request = AfterSaleRequest.objects.get()
    assert request.status == Status.REFUNDED and Refund.objects.count() == 1
    assert request.transitions.filter(to_status=Status.RETURN_IN_TRANSIT).count() == 1


def test_two_answers_at_once_return_the_claim_once(require_postgres, consumer, merchant_actor, line):
    claim = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                           reason="发霉", amount_fen=3000)
    evidence_ask(actor=merchant_actor, reference=claim.reference, note="请补充照片")
    results = race(*(lambda n=n: evidence_answer(consumer=consumer, reference=claim.reference, note="见图",
                                                 media=[(f"{n}.jpg", picture((n * 60, 9, 9)))]) for n in range(2)))
    assert _codes(results) == ["aftersale.transition_invalid", "ok"]
    claim.refresh_from_db()
    assert claim.status == Status.WAITING_MERCHANT
    assert claim.transitions.filter(to_status=Status.WAITING_MERCHANT).count() == 2  # routed, then answered
    assert EvidenceRequest.objects.get().status == "answered"

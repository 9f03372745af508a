"""Returns and tiered refunds: the refund moment follows the consumer's level (分级退款)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.aftersales.choices import Kind, Level, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services import (
    aftersale_merchant_agree,
    aftersale_open,
    aftersale_return_inspect,
    aftersale_return_receive,
    aftersale_return_ship,
    aftersales_sweep,
)
from xinren.core import clock
from xinren.core.errors import Conflict, NotFound
from xinren.orders.models import Refund


def _agreed_return(consumer, merchant_actor, line, level: str | None = None, kind=Kind.RETURN_REFUND):  # type: ignore[no-untyped-def]
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=kind,
                             reason="七天无理由退货", amount_fen=12800 if kind == Kind.RETURN_REFUND else 0)
    if level is not None:
        AfterSaleRequest.objects.filter(pk=request.pk).update(level=level)
    return aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)


def test_a_new_consumers_return_is_refunded_after_inspection(consumer, merchant_actor, line):
    request = _agreed_return(consumer, merchant_actor, line)
    assert request.status == Status.AGREED and Refund.objects.count() == 0
    request = aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运",
                                    tracking_number="SF900")
    assert (request.status, request.level, Refund.objects.count()) == (Status.RETURN_IN_TRANSIT, Level.NEW_OR_LOW, 0)
    request = aftersale_return_receive(actor=merchant_actor, reference=request.reference)
    # the law's 7 days at the latest, unless the merchant's inspection passes first
    assert request.status == Status.RECEIVED
    assert request.refund_due_at == request.received_at + dt.timedelta(days=7)
    # the merchant's sign-for is an EPCIS receiving event on the returned item's own trail
    assert request.return_event is not None and request.return_event.biz_step == "receiving"
    assert request.return_event.organization == line.order.merchant
    request = aftersale_return_inspect(actor=merchant_actor, reference=request.reference)
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 12800)


def test_a_normal_consumer_is_refunded_two_hours_after_the_merchant_signs(consumer, merchant_actor, line):
    request = _agreed_return(consumer, merchant_actor, line, level=Level.NORMAL)
    aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运", tracking_number="SF9")
    request = aftersale_return_receive(actor=merchant_actor, reference=request.reference)
    assert request.refund_due_at == request.received_at + dt.timedelta(hours=2)
    assert aftersales_sweep(now=clock.now() + dt.timedelta(hours=1))["refunds_due"] == 0
    later = clock.now() + dt.timedelta(hours=2, minutes=1)
    with clock.played_at(later):
        assert aftersales_sweep(now=later)["refunds_due"] == 1
    request.refresh_from_db()
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 12800)


def test_a_high_trust_consumer_is_refunded_when_the_courier_takes_the_parcel(consumer, merchant_actor, line):
    request = _agreed_return(consumer, merchant_actor, line, level=Level.HIGH)
    request = aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运",
                                    tracking_number="SF9")
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 12800)
    request = aftersale_return_receive(actor=merchant_actor, reference=request.reference)
    assert request.status == Status.CLOSED and request.received_at is not None


def test_an_exchange_closes_when_the_merchant_receives_the_return(consumer, merchant_actor, line):
    request = _agreed_return(consumer, merchant_actor, line, kind=Kind.EXCHANGE)
    aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰速运", tracking_number="SF9")
    request = aftersale_return_receive(actor=merchant_actor, reference=request.reference)
    assert (request.status, request.refunded_fen, Refund.objects.count()) == (Status.CLOSED, 0, 0)


def test_a_return_is_not_shipped_before_agreement_nor_received_by_another_merchant(
        consumer, merchant_actor, other_actor, line):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.RETURN_REFUND, reason="七天无理由", amount_fen=12800)
    with pytest.raises(Conflict):
        aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰", tracking_number="1")
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    aftersale_return_ship(consumer=consumer, reference=request.reference, carrier="顺丰", tracking_number="1")
    with pytest.raises(NotFound):
        aftersale_return_receive(actor=other_actor, reference=request.reference)
    assert AfterSaleRequest.objects.get().status == Status.RETURN_IN_TRANSIT

"""Races on PostgreSQL: two claims on one order line cannot both pay, and a decision taken twice at once pays once."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_open
from xinren.core.errors import DomainError
from xinren.orders.models import Payment, Refund

from ..concurrency import race
from .conftest import picture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_two_bad_order_claims_racing_on_one_line_pay_once(require_postgres, consumer, line):
    photo = [("a.jpg", picture())]
    # when
    results = race(*(
        lambda: aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                               kind=Kind.DAMAGED, reason="坏了", amount_fen=3000, media=photo)
        for _ in range(3)
    ))
    # then
    assert _codes(results) == ["aftersale.open_exists"] * 2 + ["ok"]
    assert AfterSaleRequest.objects.get().status == Status.PAID
    assert list(Refund.objects.values_list("amount_fen", flat=True)) == [3000]
    assert Payment.objects.get(order=line.order).refunded_fen == 3000


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

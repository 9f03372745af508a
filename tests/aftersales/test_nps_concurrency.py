"""A race on PostgreSQL: two answers to one request at once keep one, the other is refused as a second answer."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.aftersales.choices import Kind
from xinren.aftersales.models import NpsAnswer
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_open
from xinren.aftersales.services.nps import nps_answer
from xinren.core.errors import DomainError

from ..concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_two_answers_at_once_keep_one(require_postgres, consumer, merchant_actor, line):
    # given
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.REFUND_ONLY, reason="碎了", amount_fen=2000)
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    # when
    results = race(*(lambda score=score: nps_answer(consumer=consumer, reference=request.reference, score=score)
                     for score in (3, 10)))
    # then
    assert _codes(results) == ["aftersale.nps_answered", "ok"]
    assert NpsAnswer.objects.count() == 1

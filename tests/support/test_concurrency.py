"""Races on PostgreSQL: messages sent at once are counted one after the other, and one subject makes one
conversation."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.core.errors import DomainError
from xinren.support import services
from xinren.support.models import Conversation, Message

from ..concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_a_flood_sent_at_once_stops_at_the_limit(require_postgres, consumer, order, settings):
    # given
    settings.XINREN_SUPPORT_LIMITS = {"per_conversation": 3}
    first = services.conversation_start(consumer=consumer, order_number=order.number, body="0")
    # when
    results = race(*(
        lambda n=n: services.message_post(consumer=consumer, conversation_id=first.conversation_id, body=str(n))
        for n in range(1, 7)
    ))
    # then
    assert _codes(results) == ["ok"] * 2 + ["support.rate_limited"] * 4
    assert Message.objects.count() == 3


def test_the_same_question_from_four_tabs_makes_one_conversation(require_postgres, consumer, order):
    # when
    results = race(*(
        lambda n=n: services.conversation_start(consumer=consumer, order_number=order.number, body=f"标签页 {n}")
        for n in range(4)
    ))
    # then
    assert _codes(results) == ["ok"] * 4
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=Conversation.objects.get()).count() == 4

"""The demo world has conversations: each merchant answered a buyer's order question; one pre-sale question waits."""

from __future__ import annotations

import pytest

from xinren.core import clock
from xinren.support.choices import ConversationStatus, Purpose
from xinren.support.models import Conversation, Message
from xinren.support.selectors import merchant_response_stats_recent

pytestmark = pytest.mark.django_db


def test_the_demo_merchants_answered_within_the_last_30_days(demo_world):
    # then
    answered = Conversation.objects.filter(purpose=Purpose.ORDER)
    assert answered.count() >= 2
    assert set(answered.values_list("status", flat=True)) == {ConversationStatus.ANSWERED}
    waiting = Conversation.objects.get(purpose=Purpose.PRE_SALE)
    assert waiting.status == ConversationStatus.OPEN and waiting.awaiting_since is not None
    assert not Message.objects.filter(created_at__gt=clock.now()).exists()  # nothing in the future
    for conversation in answered.select_related("merchant", "order"):
        assert conversation.order.consumer_id == conversation.consumer_id
        stats = merchant_response_stats_recent(merchant=conversation.merchant)
        assert stats.answered == 2 and stats.median_seconds == 1800 and stats.within_24h_share == 1.0

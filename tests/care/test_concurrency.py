"""A race on PostgreSQL: a review and a message about the same order line, read at the same moment by two
workers, open one care ticket that both readings join."""

from __future__ import annotations

import pytest

from xinren.care import services
from xinren.care.choices import SourceKind
from xinren.care.models import CareTicket, VoiceRecord
from xinren.reviews.services import review_post
from xinren.support.services import conversation_start

from ..concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_hurt_texts_at_once_open_one_ticket(require_postgres, consumer, line):
    # given a hurt review and a hurt message on the same line, not read yet
    review = review_post(consumer=consumer, line_id=line.pk, stars=1, text="盒子压坏了，蘑菇都碎了")
    message = conversation_start(consumer=consumer, body="收到的蘑菇发霉了", order_number=line.order.number)
    # when two workers read them at the same moment
    race(
        lambda: services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk),
        lambda: services.voice_classify(source_kind=SourceKind.MESSAGE, source_id=message.pk),
    )
    # then one ticket holds both readings
    ticket = CareTicket.objects.get()
    assert sorted(VoiceRecord.objects.values_list("ticket_id", flat=True)) == [ticket.pk, ticket.pk]
    assert {"damaged", "spoiled"} <= set(ticket.types)

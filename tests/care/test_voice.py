"""Every text a customer writes is classified by a task queued with the write; a hurt customer gets a ticket,
signed by the platform as `care.ticket` without personal data."""

from __future__ import annotations

import json

import pytest

from xinren.accounts.models import User
from xinren.care import services
from xinren.care.choices import SourceKind, TicketStatus
from xinren.care.models import CareTicket, VoiceRecord
from xinren.care.tasks import voice_aftersale_task, voice_message_task, voice_review_task
from xinren.orders.models import OrderLine
from xinren.reviews.services import review_post
from xinren.support.services import conversation_start, message_reply
from xinren.vou.classify import Classification

from ..fixtures.reviews import statement_of
from ..fixtures.tasks import queued

pytestmark = pytest.mark.django_db

HURT = "盒子压坏了，蘑菇都碎了"


def test_a_hurt_review_opens_one_signed_ticket(line: OrderLine, consumer: User, run_tasks) -> None:
    # given a review saying the box arrived crushed
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text=HURT)
    assert {"review_id": review.pk} in queued(voice_review_task)
    # when the queued tasks run
    run_tasks()
    # then the reading is kept with its evidence and a ticket is opened for the customer and merchant
    record = VoiceRecord.objects.get(source_kind=SourceKind.REVIEW, source_id=review.pk)
    assert (record.sentiment, record.stars, record.line_id, record.merchant_id) == (
        "negative",
        2,
        line.pk,
        line.order.merchant_id,
    )
    assert "damaged" in record.types and "压坏" in record.evidence["damaged"]
    ticket = CareTicket.objects.get()
    assert (ticket.customer_id, ticket.merchant_id, ticket.line_id, ticket.status) == (
        consumer.pk,
        line.order.merchant_id,
        line.pk,
        TicketStatus.OPEN,
    )
    assert record.ticket_id == ticket.pk
    statement = statement_of(ticket.leaf_hash)
    assert statement["type"] == "care.ticket"
    assert statement["ticket"] == ticket.public_ref
    assert "damaged" in statement["types"] and statement["model_version"] == record.model_version
    assert statement["subject"].endswith(line.gtin)
    flat = json.dumps(statement, ensure_ascii=False)
    for personal in (line.order.number, consumer.phone, HURT, str(consumer.pk) + ","):
        assert personal not in flat


def test_a_happy_review_opens_nothing(line: OrderLine, consumer: User, run_tasks) -> None:
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很新鲜，味道很好，下次还买")
    run_tasks()
    assert VoiceRecord.objects.get(source_id=review.pk).sentiment == "positive"
    assert CareTicket.objects.count() == 0


def test_reading_twice_keeps_one_record(line: OrderLine, consumer: User) -> None:
    review = review_post(consumer=consumer, line_id=line.pk, stars=1, text=HURT)
    first = services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    again = services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    assert first is not None and again is not None and first.pk == again.pk
    assert (VoiceRecord.objects.count(), CareTicket.objects.count()) == (1, 1)


def test_later_records_attach_to_the_open_ticket(line: OrderLine, consumer: User, run_tasks, monkeypatch) -> None:
    # given an open ticket from the review
    review_post(consumer=consumer, line_id=line.pk, stars=2, text=HURT)
    run_tasks()
    # when the customer writes to the merchant about the same order, naming another complaint
    monkeypatch.setattr(
        services,
        "classify",
        lambda text, category=None: Classification(
            "negative", 0.1, ["missing_items"], {"missing_items": ["少了"]}, "test-1"
        ),
    )
    message = conversation_start(consumer=consumer, body="少了一盒", order_number=line.order.number)
    run_tasks()
    # then the message joins the open ticket and the ticket lists both types
    ticket = CareTicket.objects.get()
    assert VoiceRecord.objects.get(source_kind=SourceKind.MESSAGE).ticket_id == ticket.pk
    assert message.pk == VoiceRecord.objects.get(source_kind=SourceKind.MESSAGE).source_id
    assert "missing_items" in ticket.types and "damaged" in ticket.types


def test_the_merchants_reply_is_not_read(line: OrderLine, consumer: User, merchant_actor, run_tasks) -> None:
    message = conversation_start(consumer=consumer, body="什么时候发货？", order_number=line.order.number)
    reply = message_reply(actor=merchant_actor, conversation_id=message.conversation_id, body="垃圾，太慢了")
    assert {"message_id": reply.pk} in queued(voice_message_task)
    run_tasks()
    assert list(VoiceRecord.objects.values_list("source_id", flat=True)) == [message.pk]


def test_an_aftersale_reason_is_read(line: OrderLine, consumer: User, run_tasks) -> None:
    from xinren.aftersales.services import aftersale_open

    request = aftersale_open(
        consumer=consumer,
        order_number=line.order.number,
        line_id=line.pk,
        kind="quality",
        reason="蘑菇发霉了，有异味",
        amount_fen=1000,
    )
    assert {"request_id": request.pk} in queued(voice_aftersale_task)
    run_tasks()
    record = VoiceRecord.objects.get(source_kind=SourceKind.AFTERSALE)
    assert record.source_id == request.pk and "spoiled" in record.types


def test_low_stars_alone_open_a_ticket(line: OrderLine, consumer: User, monkeypatch) -> None:
    monkeypatch.setattr(
        services, "classify", lambda text, category=None: Classification("positive", 0.7, [], {}, "test-1")
    )
    review = review_post(consumer=consumer, line_id=line.pk, stars=1, text="一般般吧")
    services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    assert CareTicket.objects.get().types == []


def test_backfill_reads_what_was_not_read(line: OrderLine, consumer: User) -> None:
    from django.core.management import call_command

    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text=HURT)
    call_command("vou_backfill")
    assert VoiceRecord.objects.filter(source_kind=SourceKind.REVIEW, source_id=review.pk).count() == 1
    assert CareTicket.objects.count() == 1
    call_command("vou_backfill")
    assert VoiceRecord.objects.count() == 1


def test_backfill_opens_no_ticket_for_old_texts(line: OrderLine, consumer: User) -> None:
    from django.core.management import call_command

    review_post(consumer=consumer, line_id=line.pk, stars=2, text=HURT)
    call_command("vou_backfill", "--ticket-days=0")
    assert (VoiceRecord.objects.count(), CareTicket.objects.count()) == (1, 0)

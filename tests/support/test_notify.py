"""A merchant's answer puts one notice in the consumer's inbox, linked to the conversation; the consumer's own
messages tell nobody (notify.sources.service_reply, subscribed to support's MESSAGE_POSTED)."""

from __future__ import annotations

import pytest
from django.utils import translation

from xinren.notify.models import Notification
from xinren.notify.selectors import notification_show
from xinren.notify.tasks import service_reply_notify
from xinren.support import services

from ..fixtures.tasks import queued

pytestmark = pytest.mark.django_db


def test_a_merchants_answer_notifies_the_consumer_once(consumer, order, merchant_actor, run_tasks):
    # given a question about the order, and the merchant's answer
    question = services.conversation_start(consumer=consumer, order_number=order.number, body="请问什么时候发货？")
    answer = services.message_reply(actor=merchant_actor, conversation_id=question.conversation_id, body="今天下午发")
    assert queued(service_reply_notify) == [{"message_id": question.pk}, {"message_id": answer.pk}]
    # when the notice tasks run, and one of them runs again (a retry)
    run_tasks()
    service_reply_notify.call(message_id=answer.pk)
    # then the consumer has one notice, for the answer, linking to the conversation
    notices = list(Notification.objects.filter(user=consumer, kind="service_reply"))
    assert [(n.kind, n.link) for n in notices] == [
        ("service_reply", f"/shop/support/{question.conversation_id}/")]
    with translation.override("zh-hans"):
        assert notification_show(notices[0]).body == f"{order.merchant.name}回复了你的消息。"
    # and the merchant's people were told nothing by the consumer's question
    assert not Notification.objects.exclude(user=consumer).exists()

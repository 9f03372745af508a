"""Writing to a merchant (联系商家): who may, about what, how often; the merchant's answer; messages kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.fixtures.immutable import tampering
from tests.tasks.jobs import noop_task
from xinren.accounts.models import LoginThrottle
from xinren.core.errors import DomainError, NotFound, PermissionDenied
from xinren.support import events, services
from xinren.support.choices import ConversationStatus, Purpose, Side
from xinren.support.models import Conversation, Message

from ..factories import actor_for
from ..fixtures.tasks import queued
from .conftest import T0

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Conversation.objects.count(), Message.objects.count(), LoginThrottle.objects.count()


def test_a_consumer_writes_about_their_order_and_the_merchant_answers(consumer, order, merchant_actor, monkeypatch):
    # given
    monkeypatch.setattr(events.MESSAGE_POSTED, "_subscribers", {})
    events.MESSAGE_POSTED.subscribe(noop_task)
    # when
    first = services.conversation_start(consumer=consumer, order_number=order.number, body="  请问什么时候发货？\r\n ")
    answer = services.message_reply(actor=merchant_actor, conversation_id=first.conversation_id, body="今天下午发顺丰")
    # then
    conversation = Conversation.objects.get()
    assert (conversation.order_id, conversation.product_id, conversation.merchant_id) == (
        order.pk, None, order.merchant_id)
    assert conversation.purpose == Purpose.ORDER
    assert conversation.status == ConversationStatus.ANSWERED
    assert conversation.awaiting_since is None
    assert first.body == "请问什么时候发货？" and first.side == Side.CONSUMER and first.sender_user == consumer
    assert answer.side == Side.MERCHANT and answer.sender_user == merchant_actor.user
    assert answer.responds_to_at == first.created_at
    assert queued(noop_task) == [{"message_id": first.pk}, {"message_id": answer.pk}]


def test_the_second_message_about_the_same_order_goes_to_the_same_conversation(consumer, order):
    # when
    first = services.conversation_start(consumer=consumer, order_number=order.number, body="第一条")
    second = services.conversation_start(consumer=consumer, order_number=order.number, body="第二条")
    # then
    assert first.conversation_id == second.conversation_id
    assert Conversation.objects.get().awaiting_since == first.created_at


def test_a_product_bought_before_is_an_after_sale_question(consumer, order, on_sale):
    message = services.conversation_start(consumer=consumer, product_id=on_sale.pk, body="怎么保存？")
    assert message.conversation.purpose == Purpose.AFTER_SALE


def test_a_product_on_sale_may_be_asked_about_before_buying(consumer, on_sale):
    message = services.conversation_start(consumer=consumer, product_id=on_sale.pk, body="有货吗？")
    assert message.conversation.purpose == Purpose.PRE_SALE


def test_a_merchant_one_never_bought_from_about_a_product_not_on_sale_is_refused(consumer, not_on_sale):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as refused:
        services.conversation_start(consumer=consumer, product_id=not_on_sale.pk, body="还有吗？")
    # then
    assert refused.value.code == "support.not_a_customer"
    assert refused.value.status == 403
    assert "没有在该商家购买过" in str(refused.value.message)
    assert _counts() == before


def test_another_consumers_order_is_not_found(other_consumer, order):
    with pytest.raises(NotFound):
        services.conversation_start(consumer=other_consumer, order_number=order.number, body="你好")
    assert _counts() == (0, 0, 0)


def test_another_consumer_cannot_write_in_a_conversation(consumer, other_consumer, order):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    with pytest.raises(NotFound):
        services.message_post(consumer=other_consumer, conversation_id=message.conversation_id, body="插一句")
    assert Message.objects.count() == 1


def test_another_merchant_cannot_read_or_answer(consumer, order, other_actor):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    with pytest.raises(NotFound):
        services.message_reply(actor=other_actor, conversation_id=message.conversation_id, body="我来回答")
    assert Message.objects.count() == 1


def test_a_viewer_of_the_merchant_cannot_answer(consumer, order, merchant):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    with pytest.raises(PermissionDenied):
        services.message_reply(actor=actor_for(merchant, "viewer"), conversation_id=message.conversation_id,
                               body="收到")
    assert Message.objects.count() == 1


@pytest.mark.parametrize("body", ["", "   ", "\x00\x01", "字" * 501])
def test_an_empty_or_too_long_message_is_refused(consumer, order, body):
    with pytest.raises(DomainError) as refused:
        services.conversation_start(consumer=consumer, order_number=order.number, body=body)
    assert refused.value.code == "support.message_invalid"
    assert refused.value.status == 422
    assert _counts() == (0, 0, 0)


def test_the_longest_message_is_accepted(consumer, order):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="字" * 500)
    assert len(message.body) == 500


def test_a_flood_in_one_conversation_is_refused_and_changes_nothing(consumer, order, settings):
    # given
    settings.XINREN_SUPPORT_LIMITS = {"per_conversation": 3}
    first = services.conversation_start(consumer=consumer, order_number=order.number, body="1")
    for n in (2, 3):
        services.message_post(consumer=consumer, conversation_id=first.conversation_id, body=str(n))
    conversation = Conversation.objects.get()
    before = (_counts(), list(LoginThrottle.objects.values_list("key", "events", "last_at").order_by("key")),
              conversation.last_message_at)
    # when
    with pytest.raises(DomainError) as refused:
        services.message_post(consumer=consumer, conversation_id=first.conversation_id, body="4")
    # then
    assert refused.value.code == "support.rate_limited"
    assert refused.value.status == 429
    assert "已达上限（3 条）" in str(refused.value.message)
    conversation.refresh_from_db()
    after = (_counts(), list(LoginThrottle.objects.values_list("key", "events", "last_at").order_by("key")),
             conversation.last_message_at)
    assert after == before
    assert list(Message.objects.values_list("body", flat=True)) == ["1", "2", "3"]


def test_the_daily_limit_counts_across_conversations_and_starts_again_the_next_day(consumer, order, on_sale,
                                                                                    settings, monkeypatch):
    # given
    settings.XINREN_SUPPORT_LIMITS = {"per_consumer": 2}
    monkeypatch.setattr("xinren.core.clock.now", lambda: T0)
    services.conversation_start(consumer=consumer, order_number=order.number, body="订单问题")
    services.conversation_start(consumer=consumer, product_id=on_sale.pk, body="商品问题")
    # when
    with pytest.raises(DomainError) as refused:
        services.conversation_start(consumer=consumer, order_number=order.number, body="再问一次")
    monkeypatch.setattr("xinren.core.clock.now", lambda: T0 + dt.timedelta(days=1))
    services.conversation_start(consumer=consumer, order_number=order.number, body="第二天")
    # then
    assert refused.value.code == "support.rate_limited"
    assert Message.objects.count() == 3


def test_pre_sale_questions_are_limited_harder(consumer, on_sale, settings):
    # given (the default numbers: 5 messages per pre-sale conversation a day, 20 after a purchase)
    for n in range(5):
        services.conversation_start(consumer=consumer, product_id=on_sale.pk, body=f"问题 {n}")
    # when
    with pytest.raises(DomainError) as refused:
        services.conversation_start(consumer=consumer, product_id=on_sale.pk, body="第六个问题")
    # then
    assert refused.value.code == "support.rate_limited"
    assert refused.value.details == {"limit": "per_conversation_pre_sale", "per_day": 5}
    assert Message.objects.count() == 5


def test_new_pre_sale_conversations_are_limited_per_day(consumer, merchant, settings):
    # given
    from xinren.orders.models import Offer

    from ..factories import ProductFactory

    products = [ProductFactory(merchant=merchant) for _ in range(3)]
    for product in products:
        Offer.objects.create(merchant=merchant, product=product, price_fen=100, stock=1)
    settings.XINREN_SUPPORT_LIMITS = {"pre_sale_conversations": 2}
    for product in products[:2]:
        services.conversation_start(consumer=consumer, product_id=product.pk, body="有货吗")
    # when
    with pytest.raises(DomainError) as refused:
        services.conversation_start(consumer=consumer, product_id=products[2].pk, body="有货吗")
    # then
    assert refused.value.details["limit"] == "pre_sale_conversations"
    assert Conversation.objects.count() == 2


def test_closing_and_writing_again_reopens(consumer, order, merchant_actor):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    services.conversation_close_by_merchant(actor=merchant_actor, conversation_id=message.conversation_id)
    assert Conversation.objects.get().status == ConversationStatus.CLOSED
    with pytest.raises(DomainError) as refused:
        services.conversation_close_by_consumer(consumer=consumer, conversation_id=message.conversation_id)
    assert refused.value.code == "support.transition_invalid"
    services.message_post(consumer=consumer, conversation_id=message.conversation_id, body="还有一个问题")
    conversation = Conversation.objects.get()
    assert conversation.status == ConversationStatus.OPEN and conversation.closed_at is None


def test_messages_cannot_be_edited_or_deleted_even_in_the_database(consumer, order):
    # given
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="原话")
    attempts = [
        lambda: Message.objects.filter(pk=message.pk).update(body="改过的话"),
        lambda: Message.objects.filter(pk=message.pk).update(created_at=T0),
        lambda: Message.objects.filter(pk=message.pk).delete(),
    ]
    # when / then
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="kept record"), transaction.atomic():
            attempt()
    message.refresh_from_db()
    assert message.body == "原话"


def test_the_admin_shows_conversations_and_messages_read_only(consumer, order, admin_client):
    # given
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="原话")
    # when
    listed = admin_client.get("/admin/support/conversation/")
    shown = admin_client.get(f"/admin/support/conversation/{message.conversation_id}/change/")
    delete = admin_client.post(f"/admin/support/message/{message.pk}/delete/", {"post": "yes"})
    change = admin_client.post(f"/admin/support/message/{message.pk}/change/", {"body": "改过"})
    # then
    assert listed.status_code == 200 and shown.status_code == 200
    assert "原话" in shown.content.decode()
    assert delete.status_code == 403 and change.status_code == 403
    assert Message.objects.get().body == "原话"


def test_only_dropping_the_triggers_lets_a_message_change(consumer, order):
    # an attacker with DDL rights (tests.fixtures.immutable.tampering) can edit; the triggers come back after
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="原话")
    with tampering():
        Message.objects.filter(pk=message.pk).update(body="改过")
    with pytest.raises(IntegrityError, match="kept record"), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(body="再改")
    assert Message.objects.get().body == "改过"


@pytest.mark.django_db(transaction=True)
def test_a_test_that_flushes_may_leave_messages_behind(consumer, order):
    # the flush after this test deletes the message on SQLite: the fixtures lift the kept triggers around it
    services.conversation_start(consumer=consumer, order_number=order.number, body="留下")
    assert Message.objects.count() == 1

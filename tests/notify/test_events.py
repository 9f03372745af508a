"""Each event of orders and reviews puts exactly one notice in its consumer's inbox, with a link to the thing it is
about; a retried or repeated task never makes a second one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from xinren.accounts.choices import Role
from xinren.core import clock
from xinren.core.tasks import task_enqueue
from xinren.notify.choices import NotificationKind
from xinren.notify.models import Delivery, Notification
from xinren.notify.selectors import notification_show
from xinren.notify.services import notification_create
from xinren.notify.tasks import order_paid_notify, order_shipped_notify
from xinren.orders.models import Order, Refund
from xinren.orders.services import (
    order_cancel_by_consumer,
    order_cancel_by_merchant,
    order_delivery_confirm,
    orders_expire,
)
from xinren.reviews.models import DiaryInvitation, Fold
from xinren.reviews.services import diary_invitations_create, reply_post, review_fold, review_post

from ..factories import actor_for
from ..fixtures.reviews import line_delivered
from ..fixtures.tasks import queued
from ..orders.flows import order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db


def _inbox(user) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        return [
            (n.kind, notification_show(n).body, n.link)
            for n in Notification.objects.filter(user=user).order_by("id")
        ]


def test_payment_shipment_and_delivery_each_notify_once(consumer, merchant_actor, paid_order, items, run_tasks):
    # given: the order was paid (fixture); the event queued its task with the order's id only
    assert queued(order_paid_notify) == [{"order_id": paid_order.pk}]
    # when: shipped and delivered, and every queued task runs
    shipment = order_shipped(merchant_actor, paid_order, items[:2], carrier="顺丰速运", tracking_number="SF100200300")
    assert queued(order_shipped_notify) == [{"order_id": paid_order.pk, "shipment_id": shipment.pk}]
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    run_tasks()
    # then
    link = f"/shop/orders/{paid_order.number}/"
    assert _inbox(consumer) == [
        ("order_paid", f"订单 {paid_order.number} 已付款 ¥256.00，{paid_order.merchant.name}正在备货。", link),
        ("order_shipped", f"订单 {paid_order.number} 已由顺丰速运发出，运单号 SF100200300。", link),
        ("order_delivered", f"订单 {paid_order.number} 已签收。用得怎么样？欢迎写评价。", link),
    ]


def test_a_retried_or_repeated_task_does_not_duplicate(consumer, paid_order, run_tasks):
    # given: the paid event's task, and the same task queued twice more (a retry, a replayed event)
    task_enqueue(order_paid_notify, order_id=paid_order.pk)
    task_enqueue(order_paid_notify, order_id=paid_order.pk, _attempt=2)
    # when
    run_tasks()
    # then: one notice, and its external sends queued once
    assert Notification.objects.filter(user=consumer, kind=NotificationKind.ORDER_PAID).count() == 1
    assert Delivery.objects.count() == len(set(Delivery.objects.values_list("notification_id", "channel")))


def test_notification_create_returns_the_first_notice_for_a_dedupe_key(consumer):
    first = notification_create(user_id=consumer.pk, kind="service_reply", params={"merchant": "山野菌菇"},
                                link="/shop/", dedupe_key="support.message:1")
    second = notification_create(user_id=consumer.pk, kind="service_reply", params={"merchant": "别的"},
                                 link="/elsewhere/", dedupe_key="support.message:1")
    assert second.pk == first.pk and second.params == {"merchant": "山野菌菇"}
    assert Notification.objects.count() == 1


def test_the_merchant_cancelling_tells_the_consumer_and_the_refund_too(consumer, merchant_actor, paid_order,
                                                                       run_tasks):
    # when
    order_cancel_by_merchant(actor=merchant_actor, order_number=paid_order.number, reason="缺货，抱歉")
    run_tasks()
    # then
    refund = Refund.objects.get(payment__order=paid_order)
    assert [(kind, body) for kind, body, _link in _inbox(consumer)][1:] == [
        ("order_cancelled", f"订单 {paid_order.number} 已取消：缺货，抱歉"),
        ("refund_done", f"订单 {paid_order.number} 的退款 ¥{refund.amount_fen // 100}.00 已退回原付款账户。"),
    ]


def test_a_consumer_is_not_told_of_their_own_cancellation(consumer, product, offer, run_tasks):
    # given
    order = order_placed(consumer, product)
    # when
    order_cancel_by_consumer(consumer=consumer, order_number=order.number)
    run_tasks()
    # then
    assert _inbox(consumer) == []


def test_an_unpaid_order_that_expires_is_told(consumer, product, offer, run_tasks, settings):
    # given
    order = order_placed(consumer, product)
    # when
    later = clock.now() + dt.timedelta(minutes=settings.XINREN_ORDER_PAYMENT_MINUTES + 1)
    with clock.played_at(later):
        assert orders_expire(now=later) == 1
    run_tasks(at=later)
    # then
    assert [(kind, body) for kind, body, _link in _inbox(consumer)] == [
        ("order_cancelled", f"订单 {order.number} 已取消：超时未付款，订单自动取消"),
    ]


def test_a_rolled_back_payment_announces_nothing(consumer, product, offer):
    # given / when: the order is paid inside a transaction that is rolled back
    from django.db import transaction

    order = order_placed(consumer, product)
    with pytest.raises(RuntimeError), transaction.atomic():
        order_paid(consumer, order)
        raise RuntimeError("rollback")
    # then
    assert queued(order_paid_notify) == []
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_reply_fold_and_diary_invitation_notify_the_author(platform, operator, consumer, product_on_sale, run_tasks):
    # given
    line = line_delivered(consumer, product_on_sale, delivered_at=clock.now() - dt.timedelta(days=8))
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text="有几朵烂了。")
    # when
    reply_post(actor=actor_for(product_on_sale.merchant, Role.STAFF), review_id=review.pk, text="抱歉，已补发")
    review_fold(actor=operator, review_id=review.pk, reason="含有外链")
    diary_invitations_create()
    run_tasks()
    run_tasks()  # a second worker pass finds nothing more to do
    # then
    invitation = DiaryInvitation.objects.get(review=review)
    assert Fold.objects.filter(review=review).count() == 1
    assert _inbox(consumer) == [
        ("review_replied", f"{product_on_sale.merchant.name}回复了你对「{product_on_sale.name}」的评价。",
         f"/shop/reviews/{review.pk}/"),
        ("review_folded", "你的评价已被折叠，理由：含有外链。你可以提交一次申辩。",
         f"/shop/reviews/{review.pk}/#respond"),
        ("diary_invited", "收货第 7 天了，写一篇使用日记吧",
         f"/shop/reviews/{review.pk}/diary/{invitation.milestone}/"),
    ]


def test_the_inbox_renders_in_the_readers_language(consumer, paid_order, run_tasks):
    # given
    run_tasks()
    notice = Notification.objects.get(user=consumer)
    # when
    with translation.override("en"):
        shown = notification_show(notice)
    # then: nothing pre-rendered is stored; the English catalogue renders it
    assert "¥" not in str(notice.params) and notice.params["amount_fen"] == 25600
    assert shown.title == "Payment received"
    assert shown.body.startswith(f"Order {paid_order.number} is paid")


def test_a_notice_made_late_carries_the_time_the_news_happened(consumer, product, offer, run_tasks):
    # given an order paid, whose notice a busy worker makes two hours later
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    paid_at = Order.objects.get(pk=order.pk).paid_at
    # when
    with clock.played_at(clock.now() + dt.timedelta(hours=2)):
        run_tasks()
    # then the inbox shows when it was paid, not when the task ran
    notice = Notification.objects.get(kind=NotificationKind.ORDER_PAID)
    assert paid_at is not None and notice.created_at == paid_at

"""An unpaid order is cancelled when its time is up, by a task queued with the order for its deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from xinren.core import clock
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Offer, Order
from xinren.orders.payments.sandbox import Token
from xinren.orders.tasks import order_expire_task

from ..fixtures.tasks import queued
from .flows import order_paid, order_placed

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def test_placing_an_order_queues_its_expiry_for_the_payment_deadline(consumer, product, offer, settings):
    # given
    settings.XINREN_ORDER_PAYMENT_MINUTES = 30
    # when
    order = order_placed(consumer, product)
    # then: due one second past the deadline, so the task's own reading of the clock is past it
    assert queued(order_expire_task) == [{"order_id": order.pk}]
    result = DBTaskResult.objects.get(task_path=order_expire_task.module_path)
    assert result.run_after == order.placed_at + 30 * MINUTE + dt.timedelta(seconds=1)


def test_an_unpaid_order_is_cancelled_when_its_time_is_up(run_tasks, consumer, product, offer, settings):
    # given: one minute to pay
    settings.XINREN_ORDER_PAYMENT_MINUTES = 1
    order = order_placed(consumer, product, quantity=2)
    deadline = order.placed_at + MINUTE
    # when: a worker looks just before the deadline
    early = run_tasks(at=deadline - dt.timedelta(seconds=1))
    # then: nothing is due yet
    assert early == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
    assert Offer.objects.get(pk=offer.pk).stock == 3
    # when: it looks again once the time is up
    ran = run_tasks(at=deadline + dt.timedelta(seconds=1))
    # then: cancelled, its stock back (the second task run is the consumer's notice of it: docs/notifications.md)
    assert ran == 2
    cancelled = Order.objects.get(pk=order.pk)
    assert (cancelled.status, cancelled.cancel_reason) == (OrderStatus.CANCELLED, "超时未付款，订单自动取消")
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert DBTaskResult.objects.get(task_path=order_expire_task.module_path).return_value is True


def test_a_paid_order_is_left_alone_when_its_expiry_task_runs(run_tasks, consumer, product, offer, settings):
    # given
    settings.XINREN_ORDER_PAYMENT_MINUTES = 1
    order = order_placed(consumer, product)
    order_paid(consumer, order, token=Token.SUCCESS)
    # when
    run_tasks(at=clock.now() + 2 * MINUTE)
    # then
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Offer.objects.get(pk=offer.pk).stock == 4
    assert DBTaskResult.objects.get(task_path=order_expire_task.module_path).return_value is False


def test_a_repeated_order_request_queues_no_second_expiry(consumer, product, offer):
    # when: the same client token twice
    first = order_placed(consumer, product, client_token="tok-1")
    again = order_placed(consumer, product, client_token="tok-1")
    # then
    assert again.pk == first.pk
    assert queued(order_expire_task) == [{"order_id": first.pk}]

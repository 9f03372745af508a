"""External sends (SMS, WeChat subscribe messages): on the channels the consumer's preferences turn on, through the
configured provider, retried with backoff when the provider fails, and never at the cost of the inbox row."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinren.accounts.models import SandboxTextMessage
from xinren.notify.choices import Channel, DeliveryStatus
from xinren.notify.models import Delivery, Notification, SandboxWeChatMessage
from xinren.notify.services import notification_create, preferences_save, quiet_until, wechat_recipient_bind
from xinren.notify.tasks import delivery_send_task

from ..orders.flows import order_shipped
from .conftest import DAYTIME, FailingProvider

pytestmark = pytest.mark.django_db

OPENID = "oDpq35LTmefJN5LyRDMfiCdveLKE"


def _shipped_notice(consumer, run_tasks) -> Notification:  # type: ignore[no-untyped-def]
    return notification_create(
        user_id=consumer.pk, kind="order_shipped", link="/shop/orders/X1/", dedupe_key="test:shipped",
        params={"order": "X1", "carrier": "顺丰速运（冷链）专线配送服务·云南昆明分拨中心", "tracking": "SF100200300"},
    )


def test_by_default_shipment_goes_by_sms_and_payment_does_not(daytime, consumer, merchant_actor, paid_order, items,
                                                              run_tasks):
    # when
    order_shipped(merchant_actor, paid_order, items[:2], carrier="顺丰速运", tracking_number="SF100200300")
    run_tasks()
    # then: the inbox has both; only the shipment went out by SMS (no WeChat recipient bound: nothing to send)
    assert list(Notification.objects.order_by("id").values_list("kind", flat=True)) == ["order_paid", "order_shipped"]
    assert list(Delivery.objects.values_list("notification__kind", "channel", "status")) == [
        ("order_shipped", Channel.SMS, DeliveryStatus.SENT),
    ]
    assert list(SandboxTextMessage.objects.values_list("phone", "body")) == [
        (consumer.phone, f"【信任好物】订单 {paid_order.number} 已由顺丰速运发出，运单号 SF100200300。"),
    ]


def test_the_wechat_sandbox_records_a_subscribe_message_in_the_apis_shape(daytime, consumer, run_tasks, settings):
    # given
    settings.XINREN_NOTIFY_TEMPLATES = {"sms": {}, "wechat": {"order_shipped": "zVz9s7Wv_brgrowOWrZ2NREz0y1WNw"}}
    wechat_recipient_bind(user=consumer, appid="wx0123456789abcdef", openid=OPENID)
    # when
    _shipped_notice(consumer, run_tasks)
    run_tasks()
    # then: touser, template_id, page and data {keyword: {value}}, a thing cut to WeChat's 20 characters
    message = SandboxWeChatMessage.objects.get()
    assert (message.touser, message.template_id, message.page) == (OPENID, "zVz9s7Wv_brgrowOWrZ2NREz0y1WNw",
                                                                   "/shop/orders/X1/")
    assert message.data == {
        "character_string1": {"value": "X1"},
        "thing2": {"value": "顺丰速运（冷链）专线配送服务·云南昆明分拨中心"[:19] + "…"},
        "character_string3": {"value": "SF100200300"},
    }
    assert set(Delivery.objects.values_list("channel", "status")) == {
        (Channel.SMS, DeliveryStatus.SENT), (Channel.WECHAT, DeliveryStatus.SENT),
    }


def test_preferences_turn_channels_off_and_on(daytime, consumer, run_tasks):
    # given: no SMS for shipments, SMS for payments
    preferences_save(consumer=consumer, choices={"order_shipped": {"sms": False, "wechat": False},
                                                 "order_paid": {"sms": True, "wechat": False}})
    # when
    _shipped_notice(consumer, run_tasks)
    paid = notification_create(user_id=consumer.pk, kind="order_paid", params={"order": "X2", "amount_fen": 990},
                               link="/shop/orders/X2/", dedupe_key="test:paid")
    run_tasks()
    # then: the inbox has both; one SMS, for the payment
    assert Notification.objects.count() == 2
    assert list(Delivery.objects.values_list("notification_id", "channel")) == [(paid.pk, Channel.SMS)]
    assert SandboxTextMessage.objects.get().body == "【信任好物】订单 X2 已付款 ¥9.90，正在备货。"


def test_a_preference_changed_before_the_send_is_respected(daytime, consumer, run_tasks):
    # given: the SMS is queued, then the consumer turns it off
    _shipped_notice(consumer, run_tasks)
    preferences_save(consumer=consumer, choices={"order_shipped": {"sms": False, "wechat": False}})
    # when
    run_tasks()
    # then
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert SandboxTextMessage.objects.count() == 0


def test_a_failing_provider_is_retried_with_backoff_and_the_inbox_keeps_the_notice(daytime, consumer, run_tasks,
                                                                                  settings):
    # given: the SMS gateway is down
    settings.XINREN_NOTIFY_PROVIDERS = {"sms": "tests.notify.conftest.FailingProvider"}
    settings.XINREN_TASKS_RETRY_SECONDS = 10
    FailingProvider.calls = 0
    notice = _shipped_notice(consumer, run_tasks)
    # when: the first attempt runs, then a worker looks again before and after the backoff
    run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.PENDING, 1, "gateway timed out")
    assert run_tasks(at=daytime + dt.timedelta(seconds=9)) == 0
    run_tasks(at=daytime + dt.timedelta(seconds=10))
    # then: two attempts so far, the next one 40 s later; the notice is in the inbox all along
    assert FailingProvider.calls == 2
    waiting = DBTaskResult.objects.get(task_path=delivery_send_task.module_path, status=TaskResultStatus.READY)
    assert waiting.run_after == daytime + dt.timedelta(seconds=50)
    assert Notification.objects.filter(pk=notice.pk, read_at__isnull=True).exists()
    # when: every later attempt fails too
    for seconds in (50, 210, 850):
        run_tasks(at=daytime + dt.timedelta(seconds=seconds))
    # then: it gives up after five attempts, recorded as failed
    assert FailingProvider.calls == 5
    assert Delivery.objects.values_list("status", "attempts").get() == (DeliveryStatus.FAILED, 5)
    assert run_tasks(at=daytime + dt.timedelta(days=1)) == 0


def test_a_refusal_that_retrying_cannot_fix_is_not_retried(daytime, consumer, run_tasks, settings):
    # given
    settings.XINREN_NOTIFY_PROVIDERS = {"wechat": "tests.notify.conftest.RefusingProvider"}
    wechat_recipient_bind(user=consumer, appid="wx0123456789abcdef", openid=OPENID)
    preferences_save(consumer=consumer, choices={"order_shipped": {"sms": False, "wechat": True}})
    # when
    _shipped_notice(consumer, run_tasks)
    run_tasks()
    # then
    assert Delivery.objects.values_list("status", "attempts", "error").get() == (
        DeliveryStatus.FAILED, 1, "43101: user refuse to accept the msg",
    )
    assert run_tasks(at=DAYTIME + dt.timedelta(days=1)) == 0


def test_no_sms_in_the_quiet_hours(consumer, run_tasks):
    # given: 23:30 in Shanghai
    late = dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC)
    from xinren.core import clock

    with clock.played_at(late):
        _shipped_notice(consumer, run_tasks)
        # when
        run_tasks(at=late)
    # then: the SMS waits until 08:00
    assert SandboxTextMessage.objects.count() == 0
    morning = dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.UTC)
    assert quiet_until(late) == morning
    run_tasks(at=morning)
    assert SandboxTextMessage.objects.count() == 1


def test_quiet_hours_can_be_turned_off(settings):
    settings.XINREN_NOTIFY_QUIET_HOURS = None
    assert quiet_until(dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC)) is None
    settings.XINREN_NOTIFY_QUIET_HOURS = (22, 8)
    assert quiet_until(DAYTIME) is None

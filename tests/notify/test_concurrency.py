"""Two workers running the same event's task at once (a retry racing the first attempt) make one notice and queue
its sends once: on PostgreSQL, where the unique dedupe key makes the second insert wait and fail."""

from __future__ import annotations

import pytest

from xinren.notify.models import Delivery, Notification
from xinren.notify.services import notification_create

from ..concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_two_concurrent_creates_with_one_dedupe_key_make_one_notice(require_postgres, consumer, settings):
    # given: quiet hours off, so the SMS is queued at once whatever the hour
    settings.XINREN_NOTIFY_QUIET_HOURS = None
    # when
    results = race(*(
        lambda: notification_create(user_id=consumer.pk, kind="order_shipped", link="/shop/orders/R1/",
                                    params={"order": "R1", "carrier": "顺丰速运", "tracking": "SF1"},
                                    dedupe_key="order_shipped:race")
        for _ in range(2)
    ))
    # then: both callers get the same notice; one SMS delivery
    assert results[0].pk == results[1].pk
    assert Notification.objects.filter(dedupe_key="order_shipped:race").count() == 1
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]

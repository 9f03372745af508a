"""The schedule runs the reviews' hourly job: diary invitations arrive on day 7, 15 and 30 without anyone's help."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.core import clock
from xinren.core.schedule import schedule_tick
from xinren.notify.choices import NotificationKind
from xinren.notify.models import Notification
from xinren.notify.selectors import notification_show
from xinren.reviews.models import DiaryInvitation
from xinren.reviews.services import review_post
from xinren.schedule import JOBS

from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _scheduler_and_worker_at(run_tasks, moment: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """What `tasks_worker` does in one round, at `moment`."""
    schedule_tick(jobs=JOBS, now=moment)
    run_tasks(at=moment)


def test_diary_invitations_arrive_on_day_7_15_and_30(platform, consumer, product_on_sale, run_tasks):
    # given: a review of a line delivered today
    delivered = clock.now()
    line = line_delivered(consumer, product_on_sale, delivered_at=delivered)
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="香味很浓，菌盖完整，包装也很用心。")

    def invited() -> list[int]:
        return sorted(DiaryInvitation.objects.filter(review=review).values_list("milestone", flat=True))

    # when / then: the schedule's hourly rounds, day by day
    _scheduler_and_worker_at(run_tasks, delivered + 6 * DAY + dt.timedelta(hours=23))
    assert invited() == []
    _scheduler_and_worker_at(run_tasks, delivered + 7 * DAY + dt.timedelta(hours=1))
    assert invited() == [7]
    _scheduler_and_worker_at(run_tasks, delivered + 15 * DAY + dt.timedelta(hours=1))
    assert invited() == [7, 15]
    _scheduler_and_worker_at(run_tasks, delivered + 30 * DAY + dt.timedelta(hours=1))
    assert invited() == [7, 15, 30]
    assert [
        notification_show(notice).body
        for notice in Notification.objects.filter(user=consumer, kind=NotificationKind.DIARY_INVITED).order_by("id")
    ] == ["收货第 7 天了，写一篇使用日记吧", "收货第 15 天了，写一篇使用日记吧", "收货第 30 天了，写一篇使用日记吧"]

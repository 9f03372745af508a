"""Tasks are retried with exponential backoff; every failed attempt stays on record with its error."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinren.core import clock
from xinren.core.tasks import Retry, task_enqueue, task_retry

from ..fixtures.tasks import queued
from .jobs import always_fails_task, fails_once_task, noop_task

pytestmark = pytest.mark.django_db


def _results(task) -> list[tuple[str, dict, str]]:  # type: ignore[no-untyped-def]
    rows = DBTaskResult.objects.filter(task_path=task.module_path).order_by("enqueued_at")
    return [(row.status, row.args_kwargs["kwargs"], row.traceback.strip().splitlines()[-1] if row.traceback else "")
            for row in rows]


def test_a_task_that_succeeds_runs_once_and_keeps_its_return_value(run_tasks):
    # given
    task_enqueue(noop_task, n=7)
    # when
    ran = run_tasks()
    # then
    assert ran == 1
    result = DBTaskResult.objects.get(task_path=noop_task.module_path)
    assert (result.status, result.return_value, result.traceback) == (TaskResultStatus.SUCCESSFUL, 7, "")


def test_a_failed_attempt_is_recorded_and_the_next_waits_for_its_backoff(run_tasks):
    # given
    now = clock.now()
    task_enqueue(always_fails_task, why="库存服务不可用")
    # when: the first attempt runs and fails
    run_tasks(at=now)
    # then: its error is on record, and attempt 2 is queued 10 s later
    assert _results(always_fails_task) == [
        (TaskResultStatus.FAILED, {"why": "库存服务不可用"}, "RuntimeError: 库存服务不可用"),
        (TaskResultStatus.READY, {"why": "库存服务不可用", "_attempt": 2}, ""),
    ]
    retry = DBTaskResult.objects.get(task_path=always_fails_task.module_path, status=TaskResultStatus.READY)
    assert retry.run_after == now + dt.timedelta(seconds=10)
    # when: a worker looks again before the backoff has passed
    ran = run_tasks(at=now + dt.timedelta(seconds=9))
    # then: nothing runs
    assert ran == 0


def test_the_backoff_grows_fourfold_and_the_task_gives_up_after_its_last_attempt(run_tasks):
    # given
    now = clock.now()
    task_enqueue(always_fails_task, why="boom")
    # when: each attempt runs when due
    run_tasks(at=now)
    run_tasks(at=now + dt.timedelta(seconds=10))
    second_retry = DBTaskResult.objects.get(task_path=always_fails_task.module_path, status=TaskResultStatus.READY)
    run_tasks(at=now + dt.timedelta(seconds=50))
    # then: attempt 3 came 40 s after attempt 2; after it, three failures on record and nothing more queued
    assert second_retry.run_after == now + dt.timedelta(seconds=50)
    assert _results(always_fails_task) == [
        (TaskResultStatus.FAILED, {"why": "boom"}, "RuntimeError: boom"),
        (TaskResultStatus.FAILED, {"why": "boom", "_attempt": 2}, "RuntimeError: boom"),
        (TaskResultStatus.FAILED, {"why": "boom", "_attempt": 3}, "RuntimeError: boom"),
    ]
    assert run_tasks(at=now + dt.timedelta(days=1)) == 0


def test_a_task_that_fails_once_succeeds_on_its_second_attempt(run_tasks, tmp_path, settings):
    # given: retries start after the default backoff from settings
    settings.XINREN_TASKS_RETRY_SECONDS = 3
    now = clock.now()
    marker = tmp_path / "marker"
    task_enqueue(fails_once_task, marker=str(marker))
    # when
    run_tasks(at=now)
    run_tasks(at=now + dt.timedelta(seconds=3))
    # then
    assert _results(fails_once_task) == [
        (TaskResultStatus.FAILED, {"marker": str(marker)}, "RuntimeError: first attempt fails"),
        (TaskResultStatus.SUCCESSFUL, {"marker": str(marker), "_attempt": 2}, ""),
    ]
    assert marker.read_text() == "attempt 2 succeeded"
    assert queued(fails_once_task) == []


def test_the_backoff_doubles_twice_per_attempt_up_to_six_hours(settings):
    # given
    settings.XINREN_TASKS_RETRY_SECONDS = 10
    retry = Retry(attempts=20)
    # then
    assert [retry.delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 8)] == [10, 40, 160, 640, 2560, 6 * 3600]
    assert task_retry(always_fails_task.module_path) == Retry(attempts=3, backoff=10)
    assert task_retry("xinren.orders.payments.sandbox.webhook_deliver_task") == Retry(attempts=6)

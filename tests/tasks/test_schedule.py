"""The periodic schedule: slots of each cadence, each slot run once whoever ticks, and the registry's own jobs."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinren.core import clock
from xinren.core.models import ScheduledRun
from xinren.core.schedule import PeriodicJob, schedule_tick
from xinren.core.worker import task_results_prune
from xinren.schedule import JOBS

from ..fixtures.tasks import queued
from .jobs import noop_task

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_5 = PeriodicJob(name="every-five", task=noop_task, context="tests", every=dt.timedelta(minutes=5),
                      description="test")
DAILY = PeriodicJob(name="daily-0330", task=noop_task, context="tests", every=dt.timedelta(days=1),
                    at=dt.timedelta(hours=3, minutes=30), description="test")


def _at(day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


def test_slots_follow_local_wall_clock_time():
    # then
    assert EVERY_5.slot(_at(6, 21, 7, 30)) == _at(6, 21, 5)
    assert EVERY_5.slot(_at(6, 21, 5)) == _at(6, 21, 5)
    assert DAILY.slot(_at(6, 3, 29, 59)) == _at(5, 3, 30)
    assert DAILY.slot(_at(6, 3, 30)) == _at(6, 3, 30)
    # a UTC reading lands in the same local slot
    assert DAILY.slot(_at(6, 12, 0).astimezone(dt.UTC)) == _at(6, 3, 30)


def test_cadences_systemd_timers_cannot_follow_are_refused():
    # then
    with pytest.raises(ValueError, match="whole minutes that divide a day"):
        PeriodicJob(name="odd", task=noop_task, context="tests", every=dt.timedelta(minutes=7), description="")
    with pytest.raises(ValueError, match="no OnCalendar form"):
        PeriodicJob(name="odd", task=noop_task, context="tests", every=dt.timedelta(minutes=90), description="")
    with pytest.raises(ValueError, match="offset"):
        PeriodicJob(name="odd", task=noop_task, context="tests", every=dt.timedelta(hours=1),
                    at=dt.timedelta(hours=1), description="")


@pytest.mark.django_db
def test_a_tick_queues_each_job_once_per_slot():
    # when: two schedulers tick in the same slot, then one ticks in the next
    first = schedule_tick(jobs=[EVERY_5, DAILY], now=_at(6, 21, 7))
    second = schedule_tick(jobs=[EVERY_5, DAILY], now=_at(6, 21, 9, 59))
    third = schedule_tick(jobs=[EVERY_5, DAILY], now=_at(6, 21, 10))
    # then
    assert [job.name for job in first] == ["every-five", "daily-0330"]
    assert second == []
    assert [job.name for job in third] == ["every-five"]
    assert list(ScheduledRun.objects.order_by("slot", "job").values_list("job", "slot")) == [
        ("daily-0330", _at(6, 3, 30)), ("every-five", _at(6, 21, 5)), ("every-five", _at(6, 21, 10)),
    ]
    assert queued(noop_task) == [{}, {}, {}]
    # each claim names the task it queued
    claimed = set(ScheduledRun.objects.values_list("task_id", flat=True))
    assert claimed == {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_the_same_moment_run_a_slot_once(require_postgres):
    # given: two schedulers, each with its own connection, released together
    barrier = threading.Barrier(2)
    started: list[list[str]] = []

    def scheduler() -> None:
        barrier.wait()
        try:
            started.append([job.name for job in schedule_tick(jobs=[EVERY_5], now=_at(6, 21, 7))])
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(started) == [[], ["every-five"]]
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_the_registry_names_each_job_once_with_a_context_that_owns_its_task():
    # then
    assert [job.name for job in JOBS] == [
        "orders-expire", "payments-reconcile", "reviews-invite", "community-rescore", "tiers-evaluate", "tasks-prune",
        "signin-prune", "aftersales-sweep", "fund-reconcile", "programmes-review", "offer-pages-refresh",
        "label-sheets-sweep",
        "qualifications-watch",
        "risk-evaluate",
        "payouts-pay-due",
        "probation-review",
        "trust-scores-publish",
        "trust-scores-refresh",
        "adlaw-recheck",
    ]
    assert {job.name: (job.context, job.task.module_path) for job in JOBS} == {
        "orders-expire": ("orders", "xinren.orders.tasks.orders_expire_task"),
        "payments-reconcile": ("orders", "xinren.orders.tasks.payments_reconcile_task"),
        "reviews-invite": ("reviews", "xinren.reviews.tasks.reviews_invite_task"),
        "community-rescore": ("community", "xinren.community.tasks.community_rescore_task"),
        "tiers-evaluate": ("community", "xinren.community.tasks.tiers_evaluate_task"),
        "tasks-prune": ("core", "xinren.core.worker.task_results_prune_task"),
        "signin-prune": ("accounts", "xinren.accounts.tasks.signin_counters_prune_task"),
        "aftersales-sweep": ("aftersales", "xinren.aftersales.tasks.aftersales_sweep_task"),
        "payouts-pay-due": ("orders", "xinren.orders.tasks.payouts_pay_due_task"),
        "probation-review": ("governance", "xinren.governance.probation_tasks.probation_review_task"),
        "fund-reconcile": ("aftersales", "xinren.aftersales.fund.tasks.fund_reconcile_task"),
        "programmes-review": ("aftersales", "xinren.aftersales.programmes.tasks.programmes_review_task"),
        "offer-pages-refresh": ("orders", "xinren.orders.tasks.offer_pages_refresh_task"),
        "label-sheets-sweep": ("catalog", "xinren.catalog.tasks.label_sheets_sweep_task"),
        "qualifications-watch": ("governance", "xinren.governance.tasks.qualifications_watch_task"),
        "risk-evaluate": ("governance", "xinren.governance.tasks.risk_evaluate_task"),
        "trust-scores-publish": ("trust", "xinren.trust.scores.tasks.trust_scores_publish_task"),
        "trust-scores-refresh": ("trust", "xinren.trust.scores.tasks.trust_scores_refresh_task"),
        "adlaw-recheck": ("governance", "xinren.governance.copy_recheck_tasks.copy_recheck_task"),
    }
    assert {job.name: job.cadence() for job in JOBS} == {
        "orders-expire": "*-*-* *:00/5:00",
        "payments-reconcile": "*-*-* *:00/5:00",
        "reviews-invite": "*-*-* *:00:00",
        "community-rescore": "*-*-* *:00:00",
        "tiers-evaluate": "*-*-* 03:30:00",
        "tasks-prune": "*-*-* 04:10:00",
        "signin-prune": "*-*-* 04:40:00",
        "aftersales-sweep": "*-*-* *:00/5:00",
        "fund-reconcile": "*-*-* *:00:00",
        "programmes-review": "*-*-* 02:20:00",
        "offer-pages-refresh": "*-*-* 00:05:00",
        "label-sheets-sweep": "*-*-* *:00/15:00",
        "qualifications-watch": "*-*-* 00:20:00",
        "risk-evaluate": "*-*-* 05:10:00",
        "payouts-pay-due": "*-*-* *:00:00",
        "probation-review": "*-*-* 03:10:00",
        "trust-scores-publish": "*-*-* *:*:00",
        "trust-scores-refresh": "*-*-* 05:40:00",
        "adlaw-recheck": "*-*-* 04:20:00",
    }


@pytest.mark.django_db
def test_the_worker_ticks_the_schedule_and_runs_every_job(capsys):
    # when: the embedded worker (make run) goes round once
    call_command("tasks_worker", "--once", "--worker-id", "test-worker")
    # then: each job's slot is claimed and its task has run
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == sorted(job.name for job in JOBS)
    results = DBTaskResult.objects.order_by("task_path")
    assert [(row.task_path, row.status, row.worker_ids) for row in results] == [
        (path, TaskResultStatus.SUCCESSFUL, ["test-worker"]) for path in sorted(job.task.module_path for job in JOBS)
    ]
    assert f"ran {len(JOBS)} task(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_schedule_run_queues_the_named_job_once_per_slot(capsys):
    # when
    call_command("schedule_run", "orders-expire")
    call_command("schedule_run", "orders-expire")
    # then
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 4)[-1] for line in out] == ["queued", "already claimed"]
    assert list(ScheduledRun.objects.values_list("job", flat=True)) == ["orders-expire"]
    assert DBTaskResult.objects.get().task_path == "xinren.orders.tasks.orders_expire_task"


@pytest.mark.django_db
def test_old_task_results_and_claims_are_pruned_daily():
    # given: results and claims of various ages
    now = clock.now()
    for status, age in [("SUCCESSFUL", 8), ("SUCCESSFUL", 6), ("FAILED", 31), ("FAILED", 29), ("READY", 90)]:
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}}, task_path=noop_task.module_path, backend_name="default",
            status=status, finished_at=now - dt.timedelta(days=age),
        )
    ScheduledRun.objects.create(job="orders-expire", slot=now - dt.timedelta(days=31), claimed_at=now)
    ScheduledRun.objects.create(job="orders-expire", slot=now - dt.timedelta(days=29), claimed_at=now)
    # when
    pruned = task_results_prune(now=now)
    # then
    assert pruned == 3
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED", "READY", "SUCCESSFUL"]
    assert ScheduledRun.objects.get().slot == now - dt.timedelta(days=29)

"""Running the database backend's tasks in this process: what `manage.py tasks_worker` loops over and what tests
call to drain the queue they filled (ADR 0013). Claiming and running reuse django_tasks_db's own worker code, so a
task runs here exactly as under `db_worker`: claimed under a row lock, its outcome and traceback recorded. And the
daily pruning of finished results."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Q
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from xinren.core import clock

from .models import ScheduledRun
from .tasks import background

logger = logging.getLogger("xinren.tasks")

# A drain stops after this many runs, so a task that keeps enqueueing itself cannot hold a worker (or a test).
RUN_LIMIT = 1000


def tasks_due(*, now: datetime, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> Q:
    """Ready tasks of the backend whose run_after has passed (or that have none)."""
    return (
        Q(status=TaskResultStatus.READY, backend_name=backend_name)
        & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    )


def _claim(*, now: datetime, worker_id: str, backend_name: str) -> DBTaskResult | None:
    due = DBTaskResult.objects.filter(tasks_due(now=now, backend_name=backend_name))
    with exclusive_transaction(due.db):
        result = due.get_locked()
        if result is not None:
            result.claim(worker_id)
    return result


def tasks_run_due(
    *,
    now: datetime | None = None,
    worker_id: str = "inline",
    backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run the due tasks one at a time, highest priority and oldest first, including those the runs enqueue when
    they are due too; a failed task is recorded with its traceback (its retry, if any, waits for its time).
    `now` defaults to the clock. Returns how many ran."""
    runner = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name=backend_name, startup_delay=False, max_tasks=None,
        worker_id=worker_id, excluded_queue_names=[],
    )
    ran = 0
    while ran < RUN_LIMIT and not stop():
        result = _claim(now=now or clock.now(), worker_id=worker_id, backend_name=backend_name)
        if result is None:
            break
        runner.run_task(result)
        ran += 1
        if result.status == TaskResultStatus.FAILED:
            logger.warning("task %s (%s) failed: %s", result.task_name, result.id, result.exception_class_path)
    return ran


# Finished task results and schedule claims are kept this long, for operators to look back on (failures longer).
KEEP_SUCCESSFUL = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)
KEEP_CLAIMS = timedelta(days=30)


def task_results_prune(*, now: datetime | None = None) -> int:
    """Delete successful task results older than a week, failed ones older than 30 days and schedule claims older
    than 30 days. Returns how many rows went."""
    now = now or clock.now()
    successful = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL)
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED)
    claims = ScheduledRun.objects.filter(slot__lt=now - KEEP_CLAIMS)
    return successful.delete()[0] + failed.delete()[0] + claims.delete()[0]


@background(attempts=2, backoff=600)
def task_results_prune_task() -> int:
    """Periodic (daily): prune old task results and schedule claims."""
    return task_results_prune()

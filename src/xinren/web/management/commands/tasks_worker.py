"""`manage.py tasks_worker`: run background tasks and the periodic schedule (ADR 0013, docs/operations.md).

On the database backend it runs the queued tasks one at a time; unless --no-schedule it also ticks the schedule
(xinren/schedule.py), which is how `make run` runs every periodic job without systemd. With XINREN_TASKS_BACKEND=rq
the tasks are RQ's workers' (`manage.py rqworker`), and this only ticks the schedule. SIGTERM or SIGINT stops it
after the task in hand.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from xinren.core.schedule import schedule_tick
from xinren.core.worker import tasks_run_due
from xinren.schedule import JOBS

logger = logging.getLogger("xinren.tasks")


class Command(BaseCommand):
    help = "Run background tasks (database backend) and tick the periodic schedule until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle (1)")
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between schedule ticks (15)")
        parser.add_argument("--no-schedule", action="store_true", help="run tasks only (the timers tick)")
        parser.add_argument("--once", action="store_true", help="tick once, run what is due, then exit")
        parser.add_argument("--worker-id", default="", help="recorded on each task it runs (default: random)")
        parser.add_argument("--stop-with-parent", action="store_true",
                            help="exit when the process that started it is gone (make run)")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        runs_tasks = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
        schedule = not options["no_schedule"]
        worker_id = options["worker_id"] or f"{os.uname().nodename}-{get_random_string(8)}"
        parent = os.getppid()
        self._say(f"worker {worker_id}: {'tasks' if runs_tasks else 'no tasks (rq runs them)'}, "
                  f"{'schedule of ' + str(len(JOBS)) + ' jobs' if schedule else 'no schedule'}")
        next_tick = 0.0
        while not stopping:
            ran = 0
            try:
                if schedule and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + options["tick"]
                    for job in schedule_tick(jobs=JOBS):
                        slot = timezone.localtime(job.slot(timezone.now()))  # shown in Asia/Shanghai time
                        self._say(f"queued {job.name} for its slot {slot:%Y-%m-%d %H:%M}")
                if runs_tasks:
                    ran = tasks_run_due(worker_id=worker_id, stop=lambda: stopping)
                    if ran:
                        self._say(f"ran {ran} task(s)")
            except Exception:  # a locked or restarted database must not end the worker
                logger.exception("tasks_worker: this round failed; trying again")
            if options["once"] or (options["stop_with_parent"] and os.getppid() != parent):
                break
            if not ran and not stopping:
                close_old_connections()
                time.sleep(options["interval"])
        self._say(f"worker {worker_id} stopped")

    def _say(self, message: str) -> None:
        self.stdout.write(f"[tasks {timezone.localtime():%H:%M:%S}] {message}")
        self.stdout.flush()

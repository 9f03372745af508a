"""The periodic schedule as code: a job is a task, a cadence and the context that owns it (ADR 0013).

The registry itself is `xinren/schedule.py`, beside urls.py, because it names tasks of every context. Time is cut
into slots (every 5 minutes, every hour, every day at 03:30, in TIME_ZONE); `schedule_tick` enqueues each job whose
current slot nobody has claimed yet. The claim is a row with a unique key, so any number of schedulers (the
embedded worker, a systemd timer per job on each host) run a slot once. A scheduler that was down for a while
runs each job once when it comes back, for the slot it is in, as systemd's Persistent timers do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from xinren.core import clock

from .models import ScheduledRun
from .tasks import task_enqueue

DAY = timedelta(days=1)
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")


@dataclass(frozen=True)
class PeriodicJob:
    """A task run once in every slot of its cadence: every `every`, starting `at` after local midnight."""

    name: str
    task: Task[[], Any]
    context: str
    every: timedelta
    description: str
    at: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"job name {self.name!r}: lower-case letters, digits and dashes")
        if self.every < timedelta(minutes=1) or self.every.total_seconds() % 60 or DAY % self.every:
            raise ValueError(f"job {self.name}: the cadence must be whole minutes that divide a day")
        if not timedelta(0) <= self.at < self.every or self.at.total_seconds() % 60:
            raise ValueError(f"job {self.name}: the offset must be whole minutes within one period")
        self.cadence()  # refuses a cadence systemd's timers could not follow

    def slot(self, now: datetime) -> datetime:
        """The start of the slot `now` falls in (aware, in TIME_ZONE)."""
        local = timezone.localtime(now)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0) + self.at
        if local < start:
            start -= DAY
        return start + self.every * ((local - start) // self.every)

    def cadence(self) -> str:
        """systemd's OnCalendar expression for the same slots (without the time zone)."""
        minutes = int(self.every.total_seconds() // 60)
        at_hour, at_minute = divmod(int(self.at.total_seconds() // 60), 60)
        if minutes < 60 and 60 % minutes == 0:
            return f"*-*-* *:{at_minute:02d}/{minutes}:00" if minutes > 1 else "*-*-* *:*:00"
        hours = minutes // 60
        if minutes % 60 == 0 and hours < 24:
            return f"*-*-* {at_hour:02d}/{hours}:{at_minute:02d}:00" if hours > 1 else f"*-*-* *:{at_minute:02d}:00"
        if minutes == 24 * 60:
            return f"*-*-* {at_hour:02d}:{at_minute:02d}:00"
        raise ValueError(f"job {self.name}: no OnCalendar form for every {self.every}")


def schedule_tick(*, jobs: Sequence[PeriodicJob], now: datetime | None = None) -> list[PeriodicJob]:
    """Enqueue every job whose current slot is not claimed yet, claiming it in the same transaction; returns the
    jobs enqueued by this call."""
    now = now or clock.now()
    started: list[PeriodicJob] = []
    for job in jobs:
        slot = job.slot(now)
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(job=job.name, slot=slot, claimed_at=now)
            except IntegrityError:  # another scheduler claimed it a moment ago
                continue
            result = task_enqueue(job.task)
            if result is not None:
                ScheduledRun.objects.filter(pk=run.pk).update(task_id=result.id)
        started.append(job)
    return started

"""`manage.py schedule_run [JOB ...]`: claim the current slot of the named periodic jobs (all when none is named)
and queue their tasks; a slot already claimed is skipped. The generated systemd timers run it (ADR 0013)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinren.core.schedule import schedule_tick
from xinren.schedule import JOBS


class Command(BaseCommand):
    help = "Queue the periodic jobs whose current slot is not claimed yet (--list shows the schedule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("jobs", nargs="*", help="job names (default: every job)")
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        by_name = {job.name: job for job in JOBS}
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name:20} {job.context:10} {job.cadence():22} {job.description}")
            return
        unknown = sorted(set(options["jobs"]) - set(by_name))
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
        jobs = [by_name[name] for name in options["jobs"]] or list(JOBS)
        now = timezone.now()
        started = {job.name for job in schedule_tick(jobs=jobs, now=now)}
        for job in jobs:
            state = "queued" if job.name in started else "already claimed"
            self.stdout.write(f"{job.name}: slot {timezone.localtime(job.slot(now)):%Y-%m-%d %H:%M} {state}")

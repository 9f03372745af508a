"""`manage.py schedule_units`: write the systemd units of the periodic schedule and the task workers into
deploy/systemd (or --check that the committed ones are up to date)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.core.units import units_render
from xinren.schedule import JOBS

SYSTEMD = settings.PROJECT_DIR / "deploy" / "systemd"


class Command(BaseCommand):
    help = "Generate deploy/systemd units from the periodic schedule (xinren/schedule.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", "--dir", dest="dir", type=Path, default=SYSTEMD,
                            help="the folder to write (or --check) the units in (default: deploy/systemd)")
        parser.add_argument("--check", action="store_true", help="fail if a unit differs, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        units = units_render(jobs=JOBS, time_zone=settings.TIME_ZONE)
        stale = [name for name, text in units.items()
                 if not (directory / name).exists() or (directory / name).read_text() != text]
        if options["check"]:
            if stale:
                raise CommandError(f"out of date in {directory}: {', '.join(stale)} (run manage.py schedule_units)")
            self.stdout.write(f"{len(units)} units up to date")
            return
        directory.mkdir(parents=True, exist_ok=True)
        for name in stale:
            (directory / name).write_text(units[name])
            self.stdout.write(f"wrote {directory / name}")
        self.stdout.write(f"{len(stale)} of {len(units)} units written")

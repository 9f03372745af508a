"""Count the scans that nginx logged (docs/adr/0002): database rows plus the public counter files."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from xinren.web.public.scanlog import Ingester
from xinren.web.publishing import counter_write

FLUSH_SECONDS = 1.0


class Command(BaseCommand):
    help = "Count scans from the nginx scan log; --follow keeps tailing it (across log rotation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--log", type=Path, required=True, help="the scan log nginx writes")
        parser.add_argument("--state", type=Path, help="where the read position is kept (default: beside VAR)")
        parser.add_argument("--follow", action="store_true", help="keep reading until stopped")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls at the end")
        parser.add_argument("--batch-bytes", type=int, default=1 << 20, help="log bytes per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        log: Path = options["log"]
        state = options["state"] or Path(settings.XINREN_PUBLISH_DIR).parent / "scans" / f"{log.name}.state"
        ingester = Ingester(log_path=log, state_path=state)
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        started = time.monotonic()
        flushed = time.monotonic()
        while not stopping:
            read = ingester.step(max_bytes=options["batch_bytes"])
            if read == 0 or time.monotonic() - flushed >= FLUSH_SECONDS:
                self._flush(ingester)
                flushed = time.monotonic()
            if read:
                continue
            if not options["follow"]:
                break
            connections.close_all()
            time.sleep(options["interval"])
        self._flush(ingester)
        stats = ingester.stats
        self.stdout.write(
            f"read {stats.lines} lines, counted {stats.scans} scans, {stats.unknown} of unknown items, "
            f"in {time.monotonic() - started:.1f}s"
        )

    @staticmethod
    def _flush(ingester: Ingester) -> None:
        for gtin, serial, counter in ingester.take_touched().values():
            counter_write(gtin=gtin, serial=serial, counter=counter)

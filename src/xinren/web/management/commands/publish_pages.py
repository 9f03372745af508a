"""Publish the consumer pages as files for the web server (docs/adr/0002, docs/operations.md)."""

from __future__ import annotations

import multiprocessing
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from xinren.catalog.models import Batch
from xinren.core.models import PageRefresh
from xinren.web.publishing import PUBLIC_STATUSES, PublishStats, outbox_drain, publish_all


def _publish_batches(batch_ids: list[int]) -> PublishStats:
    return publish_all(batch_ids=batch_ids, products=False)


class Command(BaseCommand):
    help = "Publish consumer pages: --all to publish everything, otherwise drain the outbox (--follow to keep at it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="publish every public page, withdraw the rest")
        parser.add_argument("--follow", action="store_true", help="keep draining the outbox until stopped")
        parser.add_argument("--jobs", type=int, default=1, help="processes for --all (default 1)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls with --follow")
        parser.add_argument("--limit", type=int, default=200, help="outbox rows claimed per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            self._all(jobs=max(1, options["jobs"]))
        if options["follow"] or not options["all"]:
            self._drain(follow=options["follow"], interval=options["interval"], limit=options["limit"])

    def _all(self, *, jobs: int) -> None:
        started = time.monotonic()
        # Rows queued before this run are covered by it; rows queued during it stay for the drain.
        covered = PageRefresh.objects.order_by("-pk").values_list("pk", flat=True).first()
        stats = publish_all(batch_ids=[], products=True)
        batch_ids = list(
            Batch.objects.filter(product__status__in=PUBLIC_STATUSES).order_by("pk").values_list("pk", flat=True)
        )
        if jobs == 1:
            stats.add(_publish_batches(batch_ids))
        else:
            connections.close_all()  # every process opens its own connection
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for part in pool.map(_publish_batches, [batch_ids[n::jobs] for n in range(jobs)]):
                    stats.add(part)
        if covered is not None:
            PageRefresh.objects.filter(pk__lte=covered).delete()
        self.stdout.write(
            f"published {stats.pages} pages, removed {stats.removed}, skipped {stats.skipped} "
            f"in {time.monotonic() - started:.1f}s"
        )

    def _drain(self, *, follow: bool, interval: float, limit: int) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        if follow:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        total = PublishStats()
        while not stopping:
            stats = outbox_drain(limit=limit)
            total.add(stats)
            if stats.pages or stats.removed or stats.queued or stats.skipped:
                continue
            if not follow:
                break
            connections.close_all()  # do not hold a connection (or a stale one) while idle
            time.sleep(interval)
        self.stdout.write(f"published {total.pages} pages, removed {total.removed}, queued {total.queued}")

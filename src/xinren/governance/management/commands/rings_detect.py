"""`manage.py rings_detect [--days N]`: run the brushing-ring detector on the platform's own orders and reviews
and store the rings found for operators (/operator/rings/). Safe to run again: a ring already stored (same shop,
same members) is not stored twice. Nothing is folded until an operator confirms (ADR 0050)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinren.core import clock
from xinren.governance.rings.graph import detect
from xinren.governance.rings.platform import platform_orders, platform_reviews
from xinren.governance.rings.services import rings_store


class Command(BaseCommand):
    help = "Find brushing rings (刷单) in the platform's orders and reviews and flag them for operators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=90, help="orders placed in the last N days (default 90)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        since = now - timedelta(days=options["days"])
        orders = platform_orders(since=since)
        rings = detect(orders, platform_reviews(since=since))
        stored = rings_store(rings=rings, now=now)
        self.stdout.write(f"{len(orders)} purchase edges, {len(rings)} rings found, {len(stored)} new flagged")

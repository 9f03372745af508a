"""`manage.py vou_backfill`: read every customer text the current classifier has not read yet (voice of the user,
docs/care.md). Run it after install and after a new model version; it is idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinren.care.services import voice_backfill
from xinren.core import clock

# Tickets only where an offer is still possible: the after-sales claim window (15 days after delivery).
DEFAULT_TICKET_DAYS = 15


class Command(BaseCommand):
    help = (
        "Classify reviews, usage diaries, consumer messages and after-sale reasons not yet read by the current "
        "model version; hurt customers of the last --ticket-days days get a care ticket."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ticket-days",
            type=int,
            default=DEFAULT_TICKET_DAYS,
            help="open care tickets only for texts written in the last N days (0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(int(options["ticket_days"]), 0)
        since = clock.now() - timedelta(days=days) if days else clock.now() + timedelta(days=36500)
        counts = voice_backfill(tickets_since=since)
        self.stdout.write(", ".join(f"{kind}: {n}" for kind, n in counts.items()) + " classified.")

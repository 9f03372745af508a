"""Recompute quality scores and settle reward points (pay due rewards, reverse rewards of folded reviews)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinren.community.services import community_rescore
from xinren.core import clock


class Command(BaseCommand):
    help = "Rescore reviews changed in the last --hours (default 2; run hourly), or --all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=2.0)
        parser.add_argument("--all", action="store_true", help="every review (after a formula change)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None if options["all"] else clock.now() - timedelta(hours=options["hours"])
        count = community_rescore(since=since)
        self.stdout.write(f"rescored {count} reviews")

"""Promote and demote consumers between expert tiers by the published criteria (run daily)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from xinren.community.services import community_rescore, tiers_evaluate
from xinren.core import clock


class Command(BaseCommand):
    help = "Evaluate every consumer's expert tier (after rescoring the last day's reviews); run once a day."

    def handle(self, *args: Any, **options: Any) -> None:
        community_rescore(since=clock.now() - timedelta(days=1))
        changes = tiers_evaluate()
        for change in changes:
            self.stdout.write(f"{change.consumer_id}: {change.from_tier} -> {change.to_tier} ({change.reason})")
        self.stdout.write(f"{len(changes)} tier changes")

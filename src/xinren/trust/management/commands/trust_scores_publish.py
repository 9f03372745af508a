"""Sign the trust scores awaiting their statement now, rather than at the next `trust-scores-publish` run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinren.trust.scores.services import scores_publish_pending


class Command(BaseCommand):
    help = "Sign every stored trust score that a review's quick refresh left awaiting its statement (ADR 0051)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"published {scores_publish_pending()} trust scores")

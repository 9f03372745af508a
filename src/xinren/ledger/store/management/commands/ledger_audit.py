"""Re-read the whole log and check it; exits non-zero at the first inconsistency."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.ledger.store.audit import log_audit


class Command(BaseCommand):
    help = "Recompute every hash and root, verify every checkpoint and entry signature."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)

    def handle(self, *args: Any, **options: Any) -> None:
        report = log_audit(workers=options["workers"])
        summary = (f"{report.entries} entries, {report.stored_hashes} stored hashes, {report.checkpoints} "
                   f"checkpoints, {report.signatures} signatures in {report.seconds:.1f} s")
        if report.problem is not None:
            raise CommandError(f"INCONSISTENT at {report.problem.position}: {report.problem.message} ({summary})")
        self.stdout.write(f"consistent: {summary}")

"""`manage.py ledger_audit`: the same as `xinren ledger audit` — the log itself, then every signed row against it,
both ways (attest.audit). Exits non-zero when anything is inconsistent."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.cli import main as xinren_main


class Command(BaseCommand):
    help = "Recompute every hash and root, verify every checkpoint and entry signature, reconcile the signed rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--log-only", action="store_true", help="check the log only, not the signed rows")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["ledger", "audit", "--workers", str(options["workers"])]
        if options["log_only"]:
            argv.append("--log-only")
        if xinren_main(argv) != 0:
            raise CommandError("INCONSISTENT (see above)")

"""Sequence the pending pool: once, or as a loop (`--follow`) that also asks witnesses to cosign."""

from __future__ import annotations

import gc
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from xinren.ledger.store.sequencer import DEFAULT_BATCH, log_integrate_all
from xinren.ledger.store.witness import checkpoint_witness


class Command(BaseCommand):
    help = "Integrate pending log entries and sign a checkpoint; --follow keeps doing it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--follow", action="store_true", help="run the sequencer loop until interrupted")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between integrations (--follow)")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="entries per checkpoint")
        parser.add_argument("--no-witness", action="store_true", help="do not contact witnesses")
        parser.add_argument("--max-rounds", type=int, default=0, help="stop after this many rounds (tests)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["follow"]:
            # A long-running loop: the collector need never rescan what Django built at start-up
            # (a few µs per sequenced entry otherwise).
            gc.freeze()
        rounds = 0
        while True:
            if not connection.in_atomic_block:  # a long-running loop must drop broken or stale connections
                close_old_connections()
            results = log_integrate_all(limit=options["batch_size"])
            added = sum(r.integrated for r in results)
            if added or not options["follow"]:
                self.stdout.write(f"integrated {added} entries; log size {results[-1].new_size}")
            if added and not options["no_witness"]:
                for outcome in checkpoint_witness():
                    state = "cosigned" if outcome.ok else f"refused: {outcome.message}"
                    self.stdout.write(f"  witness {outcome.url}: {state}")
            rounds += 1
            if not options["follow"] or (options["max_rounds"] and rounds >= options["max_rounds"]):
                return
            time.sleep(options["interval"])

"""Print the log's verifier key (what /log/key serves and `xinren ledger verify --key` takes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinren.ledger.store.selectors import log_vkey


class Command(BaseCommand):
    help = "Print the log's verifier key."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(log_vkey())

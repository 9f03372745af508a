"""Recompute every product's trust score under a formula version (the current one by default), in batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.core.errors import DomainError
from xinren.trust.scores.formula import CURRENT_VERSION, FORMULAS
from xinren.trust.scores.services import BATCH_SIZE, scores_recompute


class Command(BaseCommand):
    help = "Recompute every product's trust score; --version V writes that formula's scores alongside the others."
    # Django's own --version (print Django's version) gives way to the formula version.
    suppressed_base_arguments = {"--version"}

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="formula_version", default=CURRENT_VERSION,
                            help=f"formula version, one of {', '.join(FORMULAS)}")  # fmt: skip
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = scores_recompute(version=options["formula_version"], batch_size=options["batch_size"])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"recomputed {count} product scores ({options['formula_version']})")

"""manage.py verification_registry_import --kind organic --source "国家认监委 2026-11 导出" path.csv|path.xlsx

The file may be CSV in UTF-8 or GBK/GB18030, or an .xlsx workbook (its first sheet), as offices export them.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.core.errors import DomainError
from xinren.verification.choices import CredentialKind
from xinren.verification.services import registry_import


class Command(BaseCommand):
    help = (
        "Import an issuing body's export (CSV in UTF-8 or GBK/GB18030, or .xlsx) into the verification registry; "
        "replaces that source's rows. "
        "Columns: number, holder_name, holder_uscc, scope, region, valid_from, valid_until, status "
        "(see docs/verification.md). All rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=CredentialKind.values)
        parser.add_argument("--source", required=True, help="who published the export, and when")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            record = registry_import(
                kind=options["kind"],
                source=options["source"],
                data=data,
                filename=path.name,
                imported_by=getpass.getuser(),
            )
        except DomainError as exc:
            lines = [f"{exc.code}: {exc.message}"]
            for error in exc.details.get("errors", []):
                lines.append(f"  row {error['row']} [{error['column']}] {error['message']}")
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"imported {record.row_count} rows: {record.get_kind_display()} · {record.source} v{record.version}"
        )

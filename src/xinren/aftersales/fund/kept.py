"""Database triggers that keep the fund's journals and postings as written: no UPDATE, no DELETE, on SQLite and
PostgreSQL (as support/kept.py does for messages; ADR 0017 for signed rows). A correction is a reversal journal.
Someone with DDL rights can still drop them; reconciliation (fund/reconcile.py) is what catches that."""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "kept record: fund journals and postings cannot be changed or deleted (docs/fund.md)"
TABLES = ("aftersales_journal", "aftersales_posting", "aftersales_fundcallback")
PG_FUNCTION = "xinren_fund_kept_refuse"
EVENTS = ("UPDATE", "DELETE")


def _name(table: str, event: str) -> str:
    return f"{table}_{event.lower()}_kept"


def create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER "{_name(table, event)}" BEFORE {event} ON "{table}" FOR EACH ROW '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for table in TABLES for event in EVENTS
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql",
            *(
                f'CREATE TRIGGER "{_name(table, event)}" BEFORE {event} ON "{table}" FOR EACH ROW '
                f"EXECUTE FUNCTION {PG_FUNCTION}()"
                for table in TABLES for event in EVENTS
            ),
        ]
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{_name(table, event)}"' for table in TABLES for event in EVENTS]
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{_name(table, event)}" ON "{table}"' for table in TABLES for event in EVENTS]
    return []


def ledger_kept() -> migrations.RunPython:
    """The migration operation that installs (and, backwards, removes) the triggers."""

    def run(create: bool) -> Any:
        def operation(apps: Any, schema_editor: Any) -> None:
            vendor = schema_editor.connection.vendor
            for statement in create_sql(vendor) if create else drop_sql(vendor):
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(True), run(False), elidable=False)

"""Database triggers that keep support messages as written: no UPDATE, no DELETE, on SQLite and PostgreSQL.

Like the signed-row triggers (core.immutable, ADR 0017) but for rows that restate no statement, so they are named
`*_kept` and the signed-row declarations test does not count them. Someone with DDL rights can still drop them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "kept record: support messages cannot be changed or deleted (docs/support.md)"
TABLE = "support_message"
PG_FUNCTION = "xinren_support_kept_refuse"
TRIGGERS = (f"{TABLE}_update_kept", f"{TABLE}_delete_kept")


def create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER "{name}" BEFORE {event} ON "{TABLE}" FOR EACH ROW '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for name, event in zip(TRIGGERS, ("UPDATE", "DELETE"), strict=True)
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$ LANGUAGE plpgsql",
            *(
                f'CREATE TRIGGER "{name}" BEFORE {event} ON "{TABLE}" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()'
                for name, event in zip(TRIGGERS, ("UPDATE", "DELETE"), strict=True)
            ),
        ]
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{name}"' for name in TRIGGERS]
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{name}" ON "{TABLE}"' for name in TRIGGERS]
    return []


def messages_kept() -> migrations.RunPython:
    """The migration operation that installs (and, backwards, removes) the triggers."""

    def run(create: bool) -> Any:
        def operation(apps: Any, schema_editor: Any) -> None:
            vendor = schema_editor.connection.vendor
            for statement in create_sql(vendor) if create else drop_sql(vendor):
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(True), run(False), elidable=False)

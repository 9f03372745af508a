"""Database triggers that refuse to change or delete signed rows (docs/ledger.md, "Signed records").

A signed row restates a statement in the log; a signed statement is forever, so the row is too. Each context's
migrations install, for each signed table, with the columns its `attest.records.signed_record` declaration names:

- an UPDATE trigger refusing, once the row holds a leaf hash, any change to a signed column or to the leaf hash (a
  row is a draft until its service sets the leaf hash of the statement it signed). For a *superseded* record (a
  row that keeps the latest of a series of statements about one subject) the signed columns may change only
  together with a new, non-empty leaf hash: a new statement;
- a DELETE trigger refusing to delete the row (for an optional record, only once it holds a leaf hash);
- for child tables written with their parent (a lab report's measurements), triggers refusing every UPDATE and
  DELETE.

The refusal is an integrity error on both SQLite and PostgreSQL. Someone with the rights to drop a trigger can
still edit the table: `xinren ledger audit` then finds the edit (attest.audit), and the consumer page says so.
`tests/attest/test_immutable.py` checks that the triggers in the database are the ones the declarations ask for.
On SQLite a migration that rebuilds a signed table drops its triggers with it: reinstall them in that migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import migrations

MESSAGE = "signed record: rows that restate a signed statement cannot be changed or deleted (docs/ledger.md)"
PG_FUNCTION = "xinren_signed_refuse"
SUFFIX = "_signed"


@dataclass(frozen=True)
class SignedTable:
    """What the triggers of one signed record on one table protect."""

    table: str
    leaf_hash: str
    protected: tuple[str, ...]
    superseded: bool = False
    optional: bool = False

    @property
    def update_trigger(self) -> str:
        return f"{self.table}_{self.leaf_hash}{SUFFIX}"

    @property
    def delete_trigger(self) -> str:
        return f"{self.table}_delete{SUFFIX}"


def _changed(columns: Sequence[str], *, vendor: str) -> str:
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f'OLD."{c}" {differs} NEW."{c}"' for c in columns) or "FALSE"


def update_condition(signed: SignedTable, *, vendor: str) -> str:
    """When an UPDATE of a row is refused (a SQL boolean over OLD and NEW). A row without a leaf hash is not signed
    yet (a draft its service fills in before signing); once signed, its leaf hash is never cleared."""
    leaf = f'"{signed.leaf_hash}"'
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    content = _changed(signed.protected, vendor=vendor)
    if signed.superseded:
        # The content changes only together with a new statement.
        same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
        return f"OLD.{leaf} <> '' AND ((({content}) AND NEW.{leaf} {same} OLD.{leaf}) OR NEW.{leaf} = '')"
    return f"OLD.{leaf} <> '' AND (({content}) OR OLD.{leaf} {differs} NEW.{leaf})"


def _sqlite_trigger(name: str, event: str, table: str, condition: str | None) -> str:
    when = f" WHEN {condition}" if condition else ""
    return (f'CREATE TRIGGER "{name}" BEFORE {event} ON "{table}" FOR EACH ROW{when} '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def _pg_trigger(name: str, event: str, table: str, condition: str | None) -> str:
    when = f" WHEN ({condition})" if condition else ""
    return f'CREATE TRIGGER "{name}" BEFORE {event} ON "{table}" FOR EACH ROW{when} EXECUTE FUNCTION {PG_FUNCTION}()'


PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation', DETAIL = TG_TABLE_NAME || ' ' || TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def create_sql(tables: Sequence[SignedTable], children: Sequence[str], *, vendor: str) -> list[str]:
    """The statements that install the triggers (an empty list on other databases)."""
    if vendor not in ("sqlite", "postgresql"):
        return []
    trigger = _sqlite_trigger if vendor == "sqlite" else _pg_trigger
    statements = [] if vendor == "sqlite" else [PG_FUNCTION_SQL]
    for signed in tables:
        statements.append(trigger(signed.update_trigger, "UPDATE", signed.table,
                                  update_condition(signed, vendor=vendor)))
    for table in dict.fromkeys(s.table for s in tables):
        on_table = [s for s in tables if s.table == table]
        # Refused outright, unless every record on the table is optional: then once any of them is signed.
        condition = None if not all(s.optional for s in on_table) else " OR ".join(
            f"OLD.\"{s.leaf_hash}\" <> ''" for s in on_table
        )
        statements.append(trigger(f"{table}_delete{SUFFIX}", "DELETE", table, condition))
    for table in children:
        statements.append(trigger(f"{table}_update{SUFFIX}", "UPDATE", table, None))
        statements.append(trigger(f"{table}_delete{SUFFIX}", "DELETE", table, None))
    return statements


def drop_sql(tables: Sequence[SignedTable], children: Sequence[str], *, vendor: str) -> list[str]:
    names = [(s.update_trigger, s.table) for s in tables]
    names += [(f"{t}_delete{SUFFIX}", t) for t in dict.fromkeys(s.table for s in tables)]
    names += [(f"{t}_{event}{SUFFIX}", t) for t in children for event in ("update", "delete")]
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{name}"' for name, _table in names]
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"' for name, table in names]
    return []


def signed_rows_immutable(tables: Sequence[SignedTable], children: Sequence[str] = ()) -> migrations.RunPython:
    """The migration operation that installs (and, backwards, removes) the triggers of these tables."""

    def run(create: bool) -> Any:
        def operation(apps: Any, schema_editor: Any) -> None:
            vendor = schema_editor.connection.vendor
            sql = create_sql(tables, children, vendor=vendor) if create else drop_sql(tables, children, vendor=vendor)
            for statement in sql:  # one statement per call: the PostgreSQL driver refuses several at once
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(True), run(False), elidable=False)


def installed_triggers(connection: Any) -> dict[str, str]:
    """Name -> table of every signed-row trigger in the database (what the declarations test compares)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           [f"%{SUFFIX}"])
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s", [f"%{SUFFIX}"]
            )
        return dict(cursor.fetchall())

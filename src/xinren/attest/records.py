"""Signed records: the rows that restate a signed statement, declared once so that nothing can change them quietly.

A context declares each of its signed models next to its statement types (`statements.py`): which statement type the
row restates, the field holding the leaf hash of that statement's log entry, how to tell that the row still says
what was signed (`matches`), whose key signed it, and which columns are the signed ones. Three things read the
declarations:

- the database refuses UPDATE of the signed columns and DELETE of the row (`core.immutable`, triggers installed by
  each context's migrations; a test compares the triggers in the database with these declarations);
- `attest.proofs.signed_record_proofs` shows a row as verified only when its logged statement still matches it;
- `attest.audit.records_reconcile` checks every row against its log entry and every log entry against a row.

A row of a `superseded` type keeps only the latest statement about its subject (a product's cold-chain range, a
programme's rules): its signed columns may change together with its leaf hash (a new statement), and older entries
about the same subject have no row of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

from xinren.core.immutable import SignedTable

from .registry import StatementType

Statement = dict[str, Any]


@dataclass(frozen=True)
class SignedRecord:
    """How rows of one model restate statements of one type."""

    model: type[models.Model]
    statement_type: StatementType
    leaf_hash: str
    # The row still says what the logged statement says (the statement is None when it could not be read).
    matches: Callable[[Any, Statement | None], bool]
    # The organization whose key signed the row's statement, as a path from the row ("organization", "lab", …);
    # None when the platform signs it.
    signer: str | None
    # Columns that are the signed content: never changed after signing (with `superseded`, only with a new leaf hash).
    protected: tuple[str, ...]
    superseded: bool = False
    # A row may not (yet) restate a statement of this kind: an empty leaf hash is then not a problem (evidence not
    # withdrawn, an invitation not accepted, a programme never activated).
    optional: bool = False
    # Related rows `matches` reads, loaded with the rows (select_related / prefetch_related).
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Child rows written with the parent and never changed after (a lab report's measurements).
    children: tuple[type[models.Model], ...] = ()
    # The only columns `matches` reads, when a record knows them: the audit then loads just these (with the leaf
    # hash and the signer's key), which matters on tables with wide columns it does not need.
    reads: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model.__name__}"

    def leaf_hash_of(self, row: Any) -> str:
        return str(getattr(row, self.leaf_hash) or "")

    def signer_of(self, row: Any) -> Any:
        """The signing organization's primary key, or None for the platform."""
        if self.signer is None:
            return None
        value: Any = row
        for part in self.signer.split("."):
            value = getattr(value, part)
        return getattr(value, "pk", value)


_RECORDS: dict[tuple[type[models.Model], str], SignedRecord] = {}


def signed_record(
    *,
    model: type[models.Model],
    statement_type: StatementType,
    matches: Callable[[Any, Statement | None], bool],
    protected: Sequence[str],
    leaf_hash: str = "ledger_leaf_hash",
    signer: str | None = "organization",
    superseded: bool = False,
    optional: bool = False,
    select_related: Sequence[str] = (),
    prefetch_related: Sequence[str] = (),
    children: Sequence[type[models.Model]] = (),
    reads: Sequence[str] = (),
) -> SignedRecord:
    """Declare (once, in the owning context's statements.py) that rows of `model` restate `statement_type`."""
    key = (model, leaf_hash)
    if key in _RECORDS:
        raise ValueError(f"{model.__name__}.{leaf_hash} is declared a signed record twice")
    names = {field.name for field in model._meta.get_fields()}
    unknown = sorted({leaf_hash, *protected, *reads} - names)
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    record = SignedRecord(
        model=model, statement_type=statement_type, leaf_hash=leaf_hash, matches=matches, signer=signer,
        protected=tuple(protected), superseded=superseded, optional=optional, select_related=tuple(select_related),
        prefetch_related=tuple(prefetch_related), children=tuple(children), reads=tuple(reads),
    )
    _RECORDS[key] = record
    return record


def signed_records() -> list[SignedRecord]:
    """Every declared signed record, in a stable order (by model label, then leaf-hash field)."""
    return sorted(_RECORDS.values(), key=lambda r: (r.label, r.leaf_hash))


def signed_record_for(model: type[models.Model], leaf_hash: str = "ledger_leaf_hash") -> SignedRecord:
    return _RECORDS[(model, leaf_hash)]


def statement_says(statement: Statement | None, expected: dict[str, Any]) -> bool:
    """The statement carries exactly these values (what a `matches` compares for most rows)."""
    return statement is not None and all(statement.get(key) == value for key, value in expected.items())


def same_instant(text: object, moment: Any) -> bool:
    """An ISO 8601 time in a statement and a stored datetime name the same instant (offsets may differ)."""
    if moment is None or not isinstance(text, str):
        return text is None and moment is None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return False
    return parsed.tzinfo is not None and parsed == moment


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a concrete field"
    return str(field.column)


def signed_tables(app_label: str | None = None) -> tuple[list[SignedTable], list[str]]:
    """What the database triggers of the declared records protect (of one app, or of all): the signed tables with
    their signed columns, and the child tables. Each context's `signed_rows_immutable` migration installs these."""
    records = [r for r in signed_records() if app_label in (None, r.model._meta.app_label)]
    tables = [
        SignedTable(
            table=r.model._meta.db_table,
            leaf_hash=_column(r.model, r.leaf_hash),
            protected=tuple(_column(r.model, name) for name in r.protected),
            superseded=r.superseded, optional=r.optional,
        )
        for r in records
    ]
    children = sorted({child._meta.db_table for r in records for child in r.children})
    return sorted(tables, key=lambda t: (t.table, t.leaf_hash)), children

"""Signed rows against the log, both ways: what `xinren ledger audit` adds to the log's own audit, and what a
consumer page asks about its subject.

The log audit (`ledger.store.audit`) proves the log is what its checkpoints say. This module proves the platform's
tables still say what the log says (docs/ledger.md, "Signed records"):

- every row of a declared signed record (`attest.records`) names a leaf hash the log holds (or pools), of the
  record's statement type, signed by the organization the row names, and the row still matches the statement
  (`edited`, `unknown`, `type`, `signer`, `unsigned`);
- every log entry of a type some record declares is held by a row (`missing`: a deleted row, or a row re-pointed at
  another entry); for a *superseded* record, by the row of its subject, which must hold the subject's latest entry
  (`stale`: a row rolled back to an older statement).

Cost: one pass over each signed table and one over the log's domain entries, a few queries per thousand rows;
building each row and parsing it and its statement dominate, so the rows are checked in forked workers, one per
core, when they can see the same rows (bench/ledger/audit_two_way.py; docs/ledger.md, "Signed records").

`audit_two_way` (what `xinren ledger audit` runs) does the same in the log audit's own pass for the records whose
leaf-hash column is indexed: each batch of entries the log audit has just parsed and verified is matched, in the
same worker, against the rows naming them (one indexed query per record and batch), so no statement is read or
decoded twice. What that pass cannot see — rows naming no logged entry, rows of records without an index, pooled
entries — is then checked as `records_reconcile` checks it. Both find the same problems (tests/attest/test_tamper.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import multiprocessing
import os
import re
import time
from array import array
from collections import defaultdict, deque, namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection, connections
from django.db.models import BooleanField, ForeignKey, JSONField, Model
from django.db.models.expressions import RawSQL

from xinren.ledger.store.audit import AuditReport, Companion, Visited, log_audit, worker_start
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.selectors import log_size

from .proofs import _signed_by, _signers
from .records import SignedRecord, signed_records

EDITED = "edited"
UNKNOWN = "unknown"
TYPE = "type"
SIGNER = "signer"
UNSIGNED = "unsigned"
MISSING = "missing"
STALE = "stale"

_CHUNK = 2000
_LIGHT: dict[str, Any] = {}  # record label → its light row class (`_light_row`)
_HEX = re.compile("[0-9a-f]{64}")


@dataclass(frozen=True, order=True)
class RecordProblem:
    """One row or log entry that does not add up. `row` is the row's primary key, `index` the log position."""

    kind: str
    record: str
    row: int | None
    index: int | None
    leaf_hash: str
    message: str


@dataclass
class ReconcileReport:
    rows: int = 0
    entries: int = 0
    seconds: float = 0.0
    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Logged:
    index: int | None  # None while pooled
    statement_type: str
    subject: str
    key_id: str
    statement: dict[str, Any] | None


def _lookup(leaf_hashes: Sequence[bytes], *, statements: bool = True) -> dict[bytes, _Logged]:
    # Raw SQL: the ORM's per-parameter preparation of a 2,000-hash IN list costs as much as fetching the rows.
    found: dict[bytes, _Logged] = {}
    for model in (LogEntry, PendingEntry):
        wanted = [h for h in leaf_hashes if h not in found]
        if not wanted:
            break
        table = connection.ops.quote_name(model._meta.db_table)
        index_column = '"index"' if model is LogEntry else "NULL"
        rows = []
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), _CHUNK):
                part = wanted[start : start + _CHUNK]
                cursor.execute(
                    f"SELECT leaf_hash, statement_type, subject, signer_key_id, envelope, {index_column} FROM {table}"
                    f" WHERE leaf_hash IN ({', '.join(['%s'] * len(part))})",
                    part,
                )
                rows += cursor.fetchall()
        for leaf, statement_type, subject, key_id, envelope, index in rows:
            found[bytes(leaf)] = _Logged(
                index=index, statement_type=statement_type, subject=subject, key_id=key_id,
                statement=_payload_statement(bytes(envelope)) if statements else None,
            )
    return found


# The payload member of a DSSE envelope. Base64 text holds no quote or backslash, so the match is the member's whole
# value; the log audit parses every envelope strictly (one payload member, signatures verified), this only reads.
_PAYLOAD = re.compile(rb'"payload"\s*:\s*"([A-Za-z0-9+/=]*)"')


def _payload_statement(envelope: bytes) -> dict[str, Any] | None:
    """The statement an envelope carries, read without parsing the rest of it: decoding the envelope's JSON and its
    signatures was a fifth of the reconciliation, and the log audit already checks both."""
    found = _PAYLOAD.findall(envelope)
    if len(found) != 1:
        return None
    try:
        statement = json.loads(base64.b64decode(found[0], validate=True))
    except (ValueError, TypeError, binascii.Error):
        return None
    return statement if isinstance(statement, dict) else None


def _rows(record: SignedRecord, chunk: int, **filters: Any) -> Iterator[list[Model]]:
    """The record's rows in primary-key order, a chunk at a time, with what `matches` and the signer read loaded."""
    query = record.model._default_manager.filter(**filters)
    # `select_related()` with no names would join every non-null foreign key: name only what is read.
    related = [*record.select_related, *_signer_path(record)]
    if related:
        query = query.select_related(*related)
    if record.prefetch_related:
        query = query.prefetch_related(*record.prefetch_related)
    light = _light_row(record) if record.reads and not related and not record.prefetch_related else None
    query = query.order_by("pk")
    last: Any = None
    while True:
        page = query if last is None else query.filter(pk__gt=last)
        if light is None:
            rows = list(page[:chunk])
        else:  # tuples into a slotted object: building model instances was a quarter of the audit's time
            rows = [light._make(values) for values in page.values_list(*light.columns)[:chunk]]
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _light_row(record: SignedRecord) -> Any:
    """A class whose instances carry just the columns `matches`, the leaf hash and the signer read, by attribute:
    a named tuple (made in C, read by C getters), with the model's `_meta`. `columns` names them in order."""
    meta = record.model._meta
    names = [record.leaf_hash, *([record.signer] if record.signer else []), *record.reads]
    attnames = list(dict.fromkeys(["pk", *(_attname(meta.get_field(name)) for name in names)]))
    light = namedtuple(f"Light{record.model.__name__}", attnames)  # type: ignore[misc]
    return type(light.__name__, (light,), {"__slots__": (), "_meta": meta, "columns": tuple(attnames)})


def _attname(field: Any) -> str:
    return str(field.attname)


def _signer_path(record: SignedRecord) -> list[str]:
    """The relations to load to reach the signer's key column (none when the row holds it: "organization")."""
    parts = (record.signer or "").split(".")[:-1]
    return ["__".join(parts)] if parts else []


def _signer_of(record: SignedRecord, row: Model) -> Any:
    """`record.signer_of(row)`, read from the foreign key's column when it points at a primary key (no query)."""
    if record.signer is None:
        return None
    *path, last = record.signer.split(".")
    value: Any = row
    for part in path:
        value = getattr(value, part)
    column = value._meta.get_field(last)
    if isinstance(column, ForeignKey) and column.target_field.primary_key:
        return getattr(value, column.attname)
    return record.signer_of(row)


def _check_rows(
    record: SignedRecord, rows: Sequence[Model], problems: list[RecordProblem]
) -> dict[bytes, _Logged]:
    """Check rows against their log entries; the entries found (by leaf hash) for the reverse pass."""
    leaves = {row.pk: record.leaf_hash_of(row) for row in rows}
    wanted = {row_pk: bytes.fromhex(h) for row_pk, h in leaves.items() if _is_hex(h)}
    logged = _lookup(list(wanted.values()))
    signers = _signers({found.key_id for found in logged.values()})
    for row in rows:
        hex_hash = leaves[row.pk]
        leaf = wanted.get(row.pk)
        found = logged.get(leaf) if leaf is not None else None
        finding = _row_finding(record, row, hex_hash, found, signers)
        if finding is not None:
            kind, message = finding
            index = found.index if found is not None else None
            message = f"{record.label} {row.pk}: {message}"
            problems.append(RecordProblem(kind, record.label, row.pk, index, hex_hash, message))
    return {leaf: logged[leaf] for leaf in wanted.values() if leaf in logged}


def _row_finding(
    record: SignedRecord, row: Model, hex_hash: str, found: _Logged | None, signers: dict[str, Any]
) -> tuple[str, str] | None:
    """What is wrong with one row (a kind and a message), or None."""
    if not hex_hash:
        return None if record.optional else (UNSIGNED, "no leaf hash, but such rows are always signed")
    if found is None:
        return UNKNOWN, f"names leaf hash {hex_hash[:16]}…, which the log does not hold"
    if found.statement_type != record.statement_type.name:
        return TYPE, f"its log entry is a {found.statement_type} statement, not a {record.statement_type.name}"
    if not record.matches(row, found.statement):
        return EDITED, f"the row no longer says what log entry {found.index} says"
    expected = _signer_of(record, row)
    if not _signed_by(signers.get(found.key_id), expected):
        who = "the platform" if expected is None else f"organization {expected}"
        return SIGNER, f"log entry {found.index} is signed by key {found.key_id[:16]}…, not by {who}"
    return None


def _is_hex(value: str) -> bool:
    return _HEX.fullmatch(value) is not None


class _Tally:
    """What the reconciliation found so far, and which log entries rows hold, for the reverse pass."""

    def __init__(self, records: Sequence[SignedRecord]) -> None:
        self.report = ReconcileReport()
        self.held: dict[str, set[bytes]] = defaultdict(set)  # statement type -> leaf hashes rows hold
        # superseded types: subject -> index of the entry its row holds
        self.latest_held: dict[str, dict[str, int | None]] = defaultdict(dict)
        self.newest: dict[tuple[str, str], int] = {}
        self.superseded = {r.statement_type.name for r in records if r.superseded}
        self.labels = {r.statement_type.name: r.label for r in records}

    def take(self, record: SignedRecord, rows: int, problems: list[RecordProblem], logged: _Held) -> None:
        name = record.statement_type.name
        self.report.rows += rows
        self.report.problems.extend(problems)
        for leaf, subject, index in logged:
            self.held[name].add(leaf)
            if record.superseded:
                self.latest_held[name][subject] = index

    def entry(self, index: int, leaf: bytes, statement_type: str, subject: str) -> None:
        """One log (or pooled) entry of a declared type: some row must hold it (once every row has been taken)."""
        self.report.entries += 1
        if statement_type in self.superseded:
            self.newest[(statement_type, subject)] = max(index, self.newest.get((statement_type, subject), -1))
            if leaf in self.held[statement_type] or subject in self.latest_held[statement_type]:
                return
        elif leaf in self.held[statement_type]:
            return
        self.report.problems.append(_missing(self.labels[statement_type], index, leaf, statement_type, subject))

    def finish(self, started: float) -> ReconcileReport:
        for (statement_type, subject), index in self.newest.items():
            holding = self.latest_held[statement_type].get(subject)
            if holding is not None and holding != index:
                label = self.labels[statement_type]
                self.report.problems.append(RecordProblem(
                    STALE, label, None, holding, "",
                    f"{label} of {subject}: the row holds log entry {holding}, the latest is {index}",
                ))
        self.report.problems.sort(key=lambda p: (p.index if p.index is not None else -1, p.record, p.row or 0))
        self.report.seconds = time.monotonic() - started
        return self.report


def _missing(label: str, index: int, leaf: bytes, statement_type: str, subject: str) -> RecordProblem:
    return RecordProblem(MISSING, label, None, index, leaf.hex(),
                         f"log entry {index} ({statement_type}, {subject}): no {label} row holds it")


def records_reconcile(
    *, records: Sequence[SignedRecord] | None = None, chunk: int = _CHUNK, workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReconcileReport:
    """Every signed row against the log and every log entry of a declared type against a row.

    With `workers` > 1 (default: one per core) rows are checked in that many forked processes, each with its own
    database connection, when they can see what this connection sees: not inside a transaction, not an in-memory
    SQLite database; otherwise here, one chunk after another. Both ways run the same checks.
    """
    started = time.monotonic()
    records = list(records if records is not None else signed_records())
    tally = _Tally(records)
    _rows_pass(records, tally, chunk=chunk, workers=workers, progress=progress)
    for entry in _domain_entries(tally.labels, chunk):
        tally.entry(*entry)
    return tally.finish(started)


def _rows_pass(
    records: list[SignedRecord], tally: _Tally, *, chunk: int, workers: int | None,
    progress: Callable[[str], None] | None,
) -> None:
    """Every row of these records against the log (in forked workers when they can see the rows)."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers > 1 and _workers_see_this_connection():
        _rows_in_workers(records, chunk, workers, tally.take, progress, tally.report)
        return
    for record in records:
        for rows in _rows(record, chunk):
            problems: list[RecordProblem] = []
            tally.take(record, len(rows), problems, _held(record, _check_rows(record, rows, problems)))
        if progress is not None:
            progress(f"{record.label}: {tally.report.rows} rows")


# What a chunk of rows holds: (leaf hash, subject, index) of each log entry found (subjects only for superseded
# records, the only ones the reverse pass asks about them).
_Held = list[tuple[bytes, str, "int | None"]]


def _held(record: SignedRecord, logged: dict[bytes, _Logged]) -> _Held:
    if record.superseded:
        return [(leaf, found.subject, found.index) for leaf, found in logged.items()]
    return [(leaf, "", None) for leaf in logged]


def _workers_see_this_connection() -> bool:
    """New connections in other processes see the same rows: no transaction open here, not an in-memory database."""
    if connection.in_atomic_block:
        return False
    name = str(connection.settings_dict["NAME"])
    return not (connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name))


# The records being reconciled, for the forked workers (a record's `matches` may be a lambda: not picklable).
_WORK: list[SignedRecord] = []
def _check_range(at: int, after: Any, upto: Any, chunk: int) -> tuple[int, list[RecordProblem], _Held]:
    """Worker: check the rows of record number `at` whose primary key is in (after, upto]."""
    record = _WORK[at]
    rows_seen, problems, held = 0, list[RecordProblem](), _Held()
    filters = {"pk__lte": upto} if after is None else {"pk__gt": after, "pk__lte": upto}
    for rows in _rows(record, chunk, **filters):
        rows_seen += len(rows)
        held += _held(record, _check_rows(record, rows, problems))
    return rows_seen, problems, held


def _pk_ranges(record: SignedRecord, chunk: int) -> Iterator[tuple[Any, Any]]:
    """Consecutive primary-key ranges (after, upto] of `chunk` rows each, covering the record's rows."""
    keys = record.model._default_manager.order_by("pk").values_list("pk", flat=True)
    after: Any = None
    while True:
        page = list((keys if after is None else keys.filter(pk__gt=after))[:chunk])
        if not page:
            return
        yield after, page[-1]
        after = page[-1]


def _rows_in_workers(
    records: list[SignedRecord], chunk: int, workers: int,
    take: Callable[[SignedRecord, int, list[RecordProblem], _Held], None],
    progress: Callable[[str], None] | None, report: ReconcileReport,
) -> None:
    """Hand out chunks of rows (by primary-key range) to forked workers; take their results in order."""
    _WORK[:] = records
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=worker_start)
    futures: deque[tuple[int, Future[tuple[int, list[RecordProblem], _Held]]]] = deque()
    done = -1

    def settle() -> None:
        nonlocal done
        at, future = futures.popleft()
        if progress is not None and at != done and done >= 0:
            progress(f"{records[done].label}: {report.rows} rows")
        done = at
        take(records[at], *future.result())

    try:
        for at, record in enumerate(records):
            for after, upto in _pk_ranges(record, chunk):
                futures.append((at, pool.submit(_check_range, at, after, upto, chunk)))
                while len(futures) > 4 * workers:  # bounded memory: the reader may outrun the workers
                    settle()
        while futures:
            settle()
        if progress is not None and done >= 0:
            progress(f"{records[done].label}: {report.rows} rows")
    finally:
        pool.shutdown(cancel_futures=True)
        _WORK.clear()


def _domain_entries(
    types: Iterable[str], chunk: int, *, pooled_only: Iterable[str] = ()
) -> Iterator[tuple[int, bytes, str, str]]:
    """The log's entries of these types in order, then the pool's (numbered after the log, in arrival order), with
    the pool's entries of `pooled_only` types too."""
    types, pooled_types = list(types), [*types, *pooled_only]
    query = LogEntry.objects.filter(statement_type__in=types).order_by("index").values_list(
        "index", "leaf_hash", "statement_type", "subject"
    )
    last = -1
    while types:
        page = list(query.filter(index__gt=last)[: chunk * 5])
        if not page:
            break
        for index, leaf, statement_type, subject in page:
            yield index, bytes(leaf), statement_type, subject
        last = page[-1][0]
    size = log_size()
    pooled = PendingEntry.objects.filter(statement_type__in=pooled_types).order_by("pk").values_list(
        "leaf_hash", "statement_type", "subject"
    )
    for offset, (leaf, statement_type, subject) in enumerate(pooled.iterator(chunk_size=chunk)):
        yield size + offset, bytes(leaf), statement_type, subject


def log_gaps(subjects: Iterable[str]) -> dict[str, int]:
    """For each subject (a product, lot or item URI), how many log entries about it no row still says: a deleted
    row, an edited one, a row re-pointed at another entry. Subjects with none are absent.

    A page shows the count ("日志中有 N 条记录在此处缺失或被改动"), so a deleted or edited record is never a silent
    gap. A few queries for any number of subjects (a publisher's chunk of items).
    """
    wanted = sorted(set(subjects))
    by_type: dict[str, list[SignedRecord]] = defaultdict(list)
    for record in signed_records():
        by_type[record.statement_type.name].append(record)
    entries: list[tuple[int, bytes, str, str]] = []
    size = log_size()
    for start in range(0, len(wanted), 500):
        about = {"subject__in": wanted[start : start + 500], "statement_type__in": list(by_type)}
        entries += [(index, bytes(leaf), statement_type, subject) for index, leaf, statement_type, subject in
                    LogEntry.objects.filter(**about).values_list("index", "leaf_hash", "statement_type", "subject")]
        # pooled entries (not integrated yet) count after the log, in arrival order
        entries += [(size + pk, bytes(leaf), statement_type, subject) for pk, leaf, statement_type, subject in
                    PendingEntry.objects.filter(**about).values_list("pk", "leaf_hash", "statement_type", "subject")]
    newest: dict[tuple[str, str], int] = {}
    for index, _leaf, statement_type, subject in entries:
        newest[(statement_type, subject)] = max(index, newest.get((statement_type, subject), -1))
    gaps: dict[str, int] = defaultdict(int)
    for statement_type, records in by_type.items():
        of_type = [(index, leaf, subject) for index, leaf, kind, subject in entries if kind == statement_type]
        if records[0].superseded:  # only the latest entry about each subject has a row
            of_type = [(i, leaf, s) for i, leaf, s in of_type if newest[(statement_type, s)] == i]
        if not of_type:
            continue
        still_said: set[bytes] = set()
        for record in records:
            for rows in _rows(record, _CHUNK, **{f"{record.leaf_hash}__in": [leaf.hex() for _i, leaf, _s in of_type]}):
                found: list[RecordProblem] = []
                logged = _check_rows(record, rows, found)
                bad = {problem.leaf_hash for problem in found}
                still_said |= {leaf for leaf in logged if leaf.hex() not in bad}
        for _index, leaf, subject in of_type:
            if leaf not in still_said:
                gaps[subject] += 1
    return dict(gaps)


# -- in the log audit's own pass ----------------------------------------------------------------------------------

# The records checked in the log audit's pass, for its forked workers (set before they fork).
_FUSED: list[SignedRecord] = []
# What one batch gave: entries seen, rows checked, problems, (record number, primary keys matched), entries of
# superseded types (decided once every row is known), and (record number, what its rows hold).
_Batch = tuple[int, int, list[RecordProblem], list[tuple[int, list[Any]]], list[tuple[int, bytes, str, str]],
               list[tuple[int, _Held]]]


def _fusable(record: SignedRecord) -> bool:
    """Rows can be fetched by the entries' leaf hashes: an indexed column, and light rows (declared reads, no joins)."""
    column: Any = record.model._meta.get_field(record.leaf_hash)
    return bool(column.db_index or column.unique) and bool(record.reads) and not _signer_path(record) and not (
        record.select_related or record.prefetch_related)


def _rows_naming(record: SignedRecord, leaf_hashes: list[str], *, exact: bool = False) -> list[Any]:
    """The record's rows (as `_rows` reads them) whose leaf hash is one of these: one query, its parameters passed
    as they are (preparing 2,000 lookup values one by one cost as much as reading the rows) and the columns
    converted as the ORM converts them (`exact`), or with JSON documents decoded by orjson (`_fast_json`)."""
    light = _LIGHT.get(record.label) or _LIGHT.setdefault(record.label, _light_row(record))
    meta = record.model._meta
    field: Any = meta.get_field(record.leaf_hash)
    column = f"{connection.ops.quote_name(meta.db_table)}.{connection.ops.quote_name(field.column)}"
    if connection.vendor == "postgresql":  # one text parameter, the array's literal: nothing for the driver to
        # split or quote element by element (leaf hashes are hex digits: nothing in them to escape)
        naming = RawSQL(f"{column} = ANY(%s::text[])", ["{" + ",".join(leaf_hashes) + "}"],
                        output_field=BooleanField())
    else:
        naming = RawSQL(f"{column} IN ({', '.join(['%s'] * len(leaf_hashes))})", leaf_hashes,
                        output_field=BooleanField())
    query = record.model._default_manager.filter(naming).values_list(*light.columns)
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    if not exact:
        converters = _fast_json(converters)
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows: Iterable[Any] = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return list(map(light._make, rows))


def _fast_json(converters: dict[int, tuple[list[Any], Any]]) -> dict[int, tuple[list[Any], Any]]:
    """The converters, with a JSON column's decoding done by orjson (three times json's speed on a stored event;
    the text itself where it cannot read it, as Django does), for fields without a custom decoder. orjson reads
    integers past 64 bits as floats, so a row that then no longer matches its statement is read again as Django
    reads it before it is called edited (`_fused_check`; tests/attest/test_audit_json.py)."""
    for position, (functions, expression) in converters.items():
        field = expression.output_field
        if isinstance(field, JSONField) and field.decoder is None:
            converters[position] = ([_json_value if f == field.from_db_value else f for f in functions], expression)
    return converters


def _json_value(value: Any, _expression: Any, _connection: Any) -> Any:
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _fused_check(entries: list[Visited]) -> _Batch:
    """In the log audit's worker: the rows naming this batch's entries, against the statements it just verified."""
    by_type: dict[str, dict[bytes, Visited]] = defaultdict(dict)
    for entry in entries:
        by_type[entry[2]][entry[1]] = entry
    problems: list[RecordProblem] = []
    matched: list[tuple[int, list[Any]]] = []
    held: list[tuple[int, _Held]] = []
    seen = 0
    signers = _signers({entry[4] for entry in entries}) if entries else {}
    holding: dict[str, set[bytes]] = defaultdict(set)
    for at, record in enumerate(_FUSED):
        name = record.statement_type.name
        of_type = by_type.get(name)
        if not of_type:
            continue
        pks: list[Any] = []
        logged: _Held = []
        hexes = [leaf.hex() for leaf in of_type]
        for start in range(0, len(hexes), _CHUNK):
            for row in _rows_naming(record, hexes[start : start + _CHUNK]):
                hex_hash = record.leaf_hash_of(row)
                index, leaf, statement_type, subject, key_id, statement = of_type[bytes.fromhex(hex_hash)]
                found = _Logged(index, statement_type, subject, key_id, statement)
                finding = _row_finding(record, row, hex_hash, found, signers)
                if finding is not None and finding[0] == EDITED:  # read again as Django reads it (`_fast_json`)
                    row = next(r for r in _rows_naming(record, [hex_hash], exact=True) if r.pk == row.pk)
                    finding = _row_finding(record, row, hex_hash, found, signers)
                if finding is not None:
                    problems.append(RecordProblem(finding[0], record.label, row.pk, index, hex_hash,
                                                  f"{record.label} {row.pk}: {finding[1]}"))
                pks.append(row.pk)
                holding[name].add(leaf)
                if record.superseded:  # the others' entries are decided here, below
                    logged.append((leaf, subject, index))
        seen += len(pks)
        matched.append((at, pks))
        held.append((at, logged))
    superseded = {r.statement_type.name for r in _FUSED if r.superseded}
    labels = {r.statement_type.name: r.label for r in _FUSED}
    later: list[tuple[int, bytes, str, str]] = []
    for index, leaf, statement_type, subject, _key_id, _statement in entries:
        if statement_type in superseded:
            later.append((index, leaf, statement_type, subject))  # decided once every row is known
        elif leaf not in holding[statement_type]:
            problems.append(_missing(labels[statement_type], index, leaf, statement_type, subject))
    return len(entries), seen, problems, matched, later, held


def audit_two_way(
    *, workers: int | None = None, chunk: int = 5000, progress: Callable[[str], None] | None = None,
    records: Sequence[SignedRecord] | None = None,
) -> tuple[AuditReport, ReconcileReport]:
    """The log audit with the reconciliation riding along (what `xinren ledger audit` runs): the log's report, and
    the rows' — the same problems `records_reconcile` finds, without reading any statement a second time."""
    started = time.monotonic()
    records = list(records if records is not None else signed_records())
    workers = (os.cpu_count() or 1) if workers is None else workers
    if not _workers_see_this_connection():
        workers = 1
    by_type: dict[str, list[SignedRecord]] = defaultdict(list)
    for record in records:
        by_type[record.statement_type.name].append(record)
    fused = [r for r in records if all(_fusable(other) for other in by_type[r.statement_type.name])]
    rest = [r for r in records if r not in fused]
    tally = _Tally(records)
    matched: dict[int, array[Any] | list[Any]] = {at: ([] if _pk_not_int(r) else array("q")) for at, r in
                                                    enumerate(fused)}
    later: list[tuple[int, bytes, str, str]] = []

    def take(batch: _Batch) -> None:
        entries, seen, problems, pks, superseded, held = batch
        tally.report.entries += entries - len(superseded)  # those are counted when decided, below
        tally.report.rows += seen
        tally.report.problems.extend(problems)
        for at, keys in pks:
            matched[at].extend(keys)
        for at, logged in held:
            tally.take(fused[at], 0, [], logged)
        later.extend(superseded)

    _FUSED[:] = fused
    types = frozenset(r.statement_type.name for r in fused)
    try:
        log_report = log_audit(workers=workers, chunk=chunk, companion=Companion(types, _fused_check, take),
                               progress=(lambda size: progress(f"{size} entries")) if progress is not None else None)
    finally:
        _FUSED.clear()
    if progress is not None:
        progress(f"log and {tally.report.rows} rows checked together")
    # Rows the pass did not reach: naming no logged entry of their type, or a pooled one.
    for at, record in enumerate(fused):
        for rows in _rows_left(record, matched[at], chunk):
            problems: list[RecordProblem] = []
            tally.take(record, len(rows), problems, _held(record, _check_rows(record, rows, problems)))
    _rows_pass(rest, tally, chunk=chunk, workers=workers, progress=progress)
    for entry in later:
        tally.entry(*entry)
    for entry in _domain_entries([r.statement_type.name for r in rest], chunk, pooled_only=types):
        tally.entry(*entry)
    return log_report, tally.finish(started)


def _pk_not_int(record: SignedRecord) -> bool:
    return record.model._meta.pk.get_internal_type() not in {"AutoField", "BigAutoField", "IntegerField",
                                                             "BigIntegerField", "SmallAutoField"}


def _rows_left(record: SignedRecord, matched: Any, chunk: int) -> Iterator[list[Model]]:
    """The record's rows the log audit's pass did not match, a chunk at a time (none, in a consistent platform: one
    count tells)."""
    manager = record.model._default_manager
    if manager.count() == len(matched):
        return
    done = set(matched)
    left = [pk for pk in manager.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=chunk)
            if pk not in done]
    for start in range(0, len(left), chunk):
        yield from _rows(record, chunk, pk__in=left[start : start + chunk])

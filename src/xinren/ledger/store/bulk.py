"""Set-based reads and writes of the log's tables: one statement per batch, never one per row.

Accepting and integrating an entry must cost less than verifying its signature (~90 µs), so the rows of
a batch go to the database in bulk. On PostgreSQL that is binary COPY (a few µs per row, against ~15 µs
for a pipelined INSERT per row) through psycopg directly, with server-side binding and prepared
statements; the sequencer moves pending rows into the log with one `DELETE … RETURNING` feeding an
`INSERT … SELECT`, so envelopes never travel back to Python. SQLite keeps `executemany`, whose per-row
cost is already small in its C driver.

Every function runs on Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from django.db import connection

from .models import LogEntry, PendingEntry, TreeHash


class PendingRow(NamedTuple):
    """One accepted envelope, as the pending pool stores it."""

    leaf_hash: bytes
    envelope: bytes
    signer_key_id: str
    statement_type: str
    subject: str
    corrects: bytes | None


_CHUNK = 900  # below SQLite's default limit of bound parameters per statement
_PENDING = PendingEntry._meta.db_table
_ENTRY = LogEntry._meta.db_table
_HASH = TreeHash._meta.db_table
_PENDING_COLUMNS = "leaf_hash, envelope, signer_key_id, statement_type, subject, corrects, received_at"
_ENTRY_COLUMNS = ('"index", leaf_hash, envelope, signer_key_id, statement_type, subject, corrects, received_at,'
                  " integrated_at")


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def pg_cursor(sql: str) -> Iterator[Any]:
    """A psycopg cursor with server-side binding on Django's connection (and so in its transaction).

    Django's own cursor binds parameters client-side (`ClientCursor`), so each statement is parsed and
    planned again; this one sends parameters in binary and prepares a statement after a few executions.
    `sql` is recorded in Django's query log when that is on, so query-count tests still see it.
    """
    import psycopg

    connection.ensure_connection()
    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def pending_insert(rows: Sequence[PendingRow], received_at: datetime.datetime) -> None:
    """Pool accepted envelopes in the order given; one already pooled (same leaf hash) is skipped."""
    # In first-seen order; rows with the same leaf hash are the same envelope, so any of them will do.
    unique = list({row.leaf_hash: row for row in rows}.values())
    if is_postgresql():
        _pending_copy(unique, received_at)
        return
    value = connection.ops.adapt_datetimefield_value(received_at)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_PENDING} ({_PENDING_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (leaf_hash) DO NOTHING",
            [(*row, value) for row in unique],
        )


def _pending_copy(rows: list[PendingRow], received_at: datetime.datetime) -> None:
    import psycopg
    from django.db import transaction

    # COPY has no ON CONFLICT. A resubmitted envelope is rare (a client retrying), so copy first and,
    # only when the pool already holds one of the leaves, fall back to inserting row by row.
    try:
        sql = f"COPY {_PENDING} ({_PENDING_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        with transaction.atomic(), pg_cursor(sql) as cursor, cursor.copy(sql) as copy:
            copy.set_types(["bytea", "bytea", "text", "text", "text", "bytea", "timestamptz"])
            for row in rows:
                copy.write_row((*row, received_at))
    except psycopg.errors.UniqueViolation:
        sql = (f"INSERT INTO {_PENDING} ({_PENDING_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
               " ON CONFLICT (leaf_hash) DO NOTHING")
        with pg_cursor(sql) as cursor:
            cursor.executemany(sql, [(*row, received_at) for row in rows])


def pending_take(limit: int) -> list[tuple[int, bytes, bool]]:
    """The oldest pending rows as (id, leaf hash, already in the log); envelopes stay in the database."""
    sql = (f"SELECT p.id, p.leaf_hash, e.\"index\" IS NOT NULL FROM {_PENDING} p"
           f" LEFT JOIN {_ENTRY} e ON e.leaf_hash = p.leaf_hash ORDER BY p.id LIMIT %s")
    if is_postgresql():
        with pg_cursor(sql) as cursor:
            cursor.execute(sql, [limit], prepare=True)
            return [(i, bytes(h), bool(logged)) for i, h, logged in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [(i, bytes(h), bool(logged)) for i, h, logged in cursor.fetchall()]


def pending_move(ids: Sequence[int], first_index: int, drop: Sequence[int], integrated_at: datetime.datetime) -> int:
    """Pending row `ids[k]` becomes log entry `first_index + k`; rows in `drop` are deleted. Returns entries written."""
    if is_postgresql():
        sql = (f"WITH moved AS (DELETE FROM {_PENDING} WHERE id = ANY(%s::bigint[]) RETURNING *)"
               f" INSERT INTO {_ENTRY} ({_ENTRY_COLUMNS})"
               " SELECT %s + u.n - 1, m.leaf_hash, m.envelope, m.signer_key_id, m.statement_type, m.subject,"
               " m.corrects, m.received_at, %s FROM moved m"
               " JOIN unnest(%s::bigint[]) WITH ORDINALITY AS u(id, n) ON u.id = m.id ORDER BY u.n")
        with pg_cursor(sql) as cursor:
            cursor.execute(sql, [_int_array([*ids, *drop]), first_index, integrated_at, _int_array(ids)])
            return int(cursor.rowcount)
    # SQLite: the id lists travel as one JSON array each (json_each), so the move is two statements too.
    value = connection.ops.adapt_datetimefield_value(integrated_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_ENTRY} ({_ENTRY_COLUMNS}) SELECT %s + u.key, p.leaf_hash, p.envelope, p.signer_key_id,"
            f" p.statement_type, p.subject, p.corrects, p.received_at, %s FROM json_each(%s) AS u"
            f" JOIN {_PENDING} p ON p.id = u.value ORDER BY u.key",
            [first_index, value, _int_json(ids)],
        )
        written = cursor.rowcount
        # By id, never by range: on PostgreSQL a lower id may commit after this integration began.
        cursor.execute(f"DELETE FROM {_PENDING} WHERE id IN (SELECT value FROM json_each(%s))",
                       [_int_json([*ids, *drop])])
    return written


def _int_json(values: Sequence[int]) -> str:
    return "[" + ",".join(map(str, values)) + "]"


def _int_array(values: Sequence[int]) -> str:
    # An array literal, cast in SQL: psycopg would inspect every element of a list to pick its type.
    return "{" + ",".join(map(str, values)) + "}"


def tree_hashes_append(first_id: int, hashes: Sequence[bytes]) -> None:
    """Store hashes numbered `first_id`, `first_id + 1`, …: an integration's new hashes are consecutive."""
    if not hashes:
        return
    if is_postgresql():
        sql = f"COPY {_HASH} (id, hash) FROM STDIN (FORMAT BINARY)"
        with pg_cursor(sql) as cursor, cursor.copy(sql) as copy:
            copy.set_types(["int8", "bytea"])
            for offset, value in enumerate(hashes):
                copy.write_row((first_id + offset, value))
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {_HASH} (id, hash) VALUES (%s, %s)", list(enumerate(hashes, first_id)))


def tree_hashes_read(ids: Sequence[int]) -> dict[int, bytes]:
    """Stored hashes by number, in one query (a proof asks for ~2·log2(n), a tile for 256)."""
    wanted = sorted(set(ids))
    if is_postgresql():
        sql = f"SELECT id, hash FROM {_HASH} WHERE id = ANY(%s::bigint[])"
        with pg_cursor(sql) as cursor:
            cursor.execute(sql, [_int_array(wanted)], prepare=True, binary=True)
            return {i: bytes(h) for i, h in cursor.fetchall()}
    found: dict[int, bytes] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            cursor.execute(f"SELECT id, hash FROM {_HASH} WHERE id IN ({','.join(['%s'] * len(chunk))})", chunk)
            found.update((row[0], bytes(row[1])) for row in cursor.fetchall())
    return found

"""Stored subtree hashes in the database, read the way the pure core's `HashReader` asks: one query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from xinren.ledger.errors import MissingHashError
from xinren.ledger.hashstore import StoredHash, stored_hash_index
from xinren.ledger.merkle import Position

from .models import TreeHash


class DatabaseHashReader:
    """A `HashReader` over `TreeHash`; every batch of positions is a single indexed IN query.

    Raw SQL, because a proof is a few dozen primary-key lookups and the ORM's per-query overhead would
    be most of the proof's latency.
    """

    def read_hashes(self, positions: Sequence[Position]) -> list[bytes]:
        if not positions:
            return []
        ids = [stored_hash_index(level, index) for level, index in positions]
        wanted = sorted(set(ids))
        table = connection.ops.quote_name(TreeHash._meta.db_table)
        found: dict[int, bytes] = {}
        # Stays far below SQLite's and PostgreSQL's parameter limits: a proof needs ~2·log2(n) hashes,
        # a tile 256.
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, hash FROM {table} WHERE id IN ({marks})", chunk)
                found.update((row[0], bytes(row[1])) for row in cursor.fetchall())
        try:
            return [found[i] for i in ids]
        except KeyError as exc:
            raise MissingHashError(f"no stored hash number {exc.args[0]}") from None


def tree_hashes_insert(stored: Iterable[StoredHash]) -> int:
    """Insert new complete-subtree hashes (the output of `CompactRange.extend`)."""
    rows = [(stored_hash_index(s.level, s.index), s.hash) for s in stored]
    if not rows:
        return 0
    table = connection.ops.quote_name(TreeHash._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} (id, hash) VALUES (%s, %s)", rows)
    return len(rows)

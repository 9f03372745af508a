"""Stored subtree hashes in the database, read the way the pure core's `HashReader` asks: one query."""

from __future__ import annotations

from collections.abc import Sequence

from xinren.ledger.errors import MissingHashError
from xinren.ledger.hashstore import stored_hash_index
from xinren.ledger.merkle import Position

from . import bulk


class DatabaseHashReader:
    """A `HashReader` over `TreeHash`; every batch of positions is a single indexed query.

    Raw SQL (a prepared `= ANY($1)` statement on PostgreSQL), because a proof is a few dozen primary-key
    lookups and the ORM's per-query overhead would be most of the proof's latency.
    """

    def read_hashes(self, positions: Sequence[Position]) -> list[bytes]:
        if not positions:
            return []
        ids = [stored_hash_index(level, index) for level, index in positions]
        found = bulk.tree_hashes_read(ids)
        try:
            return [found[i] for i in ids]
        except KeyError as exc:
            raise MissingHashError(f"no stored hash number {exc.args[0]}") from None

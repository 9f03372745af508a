"""Integration: the pending pool becomes sequenced entries, stored hashes and one signed checkpoint.

Everything happens in one transaction under the log-state lock (`SELECT … FOR UPDATE` on PostgreSQL;
on SQLite the IMMEDIATE transaction already holds the write lock), so several sequencer processes are
safe: the second waits, then sees the first one's result. Before extending the tree, the stored right
edge must lead to the root of the last signed checkpoint; if it does not, the store was damaged and the
sequencer stops instead of signing a checkpoint that forks the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinren.ledger.hashstore import CompactRange, StoredHash
from xinren.ledger.merkle import EMPTY_ROOT

from . import errors
from .hashes import DatabaseHashReader, tree_hashes_insert
from .log_key import log_origin, log_signer
from .models import LogEntry, LogState, PendingEntry, SignedCheckpoint

DEFAULT_BATCH = 4096
_CHUNK = 900


@dataclass(frozen=True)
class Integration:
    """What one integration did: the sizes before and after, and the checkpoint it signed (if any)."""

    old_size: int
    new_size: int
    root: bytes
    checkpoint: str | None

    @property
    def integrated(self) -> int:
        return self.new_size - self.old_size


def state_for_update() -> LogState:
    """The log-state row, locked for the rest of the transaction (created empty on first use)."""
    state = LogState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        LogState.objects.bulk_create([LogState(pk=1, size=0, root=EMPTY_ROOT)], ignore_conflicts=True)
        state = LogState.objects.select_for_update().get(pk=1)
    return state


def _sign(size: int, root: bytes) -> str:
    return sign_checkpoint(Checkpoint(origin=log_origin(), size=size, root=root), log_signer())


@transaction.atomic
def log_integrate(*, limit: int = DEFAULT_BATCH) -> Integration:
    """Sequence up to `limit` pending entries in arrival order and sign the new checkpoint."""
    state = state_for_update()
    old_size = state.size
    rows = _pending_take(limit)
    has_checkpoint = SignedCheckpoint.objects.filter(size=old_size).exists()
    if not rows and has_checkpoint:
        return Integration(old_size, old_size, bytes(state.root), None)
    tree = CompactRange.load(old_size, DatabaseHashReader())
    if tree.root() != bytes(state.root):
        raise errors.LogCorrupted(
            errors.LOG_CORRUPT,
            _("日志存储的哈希与最近签署的检查点不一致，已停止入账"),
            details={"size": old_size},
        )
    logged = _already_logged([bytes(r[1]) for r in rows])
    now = clock.now()
    entries: list[tuple[Any, ...]] = []
    seen: set[bytes] = set()
    stored: list[StoredHash] = []
    integrated_at = connection.ops.adapt_datetimefield_value(now)
    for _id, leaf, envelope, key_id, statement_type, subject, corrects, received_at in rows:
        leaf = bytes(leaf)
        if leaf in logged or leaf in seen:  # submitted twice in a race; the log keeps the first
            continue
        seen.add(leaf)
        entries.append((tree.size, leaf, bytes(envelope), key_id, statement_type, subject,
                        None if corrects is None else bytes(corrects), received_at, integrated_at))
        stored.extend(tree.append(leaf))
    if not entries and has_checkpoint:  # only resubmissions of logged entries: nothing to sign
        _pending_delete([r[0] for r in rows])
        return Integration(old_size, old_size, bytes(state.root), None)
    tree_hashes_insert(stored)
    _entries_insert(entries)
    _pending_delete([r[0] for r in rows])
    root = tree.root()
    note = _sign(tree.size, root)
    SignedCheckpoint.objects.create(size=tree.size, root=root, note=note)
    LogState.objects.filter(pk=1).update(size=tree.size, root=root, updated_at=now)
    return Integration(old_size, tree.size, root, note)


def _pending_take(limit: int) -> list[tuple[Any, ...]]:
    """The oldest pending rows, raw (the ORM's per-row conversion costs as much as the rest of integration).

    `received_at` comes back in the database's own representation and goes into the entry unchanged.
    """
    table = connection.ops.quote_name(PendingEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, leaf_hash, envelope, signer_key_id, statement_type, subject, corrects, received_at"
            f" FROM {table} ORDER BY id LIMIT %s",
            [limit],
        )
        return list(cursor.fetchall())


def _entries_insert(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(LogEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO {table} ("index", leaf_hash, envelope, signer_key_id, statement_type, subject, corrects,'
            " received_at, integrated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def _already_logged(hashes: list[bytes]) -> set[bytes]:
    found: set[bytes] = set()
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        found.update(bytes(h) for h in LogEntry.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", flat=True))
    return found


def _pending_delete(ids: list[int]) -> None:
    # By id, never by range: on PostgreSQL a lower id may commit after this integration began.
    table = connection.ops.quote_name(PendingEntry._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({','.join(['%s'] * len(chunk))})", chunk)


def log_integrate_all(*, limit: int = DEFAULT_BATCH) -> list[Integration]:
    """Integrate until the pool is empty (one checkpoint per batch of `limit`)."""
    done: list[Integration] = []
    while True:
        done.append(log_integrate(limit=limit))
        if not PendingEntry.objects.exists():
            return done

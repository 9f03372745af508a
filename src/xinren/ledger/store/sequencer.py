"""Integration: the pending pool becomes sequenced entries, stored hashes and one signed checkpoint.

Everything happens in one transaction under the log-state lock (`SELECT … FOR UPDATE` on PostgreSQL;
on SQLite the IMMEDIATE transaction already holds the write lock), so several sequencer processes are
safe: the second waits, then sees the first one's result. Before extending the tree, the stored right
edge must lead to the root of the last signed checkpoint; if it does not, the store was damaged and the
sequencer stops instead of signing a checkpoint that forks the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinren.ledger.hashstore import CompactRange, stored_hash_count
from xinren.ledger.merkle import EMPTY_ROOT

from . import bulk, errors
from .hashes import DatabaseHashReader
from .log_key import log_origin, log_signer
from .models import LogState, PendingEntry, SignedCheckpoint

DEFAULT_BATCH = 4096


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
    rows = bulk.pending_take(limit)
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
    ids: list[int] = []
    drop: list[int] = []
    hashes: list[bytes] = []
    seen: set[bytes] = set()
    for pending_id, leaf, logged in rows:
        if logged or leaf in seen:  # submitted twice in a race; the log keeps the first
            drop.append(pending_id)
            continue
        seen.add(leaf)
        ids.append(pending_id)
        hashes.extend(stored.hash for stored in tree.append(leaf))
    now = clock.now()
    if not ids and has_checkpoint:  # only resubmissions of logged entries: nothing to sign
        bulk.pending_move([], old_size, drop, now)
        return Integration(old_size, old_size, bytes(state.root), None)
    # The hashes a batch of leaves completes are numbered consecutively from those already stored.
    bulk.tree_hashes_append(stored_hash_count(old_size), hashes)
    written = bulk.pending_move(ids, old_size, drop, now)
    if written != len(ids):  # pragma: no cover - pending rows are only deleted under the lock held here
        raise errors.LogCorrupted(errors.LOG_CORRUPT, _("待入账条目在入账过程中消失，已停止入账"),
                                  details={"size": old_size})
    root = tree.root()
    note = _sign(tree.size, root)
    SignedCheckpoint.objects.create(size=tree.size, root=root, note=note)
    LogState.objects.filter(pk=1).update(size=tree.size, root=root, updated_at=now)
    return Integration(old_size, tree.size, root, note)


def log_integrate_all(*, limit: int = DEFAULT_BATCH) -> list[Integration]:
    """Integrate until the pool is empty (one checkpoint per batch of `limit`)."""
    done: list[Integration] = []
    while True:
        done.append(log_integrate(limit=limit))
        if not PendingEntry.objects.exists():
            return done

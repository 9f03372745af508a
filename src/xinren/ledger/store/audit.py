"""Re-reading the whole log and checking every claim it makes, for `xinren ledger audit`.

The audit trusts nothing stored: it rehashes every entry, rebuilds the tree from the leaves and
compares every stored subtree hash, recomputes the root at every signed checkpoint and verifies the
checkpoint's signature, and checks every entry's DSSE signature against the key directory *as the log
itself records it* (key statements replayed in order, starting from the registrar, whose key derives
from the log key). It reports the first inconsistency by position in the log.

Parsing each statement and checking its signature dominate the cost (~100 µs an entry); with `workers`
> 1 they run in worker processes while the main process streams the rows, rehashes them and rebuilds the
tree. Key statements are checked in the main process, in order, since the replay depends on them.

A `Companion` rides along: a context above the log (attest's reconciliation of the signed rows) gets the statements
of the types it names, already parsed and verified, in the same worker pass, instead of reading and decoding every
entry a second time afterwards (docs/ledger.md, "Signed records").
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, connections

from xinren.ledger.checkpoint import open_checkpoint
from xinren.ledger.dsse import Envelope, parse_envelope, verify_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.hashstore import CompactRange, StoredHash, stored_hash_index
from xinren.ledger.merkle import EMPTY_ROOT, leaf_hash

from .log_key import REGISTRAR_OWNER, log_verifier, registrar_key
from .models import KeyRecord, KeyStatus, LogEntry, LogState, PendingEntry, SignedCheckpoint, TreeHash
from .services import statement_read

# What a companion sees of an entry: (index, leaf hash, statement type, subject, signer key id, the statement).
Visited = tuple[int, bytes, str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class Companion:
    """Checks a context above the log runs on the entries of `types` in the log audit's own pass.

    `check` runs where the signatures are verified (a forked worker with its own database connection, or here), on
    each batch's entries of those types once they verified; it must be a module-level function (the pool pickles it
    by name). `take` runs in the calling process with what `check` returned, batch by batch in log order.
    """

    types: frozenset[str]
    check: Callable[[list[Visited]], Any]
    take: Callable[[Any], None]


@dataclass(frozen=True, order=True)
class AuditProblem:
    """The first thing that does not add up; `position` is the entry index (or tree size) where it shows."""

    position: int
    kind: str
    message: str


@dataclass
class AuditReport:
    size: int = 0
    entries: int = 0
    stored_hashes: int = 0
    checkpoints: int = 0
    signatures: int = 0
    seconds: float = 0.0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def problem(self) -> AuditProblem | None:
        return min(self.problems) if self.problems else None

    @property
    def ok(self) -> bool:
        return not self.problems


class _Stop(Exception):
    """The first structural inconsistency: nothing after it can be checked meaningfully."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


_BATCH = 1000  # entries per worker task
_Item = tuple[int, bytes, bytes, str, bytes, str, str, "bytes | None"]


def _parse_entry(
    index: int, envelope: bytes, statement_type: str, subject: str, corrects: bytes | None
) -> tuple[Envelope, dict[str, Any]]:
    """The entry's envelope, parsed, and its statement, once the statement is known to match the entry's columns."""
    try:
        parsed = parse_envelope(envelope)
        fields, statement = statement_read(parsed.payload)
    except LedgerError as exc:
        raise _Stop(index, f"entry {index}: the envelope does not parse ({exc.code})") from None
    except Exception:
        raise _Stop(index, f"entry {index}: the statement is not valid") from None
    if (fields.statement_type, fields.subject, fields.corrects) != (statement_type, subject, corrects):
        raise _Stop(index, f"entry {index}: its type, subject or corrects columns differ from the signed statement")
    return parsed, statement


_Checked = tuple[list[tuple[int, str, str]], Any]


def _check_batch(
    items: list[_Item], types: frozenset[str] = frozenset(), check: Callable[[list[Visited]], Any] | None = None
) -> _Checked:
    """Worker: each entry's statement against its columns, and its signature; the first failure, if any, and what
    the companion's `check` made of the batch's entries of its `types` (up to the failure).

    Items are (index, leaf hash, envelope, key id, public key, type, subject, corrects); a failure is (index, kind,
    message).
    """
    loaded: dict[bytes, Ed25519PublicKey] = {}
    visited: list[Visited] = []

    def done(failures: list[tuple[int, str, str]]) -> _Checked:
        return failures, (check(visited) if check is not None else None)

    for index, leaf, envelope, key_id, public, statement_type, subject, corrects in items:
        try:
            parsed, statement = _parse_entry(index, envelope, statement_type, subject, corrects)
        except _Stop as stop:
            return done([(index, "log", stop.message)])
        if public not in loaded:  # loading a key costs half a verification
            loaded[public] = Ed25519PublicKey.from_public_bytes(public)
        try:
            verified = verify_envelope(parsed, {key_id: loaded[public]})
        except LedgerError as exc:
            return done([(index, "signature",
                          f"entry {index}: envelope signature by {key_id[:16]}… does not verify ({exc.code})")])
        if key_id not in verified.keyids:  # pragma: no cover - verify_envelope only returns known ids
            return done([(index, "signature", f"entry {index}: not signed by {key_id[:16]}…")])
        if statement_type in types:
            visited.append((index, leaf, statement_type, subject, key_id, statement))
    return done([])


# The parent's connections, inherited by a forked worker: kept unclosed (closing one would end the parent's session).
_INHERITED: list[Any] = []


def worker_start() -> None:
    """A forked worker's first step: leave the parent's database connections alone and open its own on first use."""
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None


def _entries(chunk: int) -> Iterator[tuple[int, bytes, bytes, str, str, str, bytes | None]]:
    # Raw rows by key range: the ORM's per-row conversion would cost more than hashing the entry.
    table = connection.ops.quote_name(LogEntry._meta.db_table)
    after = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT "index", leaf_hash, envelope, signer_key_id, statement_type, subject, corrects'
                f' FROM {table} WHERE "index" > %s ORDER BY "index" LIMIT %s',
                [after, chunk],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        for index, leaf, envelope, key_id, statement_type, subject, corrects in rows:
            yield index, bytes(leaf), bytes(envelope), key_id, statement_type, subject, (
                None if corrects is None else bytes(corrects))
        after = rows[-1][0]


def _stored_hashes(chunk: int) -> Iterator[tuple[int, bytes]]:
    table = connection.ops.quote_name(TreeHash._meta.db_table)
    after = -1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, hash FROM {table} WHERE id > %s ORDER BY id LIMIT %s", [after, chunk])
            rows = cursor.fetchall()
        if not rows:
            return
        for stored_id, value in rows:
            yield stored_id, bytes(value)
        after = rows[-1][0]


class _Directory:
    """The key directory replayed from key statements in the log."""

    def __init__(self) -> None:
        registrar, registrar_id = registrar_key()
        self.registrar_id = registrar_id
        public = registrar.public_key().public_bytes_raw()
        self.keys: dict[str, tuple[bytes, str]] = {registrar_id: (public, REGISTRAR_OWNER)}
        self.status: dict[str, str] = {registrar_id: KeyStatus.ACTIVE}

    def apply(self, index: int, statement_type: str, payload: bytes) -> None:
        document = json.loads(payload)
        key = document.get("key", {})
        key_id = key.get("id", "")
        if statement_type in {"key.register", "key.rotate"}:
            public = base64.b64decode(key.get("public_key", ""))
            if key_id in self.keys and self.keys[key_id][0] != public:
                raise _Stop(index, f"entry {index}: key {key_id[:16]}… registered twice with different public keys")
            self.keys[key_id] = (public, document["subject"])
            self.status[key_id] = KeyStatus.ACTIVE
            replaced = document.get("replaces")
            if replaced:
                self.status[replaced] = KeyStatus.RETIRED
        elif statement_type == "key.revoke":
            self.status[key_id] = KeyStatus.REVOKED


def log_audit(
    *, workers: int = 1, chunk: int = 5000, progress: Callable[[int], None] | None = None,
    companion: Companion | None = None,
) -> AuditReport:
    """Check the whole log; the report's `problem` is the first inconsistency, or None. A `companion` checks the
    entries of its types in the same pass (its `take` has had every batch when this returns)."""
    started = time.monotonic()
    report = AuditReport()
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=worker_start
    ) if workers > 1 else None
    futures: deque[Future[_Checked]] = deque()
    try:
        _audit(report, pool, workers, futures, chunk, progress, companion)
    except _Stop as stop:
        report.problems.append(AuditProblem(stop.position, "log", stop.message))
    finally:
        for future in futures:
            _settle(report, future.result(), companion)
        if pool is not None:
            pool.shutdown()
    report.seconds = time.monotonic() - started
    return report


def _audit(
    report: AuditReport,
    pool: ProcessPoolExecutor | None,
    workers: int,
    futures: deque[Future[_Checked]],
    chunk: int,
    progress: Callable[[int], None] | None,
    companion: Companion | None,
) -> None:
    checkpoints = list(SignedCheckpoint.objects.order_by("size").values_list("size", "root", "note"))
    by_size = {size: (bytes(root), note) for size, root, note in checkpoints}
    verifier = log_verifier()
    directory = _Directory()
    tree = CompactRange()
    stored = _stored_hashes(chunk)
    batch: list[_Item] = []

    def check_checkpoint(size: int, root: bytes) -> None:
        if size not in by_size:
            return
        stored_root, note = by_size[size]
        try:
            opened = open_checkpoint(note, verifier).checkpoint
        except LedgerError as exc:
            raise _Stop(size, f"checkpoint of size {size}: the log's signature does not hold ({exc.code})") from None
        if opened.size != size or opened.root != stored_root:
            raise _Stop(size, f"checkpoint of size {size}: the signed note and the stored columns differ")
        if opened.root != root:
            raise _Stop(size, f"checkpoint of size {size}: the entries lead to another root than the one signed")
        report.checkpoints += 1

    types, check = (companion.types, companion.check) if companion is not None else (frozenset[str](), None)

    def flush() -> None:
        if not batch:
            return
        if pool is None:
            _settle(report, _check_batch(batch, types, check), companion)
        else:
            futures.append(pool.submit(_check_batch, list(batch), types, check))
            while len(futures) > 4 * workers:  # bounded memory: the reader may outrun the workers
                _settle(report, futures.popleft().result(), companion)
        report.signatures += len(batch)
        batch.clear()

    check_checkpoint(0, EMPTY_ROOT)
    for index, leaf, envelope, key_id, statement_type, subject, corrects in _entries(chunk):
        if index != tree.size:
            raise _Stop(tree.size, f"entry {tree.size} is missing (the next stored entry is {index})")
        if leaf_hash(envelope) != leaf:
            raise _Stop(index, f"entry {index}: its leaf hash does not match its envelope")
        if key_id not in directory.keys:
            raise _Stop(index, f"entry {index}: signed by {key_id[:16]}…, a key the log never registered before it")
        batch.append((index, leaf, envelope, key_id, directory.keys[key_id][0], statement_type, subject, corrects))
        if statement_type.startswith("key."):
            # The replay trusts this statement: check it here, in order, before it changes the directory.
            flush()
            if key_id != directory.registrar_id:
                raise _Stop(index, f"entry {index}: a key statement not signed by the registrar")
            parsed, _statement = _parse_entry(index, envelope, statement_type, subject, corrects)
            directory.apply(index, statement_type, parsed.payload)
        elif len(batch) >= _BATCH:
            flush()
        for new in tree.append(leaf):
            _compare_stored(stored, new, index)
            report.stored_hashes += 1
        report.entries += 1
        if tree.size in by_size:  # a root costs log2(n) hashes: only where a checkpoint was signed
            check_checkpoint(tree.size, tree.root())
        if progress is not None and tree.size % 100_000 == 0:
            progress(tree.size)
    flush()
    report.size = tree.size
    extra = next(stored, None)
    if extra is not None:
        raise _Stop(tree.size, f"a stored hash (number {extra[0]}) lies beyond the last entry")
    beyond = [size for size in by_size if size > tree.size]
    if beyond:
        raise _Stop(tree.size, f"a checkpoint of size {min(beyond)} is signed, but the log holds {tree.size} entries")
    state = LogState.objects.filter(pk=1).first()
    if state is not None and (state.size != tree.size or bytes(state.root) != tree.root()):
        raise _Stop(tree.size, "the log state row disagrees with the entries")
    _compare_directory(directory, tree.size)


def _settle(report: AuditReport, checked: _Checked, companion: Companion | None) -> None:
    failures, companion_result = checked
    report.problems.extend(AuditProblem(*problem) for problem in failures)
    if companion is not None:
        companion.take(companion_result)


def _compare_stored(stored: Iterator[tuple[int, bytes]], new: StoredHash, index: int) -> None:
    expected_id = stored_hash_index(new.level, new.index)
    row = next(stored, None)
    if row is None or row[0] != expected_id:
        raise _Stop(index, f"entry {index}: stored hash of subtree ({new.level}, {new.index}) is missing")
    if row[1] != new.hash:
        raise _Stop(index, f"entry {index}: stored hash of subtree ({new.level}, {new.index}) is wrong")


def _compare_directory(directory: _Directory, size: int) -> None:
    # A key act whose statement is still pending is in the directory but not yet in the log.
    pending = set()
    for payload in PendingEntry.objects.filter(statement_type__startswith="key.").values_list("envelope", flat=True):
        pending.add(json.loads(parse_envelope(bytes(payload)).payload).get("key", {}).get("id"))
    for record in KeyRecord.objects.order_by("id"):
        if record.key_id in pending:
            continue
        logged = directory.keys.get(record.key_id)
        if logged is None:
            raise _Stop(size, f"key {record.key_id[:16]}… is in the directory but was never registered in the log")
        if logged[0] != bytes(record.public_key) or logged[1] != record.owner:
            raise _Stop(size, f"key {record.key_id[:16]}…: the directory's public key or owner differs from the log")
        if directory.status.get(record.key_id) != record.status:
            raise _Stop(size, f"key {record.key_id[:16]}…: the directory says {record.status}, the log says "
                              f"{directory.status.get(record.key_id)}")

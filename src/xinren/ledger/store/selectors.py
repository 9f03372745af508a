"""Reads of the platform log: checkpoints, entries, proofs, tiles and bundles. All of it is public."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from xinren.ledger.b64 import b64decode
from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinren.ledger.errors import FormatError
from xinren.ledger.hashstore import consistency_proof, inclusion_proof
from xinren.ledger.merkle import EMPTY_ROOT
from xinren.ledger.proof import ProofBundle
from xinren.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, encode_entry_bundle, tile_bytes

from . import errors
from .hashes import DatabaseHashReader
from .log_key import log_origin, log_signer, log_verifier
from .models import Cosignature, LogEntry, PendingEntry, SignedCheckpoint

_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")


def log_vkey() -> str:
    """The log's verifier key string, as `xinren ledger verify --key` takes it."""
    return log_verifier().vkey


def checkpoint_latest() -> SignedCheckpoint | None:
    return SignedCheckpoint.objects.order_by("-size").first()


def log_size() -> int:
    latest = checkpoint_latest()
    return 0 if latest is None else latest.size


def checkpoint_text(checkpoint: SignedCheckpoint | None) -> str:
    """The signed note with every stored witness cosignature appended (the empty tree's when none)."""
    if checkpoint is None:
        return sign_checkpoint(Checkpoint(origin=log_origin(), size=0, root=EMPTY_ROOT), log_signer())
    lines = list(Cosignature.objects.filter(checkpoint=checkpoint).order_by("id").values_list("line", flat=True))
    return checkpoint.note + "".join(lines)


def checkpoint_for_size(size: int) -> SignedCheckpoint | None:
    return SignedCheckpoint.objects.filter(size=size).first()


def _resolve_size(size: int | None) -> tuple[int, SignedCheckpoint | None]:
    latest = checkpoint_latest()
    current = 0 if latest is None else latest.size
    if size is None:
        return current, latest
    if not 0 <= size <= current:
        raise errors.tree_size_invalid(f"size {size} is not between 0 and the log size {current}")
    return size, latest if latest is not None and latest.size == size else checkpoint_for_size(size)


def leaf_hash_parse(text: str) -> bytes:
    """A leaf hash given as 64 hex digits (or canonical base64, as C2SP tools print them)."""
    if _HEX_HASH.fullmatch(text):
        return bytes.fromhex(text)
    try:
        value = b64decode(text, what="leaf hash")
    except FormatError:
        raise errors.query_invalid("leaf_hash") from None
    if len(value) != 32:
        raise errors.query_invalid("leaf_hash")
    return value


def entry_by_index(index: int) -> LogEntry:
    entry = LogEntry.objects.filter(index=index).first()
    if entry is None:
        raise errors.entry_not_found()
    return entry


def entry_by_leaf_hash(leaf_hash: bytes) -> LogEntry | None:
    return LogEntry.objects.filter(leaf_hash=leaf_hash).first()


def entry_is_pending(leaf_hash: bytes) -> bool:
    return PendingEntry.objects.filter(leaf_hash=leaf_hash).exists()


def entries_for_subject(subject: str) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(subject=subject).order_by("index")


def corrections_of(leaf_hash: bytes) -> QuerySet[LogEntry]:
    """Entries that point at this one with `corrects` (the log never edits; it appends corrections)."""
    return LogEntry.objects.filter(corrects=leaf_hash).order_by("index")


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    path: list[bytes]
    checkpoint: str | None


def inclusion_proof_get(
    *, index: int | None = None, leaf_hash: bytes | None = None, size: int | None = None
) -> InclusionProof:
    """PATH(index, size) from the stored hashes (one query); by index or by leaf hash."""
    if (index is None) == (leaf_hash is None):
        raise errors.query_invalid("index|leaf_hash")
    tree_size, checkpoint = _resolve_size(size)
    if leaf_hash is not None:
        entry = entry_by_leaf_hash(leaf_hash)
        if entry is None:
            raise errors.entry_not_found()
        index = entry.index
    else:
        entry = None
    assert index is not None
    if not 0 <= index < tree_size:
        raise errors.tree_size_invalid(f"index {index} is not inside the tree of size {tree_size}")
    entry_leaf = _leaf_hash_at(index) if entry is None else bytes(entry.leaf_hash)
    path = inclusion_proof(index, tree_size, DatabaseHashReader())
    text = checkpoint_text(checkpoint) if checkpoint is not None else None
    return InclusionProof(index=index, size=tree_size, leaf_hash=entry_leaf, path=path, checkpoint=text)


def _leaf_hash_at(index: int) -> bytes:
    value = LogEntry.objects.filter(index=index).values_list("leaf_hash", flat=True).first()
    if value is None:
        raise errors.entry_not_found()
    return bytes(value)


def consistency_proof_get(*, first: int, second: int | None = None) -> tuple[int, int, list[bytes]]:
    """PROOF(first, second) from the stored hashes; `second` defaults to the latest checkpoint's size."""
    second_size, _checkpoint = _resolve_size(second)
    if not 0 < first <= second_size:
        raise errors.tree_size_invalid(f"first {first} must be between 1 and second {second_size}")
    return first, second_size, consistency_proof(first, second_size, DatabaseHashReader())


def bundle_get(index: int) -> ProofBundle:
    """The offline proof bundle of an entry against the latest checkpoint (with cosignatures)."""
    latest = checkpoint_latest()
    entry = entry_by_index(index)
    if latest is None or index >= latest.size:
        raise errors.entry_not_found()
    path = inclusion_proof(index, latest.size, DatabaseHashReader())
    return ProofBundle(entry=bytes(entry.envelope), index=index, inclusion_path=tuple(path),
                       checkpoint=checkpoint_text(latest))


def _available(tile: Tile, size: int) -> int:
    """How many hashes (or entries) of this tile's row the tree of `size` has completed."""
    level = 0 if tile.level is None else tile.level * TILE_HEIGHT
    return (size >> level) - tile.index * TILE_WIDTH


def tile_data(tile: Tile) -> bytes:
    """A hash tile or entry bundle exactly as tlog-tiles publishes it; any width the tree covers."""
    if _available(tile, log_size()) < tile.width:
        raise errors.entry_not_found()
    if tile.level is None:
        start = tile.index * TILE_WIDTH
        envelopes = LogEntry.objects.filter(index__gte=start, index__lt=start + tile.width).order_by("index")
        return encode_entry_bundle([bytes(e) for e in envelopes.values_list("envelope", flat=True)])
    return tile_bytes(DatabaseHashReader().read_hashes(tile.hash_positions()))


@dataclass(frozen=True)
class EntryStatus:
    """Pending (accepted, proof after the next integration), or sequenced at `index`."""

    leaf_hash: bytes
    index: int | None

    @property
    def pending(self) -> bool:
        return self.index is None

    def as_dict(self) -> dict[str, object]:
        return {"leaf_hash": self.leaf_hash.hex(), "status": "pending" if self.pending else "integrated",
                "index": self.index}


def entry_statuses(leaf_hashes: list[bytes]) -> dict[bytes, EntryStatus]:
    """Statuses of many entries in two queries (a page showing an item's events); unknown ones are left out."""
    found: dict[bytes, EntryStatus] = {}
    for start in range(0, len(leaf_hashes), 900):
        chunk = leaf_hashes[start : start + 900]
        for leaf, index in LogEntry.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", "index"):
            found[bytes(leaf)] = EntryStatus(leaf_hash=bytes(leaf), index=index)
        rest = [h for h in chunk if h not in found]
        for leaf in PendingEntry.objects.filter(leaf_hash__in=rest).values_list("leaf_hash", flat=True):
            found[bytes(leaf)] = EntryStatus(leaf_hash=bytes(leaf), index=None)
    return found


def entry_status(leaf_hash: bytes) -> EntryStatus:
    """Whether the log holds this entry yet; NotFound when it was never accepted."""
    index = LogEntry.objects.filter(leaf_hash=leaf_hash).values_list("index", flat=True).first()
    if index is None and not entry_is_pending(leaf_hash):
        raise errors.entry_not_found()
    return EntryStatus(leaf_hash=leaf_hash, index=index)

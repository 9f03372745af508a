"""Proofs and roots from stored subtree hashes, and the incremental append of a sequencer.

A log stores the hash of every *complete* subtree, addressed as (level, index) as tlog-tiles does (the
subtree of 2**level leaves starting at leaf index * 2**level). Any root or proof is then a handful of
stored hashes: a `HashReader` is asked for all of them in one batch, O(log n) positions, so a database
or tile store serves a proof with one query. Hashes of incomplete subtrees on the right edge are never
stored; they are folded from complete ones on the fly.

`CompactRange` is the sequencer's side: it holds only the right edge (one hash per set bit of the size),
appends a batch of leaf hashes, and hands back exactly the new complete-subtree hashes to store, so
integration never re-reads the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .errors import InvalidHashError, InvalidTreeSizeError, MissingHashError
from .merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Position,
    consistency_ranges,
    fold_subtrees,
    inclusion_ranges,
    node_hash,
    subtree_positions,
)


@dataclass(frozen=True, slots=True)
class StoredHash:
    """A complete subtree's hash at (level, index)."""

    level: int
    index: int
    hash: bytes


@runtime_checkable
class HashReader(Protocol):
    """Anything that returns stored complete-subtree hashes, in the order asked, in one call."""

    def read_hashes(self, positions: Sequence[Position]) -> Sequence[bytes]: ...


def _read(reader: HashReader, positions: Sequence[Position]) -> list[bytes]:
    hashes = list(reader.read_hashes(positions))
    if len(hashes) != len(positions):
        raise MissingHashError(f"asked the hash reader for {len(positions)} hashes, got {len(hashes)}")
    return hashes


def _ranges_hashes(reader: HashReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each range, reading every needed stored hash in a single batch."""
    pieces = [subtree_positions(lo, hi) for lo, hi in ranges]
    flat = _read(reader, [p for piece in pieces for p in piece])
    result: list[bytes] = []
    at = 0
    for piece in pieces:
        result.append(fold_subtrees(flat[at : at + len(piece)]))
        at += len(piece)
    return result


def _check_size(size: int) -> None:
    if not isinstance(size, int) or size < 0:
        raise InvalidTreeSizeError(f"tree size must be a non-negative integer, got {size!r}")


def tree_root(size: int, reader: HashReader) -> bytes:
    """The root of the tree's first `size` leaves."""
    _check_size(size)
    if size == 0:
        return EMPTY_ROOT
    return _ranges_hashes(reader, [(0, size)])[0]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf's sibling first."""
    _check_size(size)
    return _ranges_hashes(reader, inclusion_ranges(index, size))


def consistency_proof(size1: int, size2: int, reader: HashReader) -> list[bytes]:
    """PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
    _check_size(size1)
    _check_size(size2)
    if 0 < size1 == size2:
        return []
    return _ranges_hashes(reader, consistency_ranges(size1, size2))


def right_edge_positions(size: int) -> list[Position]:
    """The complete subtrees covering [0, size), largest first: one per set bit of `size`."""
    _check_size(size)
    return subtree_positions(0, size) if size else []


@dataclass
class CompactRange:
    """The right edge of a tree of `size` leaves: all a sequencer needs to append and compute roots."""

    size: int = 0
    edge: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        _check_size(self.size)
        if any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in self.edge):
            raise InvalidHashError(f"edge hashes must be {HASH_SIZE} bytes")
        if len(self.edge) != self.size.bit_count():
            raise InvalidTreeSizeError(f"a tree of size {self.size} has {self.size.bit_count()} edge hashes, "
                                       f"not {len(self.edge)}")

    @classmethod
    def load(cls, size: int, reader: HashReader) -> CompactRange:
        """Resume from storage: read the edge hashes of a tree of `size` leaves."""
        positions = right_edge_positions(size)
        return cls(size=size, edge=_read(reader, positions) if positions else [])

    def append(self, leaf: bytes) -> list[StoredHash]:
        """Add one leaf hash; return the leaf and every subtree it completes, to be stored."""
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise InvalidHashError(f"leaf hash must be {HASH_SIZE} bytes")
        index = self.size
        created = [StoredHash(0, index, leaf)]
        current, level = leaf, 0
        # Each trailing one bit of the old size is a same-sized subtree on the edge waiting for a sibling.
        while (index >> level) & 1:
            current = node_hash(self.edge.pop(), current)
            level += 1
            created.append(StoredHash(level, index >> level, current))
        self.edge.append(current)
        self.size += 1
        return created

    def extend(self, leaves: Iterable[bytes]) -> list[StoredHash]:
        """Append a batch of leaf hashes; return all new complete-subtree hashes."""
        created: list[StoredHash] = []
        for leaf in leaves:
            created.extend(self.append(leaf))
        return created

    def root(self) -> bytes:
        """The current root, from the edge alone."""
        return fold_subtrees(self.edge) if self.edge else EMPTY_ROOT


class MemoryHashStore:
    """An in-memory tree: the reference `HashReader`, for tests and offline tools."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._hashes: dict[Position, bytes] = {}
        self._range = CompactRange()
        self.append(leaf_hashes)

    @property
    def size(self) -> int:
        return self._range.size

    def append(self, leaf_hashes: Iterable[bytes]) -> list[StoredHash]:
        created = self._range.extend(leaf_hashes)
        for stored in created:
            self._hashes[(stored.level, stored.index)] = stored.hash
        return created

    def root(self, size: int | None = None) -> bytes:
        return self._range.root() if size is None else tree_root(size, self)

    def read_hashes(self, positions: Sequence[Position]) -> list[bytes]:
        try:
            return [self._hashes[p] for p in positions]
        except KeyError as exc:
            raise MissingHashError(f"no complete subtree stored at (level, index) {exc.args[0]}") from None


# The flat numbering of Go's sumdb tlog: a store that keeps hashes in one sequence, appended leaf by leaf,
# finds a subtree's hash at stored_hash_index(level, index).


def stored_hash_index(level: int, index: int) -> int:
    """Position of subtree (level, index) in the append-order sequence of all stored hashes."""
    if level < 0 or index < 0:
        raise ValueError(f"invalid subtree ({level}, {index})")
    # The subtree is stored right after the level-0 hash of its last leaf and its lower ancestors.
    n = ((index + 1) << level) - 1
    before = 0
    while n > 0:
        before += n
        n >>= 1
    return before + level


def split_stored_hash_index(stored: int) -> Position:
    """Inverse of `stored_hash_index`."""
    if stored < 0:
        raise ValueError(f"invalid stored hash index {stored}")
    n = stored // 2  # stored_hash_index(0, n) < 2n + 1, so the last leaf is at or after stored // 2
    while stored_hash_index(0, n) > stored:
        n -= 1
    while stored_hash_index(0, n + 1) <= stored:
        n += 1
    level = stored - stored_hash_index(0, n)
    return level, n >> level


def stored_hash_count(size: int) -> int:
    """How many hashes a tree of `size` leaves has stored."""
    _check_size(size)
    if size == 0:
        return 0
    count = stored_hash_index(0, size - 1) + 1
    last = size - 1
    while last & 1:
        count += 1
        last >>= 1
    return count

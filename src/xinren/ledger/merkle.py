"""RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.

Hashes are SHA-256 with domain separation: a leaf is SHA-256(0x00 ‖ data), an interior node is
SHA-256(0x01 ‖ left ‖ right). The tree over n leaves splits at the largest power of two below n (MTH,
RFC 9162 §2.1.1). Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) and
checks the proof length first, so a wrong proof fails with a precise reason.

Policy beyond the RFC, shared with transparency-dev/merkle: every hash (leaf hash, root, proof element)
must be exactly 32 bytes, and a consistency proof *from* size 0 is refused, because every tree is an
extension of the empty tree and such a "proof" proves nothing.

Subtrees are addressed as (level, index): the complete subtree of 2**level leaves starting at leaf
index * 2**level. Those are the hashes a tile store keeps (see `hashstore` and `tiles`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .errors import InvalidHashError, InvalidTreeSizeError, ProofLengthError, RootMismatchError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

Position = tuple[int, int]
"""(level, index) of a complete subtree."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162's split: the largest power of two strictly smaller than n (n ≥ 2)."""
    if n < 2:
        raise ValueError(f"only a tree of two or more leaves splits, not {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes; SHA-256 of nothing for the empty tree."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    # Pairing left to right and promoting an odd last node yields the same tree as the recursive
    # split, because the left part of every split is a complete power-of-two subtree.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def root_from_entries(entries: Sequence[bytes]) -> bytes:
    """MTH over raw entries (each is leaf-hashed first)."""
    return root_from_leaf_hashes([leaf_hash(e) for e in entries])


# Subtree arithmetic: which complete subtrees make up a range, and which ranges a proof holds.


def subtree_positions(lo: int, hi: int) -> list[Position]:
    """The complete subtrees, left to right, whose right-fold is MTH(D[lo:hi]).

    [lo, hi) must be a node of some tree: lo a multiple of the power of two at or above hi - lo.
    The pieces shrink strictly from left to right, mirroring MTH's split at the largest power of two.
    """
    if not 0 <= lo < hi:
        raise ValueError(f"empty or negative range [{lo}, {hi})")
    positions: list[Position] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"[{lo}, {hi}) is not a subtree of any Merkle tree")
        positions.append((level, lo >> level))
        lo += 1 << level
    return positions


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of `subtree_positions(lo, hi)` into MTH(D[lo:hi])."""
    if not hashes:
        raise ValueError("nothing to fold")
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form PATH(index, D[0:size]), in proof order (leaf's sibling first)."""
    if not 0 <= index < size:
        raise InvalidTreeSizeError(f"leaf index {index} is not inside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + largest_power_of_two_below(hi - lo)
        if index < mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
    ranges.reverse()
    return ranges


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1), 0 < size1 < size2."""
    if not 0 < size1 < size2:
        raise InvalidTreeSizeError(f"a consistency proof needs 0 < size1 < size2, got {size1} and {size2}")
    ranges: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        k = largest_power_of_two_below(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2).


def _check_hash(value: object, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise InvalidHashError(f"{what} must be a {HASH_SIZE}-byte hash, got {length}")
    return bytes(value)


def _check_proof(proof: Sequence[bytes], expected: int, what: str) -> list[bytes]:
    if len(proof) != expected:
        raise ProofLengthError(f"{what} must have {expected} hashes, got {len(proof)}")
    return [_check_hash(p, f"{what} element {i}") for i, p in enumerate(proof)]


def _check_size(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidTreeSizeError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` implies for a leaf hash at `index` in a tree of `size` leaves."""
    leaf = _check_hash(leaf, "leaf hash")
    index, size = _check_size(index, "leaf index"), _check_size(size, "tree size")
    if index >= size:
        raise InvalidTreeSizeError(f"leaf index {index} is not inside a tree of size {size}")
    path = _check_proof(proof, len(inclusion_ranges(index, size)), f"inclusion proof of leaf {index} of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:  # unreachable after the length check; kept as the RFC's own guard
            raise ProofLengthError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofLengthError("inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise unless `proof` shows leaf hash `leaf` at `index` in the tree of `size` leaves with `root`."""
    root = _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    if computed != root:
        raise RootMismatchError(f"inclusion proof of leaf {index} does not lead to the root of the tree of size {size}")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise unless `proof` shows the tree (size2, root2) extends the tree (size1, root1)."""
    size1, size2 = _check_size(size1, "first tree size"), _check_size(size2, "second tree size")
    root1, root2 = _check_hash(root1, "first root hash"), _check_hash(root2, "second root hash")
    if size1 > size2:
        raise InvalidTreeSizeError(f"first tree size {size1} is larger than the second, {size2}")
    if size1 == 0:
        raise InvalidTreeSizeError("a consistency proof from the empty tree proves nothing and is refused")
    if size1 == size2:
        _check_proof(proof, 0, f"consistency proof between equal sizes {size1}")
        if root1 != root2:
            raise RootMismatchError(f"two trees of size {size1} have different roots")
        return
    path = _check_proof(proof, len(consistency_ranges(size1, size2)), f"consistency proof {size1} to {size2}")
    if size1 & (size1 - 1) == 0:  # size1 a power of two: the old root is itself a node of the new tree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofLengthError(f"consistency proof {size1} to {size2} is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofLengthError(f"consistency proof {size1} to {size2} is too short")
    if fr != root1:
        raise RootMismatchError(f"consistency proof does not lead to the root of the tree of size {size1}")
    if sr != root2:
        raise RootMismatchError(f"consistency proof does not lead to the root of the tree of size {size2}")

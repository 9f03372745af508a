"""Property tests: proofs from stored hashes verify, and any flipped bit makes them fail."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinren.ledger import hashstore, merkle
from xinren.ledger.errors import InvalidTreeSizeError, LedgerError, RootMismatchError

MAX_SIZE = 2000
LEAVES = [merkle.leaf_hash(hashlib.sha256(i.to_bytes(4, "big")).digest()) for i in range(MAX_SIZE)]
# One store serves every size: the complete subtrees of a prefix are the same in every longer tree.
STORE = hashstore.MemoryHashStore(LEAVES)
PROPERTY = settings(max_examples=150, deadline=None, database=None)


def _reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, written as recursively as the RFC states it."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = merkle.largest_power_of_two_below(len(leaves))
    return merkle.node_hash(_reference_mth(leaves[:k]), _reference_mth(leaves[k:]))


def _reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D_n)."""
    if len(leaves) == 1:
        return []
    k = merkle.largest_power_of_two_below(len(leaves))
    if m < k:
        return [*_reference_path(m, leaves[:k]), _reference_mth(leaves[k:])]
    return [*_reference_path(m - k, leaves[k:]), _reference_mth(leaves[:k])]


def _reference_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D_n, b)."""
    if m == len(leaves):
        return [] if complete else [_reference_mth(leaves)]
    k = merkle.largest_power_of_two_below(len(leaves))
    if m <= k:
        return [*_reference_subproof(m, leaves[:k], complete), _reference_mth(leaves[k:])]
    return [*_reference_subproof(m - k, leaves[k:], False), _reference_mth(leaves[:k])]


def _flip(data: bytes, bit: int) -> bytes:
    flipped = bytearray(data)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(min_value=2, max_value=MAX_SIZE))
    return draw(st.integers(min_value=1, max_value=size2 - 1)), size2


@PROPERTY
@given(sizes)
def test_roots_agree_three_ways(size: int) -> None:
    # given
    leaves = LEAVES[:size]
    # when
    stored = hashstore.tree_root(size, STORE)
    # then
    assert stored == merkle.root_from_leaf_hashes(leaves) == _reference_mth(leaves)


@PROPERTY
@given(st.lists(sizes, min_size=1, max_size=6))
def test_incremental_root_equals_full_recompute(batches: list[int]) -> None:
    # given: a sequencer appending batches, resuming from storage between them
    store = hashstore.MemoryHashStore()
    total = 0
    for batch in batches:
        batch = batch % 300 + 1
        compact = hashstore.CompactRange.load(store.size, store)
        # when
        created = compact.extend(LEAVES[total : total + batch])
        store.append(LEAVES[total : total + batch])
        before, total = total, min(total + batch, MAX_SIZE)
        # then: the root, and exactly the subtrees completed by this batch, each with its true hash
        assert compact.size == store.size == total
        assert compact.root() == merkle.root_from_leaf_hashes(LEAVES[:total])
        completed = [(lv, i) for lv in range(12) for i in range(total >> lv) if ((i + 1) << lv) > before]
        assert sorted((s.level, s.index) for s in created) == sorted(completed)
        for s in created:
            assert s.hash == merkle.root_from_leaf_hashes(LEAVES[s.index << s.level : (s.index + 1) << s.level])


@PROPERTY
@given(size_and_index(), st.data())
def test_inclusion_proof_verifies_and_any_flipped_bit_fails(case: tuple[int, int], data: st.DataObject) -> None:
    # given
    size, index = case
    root = hashstore.tree_root(size, STORE)
    proof = hashstore.inclusion_proof(index, size, STORE)
    # when / then
    assert proof == _reference_path(index, LEAVES[:size])
    merkle.verify_inclusion(LEAVES[index], index, size, proof, root)
    bit = data.draw(st.integers(min_value=0, max_value=255))
    with pytest.raises(RootMismatchError):
        merkle.verify_inclusion(_flip(LEAVES[index], bit), index, size, proof, root)
    with pytest.raises(RootMismatchError):
        merkle.verify_inclusion(LEAVES[index], index, size, proof, _flip(root, bit))
    if proof:
        element = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad = [*proof[:element], _flip(proof[element], bit), *proof[element + 1 :]]
        with pytest.raises(RootMismatchError):
            merkle.verify_inclusion(LEAVES[index], index, size, bad, root)


@PROPERTY
@given(two_sizes(), st.data())
def test_consistency_proof_verifies_and_any_flipped_bit_fails(sizes2: tuple[int, int], data: st.DataObject) -> None:
    # given
    size1, size2 = sizes2
    root1, root2 = hashstore.tree_root(size1, STORE), hashstore.tree_root(size2, STORE)
    proof = hashstore.consistency_proof(size1, size2, STORE)
    # when / then
    assert proof == _reference_subproof(size1, LEAVES[:size2], True)
    merkle.verify_consistency(size1, size2, proof, root1, root2)
    bit = data.draw(st.integers(min_value=0, max_value=255))
    with pytest.raises(RootMismatchError):
        merkle.verify_consistency(size1, size2, proof, _flip(root1, bit), root2)
    with pytest.raises(RootMismatchError):
        merkle.verify_consistency(size1, size2, proof, root1, _flip(root2, bit))
    element = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    bad = [*proof[:element], _flip(proof[element], bit), *proof[element + 1 :]]
    with pytest.raises(RootMismatchError):
        merkle.verify_consistency(size1, size2, bad, root1, root2)


@PROPERTY
@given(size_and_index())
def test_inclusion_proof_of_another_position_fails(case: tuple[int, int]) -> None:
    # given
    size, index = case
    proof = hashstore.inclusion_proof(index, size, STORE)
    root = hashstore.tree_root(size, STORE)
    other = (index + 1) % size
    # when / then
    if other != index:
        with pytest.raises(LedgerError):
            merkle.verify_inclusion(LEAVES[index], other, size, proof, root)
    with pytest.raises(LedgerError):
        merkle.verify_inclusion(LEAVES[index], index, size + 1, proof, hashstore.tree_root(size + 1, STORE))


def test_every_bit_of_a_proof_matters_exhaustively() -> None:
    # given: a tree with a ragged right edge, and proofs touching it
    size, index, size1 = 1337, 1000, 700
    root, root1 = hashstore.tree_root(size, STORE), hashstore.tree_root(size1, STORE)
    inclusion = hashstore.inclusion_proof(index, size, STORE)
    consistency = hashstore.consistency_proof(size1, size, STORE)
    # when
    survivors = []
    for proof, check in (
        (inclusion, lambda p: merkle.verify_inclusion(LEAVES[index], index, size, p, root)),
        (consistency, lambda p: merkle.verify_consistency(size1, size, p, root1, root)),
    ):
        for element in range(len(proof)):
            for bit in range(256):
                bad = [*proof[:element], _flip(proof[element], bit), *proof[element + 1 :]]
                try:
                    check(bad)
                    survivors.append((element, bit))
                except RootMismatchError:
                    pass
    # then
    assert survivors == []
    assert inclusion == _reference_path(index, LEAVES[:size])
    assert consistency == _reference_subproof(size1, LEAVES[:size], True)
    assert (len(inclusion), len(consistency)) == (11, 10)


def test_consistency_between_equal_sizes_is_an_empty_proof() -> None:
    # given
    root = hashstore.tree_root(5, STORE)
    # when
    proof = hashstore.consistency_proof(5, 5, STORE)
    # then
    assert proof == []
    merkle.verify_consistency(5, 5, proof, root, root)


def test_consistency_from_the_empty_tree_is_refused() -> None:
    # when / then
    with pytest.raises(InvalidTreeSizeError):
        hashstore.consistency_proof(0, 5, STORE)
    with pytest.raises(InvalidTreeSizeError):
        merkle.verify_consistency(0, 5, [], merkle.EMPTY_ROOT, hashstore.tree_root(5, STORE))


def test_reader_is_asked_once_per_proof_for_few_hashes() -> None:
    # given
    calls: list[int] = []

    class CountingReader:
        def read_hashes(self, positions: Sequence[tuple[int, int]]) -> list[bytes]:
            calls.append(len(positions))
            return STORE.read_hashes(positions)

    # when
    hashstore.inclusion_proof(1000, 1999, CountingReader())
    hashstore.consistency_proof(1000, 1999, CountingReader())
    # then: one batch each, O(log n) positions
    assert len(calls) == 2
    assert max(calls) <= 2 * (1999).bit_length()


@PROPERTY
@given(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=1 << 20))
def test_stored_hash_index_round_trips(level: int, index: int) -> None:
    # when
    stored = hashstore.stored_hash_index(level, index)
    # then
    assert hashstore.split_stored_hash_index(stored) == (level, index)


def test_stored_hash_index_is_the_append_order() -> None:
    # given
    store = hashstore.MemoryHashStore()
    # when
    order = [(s.level, s.index) for s in store.append(LEAVES[:64])]
    # then
    assert [hashstore.stored_hash_index(level, index) for level, index in order] == list(range(len(order)))
    assert hashstore.stored_hash_count(64) == len(order) == 127
    assert [hashstore.stored_hash_count(n) for n in range(1, 9)] == [1, 3, 4, 7, 8, 10, 11, 15]

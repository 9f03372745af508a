"""C2SP tlog-tiles layout: paths, tile sets, tile bytes, entry bundles, proofs served from tiles."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinren.ledger import hashstore, merkle, tiles
from xinren.ledger.errors import EntryBundleError, EntryTooLargeError, TileDataError, TilePathError

PROPERTY = settings(max_examples=150, deadline=None, database=None)


@pytest.mark.parametrize(
    ("index", "encoded"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (10**9, "x001/x000/x000/000"),
    ],
)
def test_tile_index_encoding(index: int, encoded: str) -> None:
    # when / then
    assert tiles.encode_tile_index(index) == encoded
    assert tiles.decode_tile_index(encoded) == index


@PROPERTY
@given(st.integers(min_value=0, max_value=2**63))
def test_tile_index_round_trips(index: int) -> None:
    # when
    encoded = tiles.encode_tile_index(index)
    # then
    assert tiles.decode_tile_index(encoded) == index


@PROPERTY
@given(
    st.one_of(st.none(), st.integers(min_value=0, max_value=63)),
    st.integers(min_value=0, max_value=2**40),
    st.integers(min_value=1, max_value=256),
)
def test_tile_paths_round_trip(level: int | None, index: int, width: int) -> None:
    # given
    tile = tiles.Tile(level=level, index=index, width=width)
    # when
    parsed = tiles.parse_tile_path(tile.path)
    # then
    assert parsed == tile


def test_tile_paths_look_like_the_spec() -> None:
    # when / then
    assert tiles.Tile(level=0, index=1234067).path == "tile/0/x001/x234/067"
    assert tiles.Tile(level=2, index=1, width=17).path == "tile/2/001.p/17"
    assert tiles.Tile(level=None, index=0, width=1).path == "tile/entries/000.p/1"


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",  # not three digits
        "tile/0/x000/001",  # leading zero element
        "tile/0/001/x002",  # x on the last element
        "tile/0/001.p/256",  # a partial tile is narrower than 256
        "tile/0/001.p/0",
        "tile/0/001.p/08",  # leading zero in the width
        "tile/64/000",  # level past 63
        "tile/00/000",  # leading zero in the level
        "tile/entries/000.p/",
        "/tile/0/000",
        "tile/0/000\n",
    ],
)
def test_malformed_tile_paths_are_refused(path: str) -> None:
    # when / then
    with pytest.raises(TilePathError):
        tiles.parse_tile_path(path)


def test_tiles_for_size_match_the_spec_examples() -> None:
    # when
    at_70000 = tiles.tiles_for_size(70_000)
    at_256 = tiles.tiles_for_size(256)
    # then
    assert [t for t in at_70000 if t.level == 0 and not t.is_partial] == [tiles.Tile(0, n) for n in range(273)]
    assert [t for t in at_70000 if t.is_partial or t.level != 0] == [
        tiles.Tile(0, 273, 112),
        tiles.Tile(1, 0),
        tiles.Tile(1, 1, 17),
        tiles.Tile(2, 0, 1),
    ]
    assert at_256 == [tiles.Tile(0, 0), tiles.Tile(1, 0, 1)]
    assert tiles.tiles_for_size(0) == []
    assert tiles.tiles_for_size(257, entries=True) == [tiles.Tile(None, 0), tiles.Tile(None, 1, 1)]


def test_tiles_changed_lists_only_new_or_wider_tiles() -> None:
    # when
    changed = tiles.tiles_changed(300, 600)
    # then
    assert changed == [tiles.Tile(0, 1, 256), tiles.Tile(0, 2, 88), tiles.Tile(1, 0, 2)]
    assert tiles.tiles_changed(600, 600) == []


def test_tile_bytes_round_trip_and_refuse_bad_lengths() -> None:
    # given
    hashes = [hashlib.sha256(bytes([i])).digest() for i in range(5)]
    # when
    data = tiles.tile_bytes(hashes)
    # then
    assert tiles.parse_tile(data, 5) == hashes
    with pytest.raises(TileDataError):
        tiles.parse_tile(data, 4)
    with pytest.raises(TileDataError):
        tiles.parse_tile(data + b"\x00", 5)
    with pytest.raises(TileDataError):
        tiles.tile_bytes([])
    with pytest.raises(TileDataError):
        tiles.tile_bytes([b"short"])


def test_entry_bundles_round_trip() -> None:
    # given
    entries = [b"", b"a", b"\x00" * 300, b"x" * tiles.MAX_ENTRY_SIZE]
    # when
    bundle = tiles.encode_entry_bundle(entries)
    # then
    assert bundle[:5] == b"\x00\x00\x00\x01a"
    assert tiles.parse_entry_bundle(bundle) == entries
    assert tiles.parse_entry_bundle(bundle, width=4) == entries


@pytest.mark.parametrize(
    ("data", "width"),
    [(b"\x00", None), (b"\x00\x05abc", None), (b"\x00\x01a", 2), (b"", None)],
)
def test_malformed_entry_bundles_are_refused(data: bytes, width: int | None) -> None:
    # when / then
    with pytest.raises(EntryBundleError):
        tiles.parse_entry_bundle(data, width)


def test_an_entry_too_large_for_a_bundle_is_refused() -> None:
    # when / then
    with pytest.raises(EntryTooLargeError):
        tiles.encode_entry_bundle([b"x" * (tiles.MAX_ENTRY_SIZE + 1)])


LEAVES = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(70_000)]
STORE = hashstore.MemoryHashStore(LEAVES)


def _published(size: int) -> set[str]:
    """The tile paths a log publishes for a tree of `size` leaves."""
    return {t.path for t in tiles.tiles_for_size(size)}


@PROPERTY
@given(st.integers(min_value=1, max_value=70_000), st.data())
def test_proofs_from_tiles_equal_proofs_from_the_store(size: int, data: st.DataObject) -> None:
    # given
    published = _published(size)
    fetched: list[str] = []

    def fetch(tile: tiles.Tile) -> bytes:
        assert tile.path in published
        fetched.append(tile.path)
        return tiles.tile_bytes(STORE.read_hashes(tile.hash_positions()))

    reader = tiles.TileHashReader(size, fetch)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    # when
    root = hashstore.tree_root(size, reader)
    path = hashstore.inclusion_proof(index, size, reader)
    # then
    assert root == merkle.root_from_leaf_hashes(LEAVES[:size])
    assert path == hashstore.inclusion_proof(index, size, STORE)
    assert len(fetched) == len(set(fetched))  # each tile fetched once


def test_a_full_tile_hashes_into_the_level_above() -> None:
    # given
    level0 = STORE.read_hashes(tiles.Tile(0, 3).hash_positions())
    # when
    above = STORE.read_hashes(tiles.Tile(1, 0, 4).hash_positions())[3]
    # then
    assert tiles.tile_root(level0) == above

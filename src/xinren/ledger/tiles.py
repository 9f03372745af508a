"""C2SP tlog-tiles layout: tile paths, tile bytes, entry bundles, and a hash reader over tiles.

A tile at level L, index N holds up to 256 consecutive hashes of tree level 8·L (level 0: leaf hashes),
i.e. MTH(D[(N·256 + i)·256**L : (N·256 + i + 1)·256**L]) for i in 0..W-1. It is published at
`tile/<L>/<N>` when full (W = 256) and `tile/<L>/<N>.p/<W>` while partial. Entry bundles at
`tile/entries/<N>[.p/<W>]` hold the matching entries, each as a big-endian uint16 length then the bytes,
so one entry is at most 65,535 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .errors import EntryBundleError, EntryTooLargeError, MissingHashError, TileDataError, TilePathError
from .merkle import HASH_SIZE, Position, node_hash

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_TILE_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF


def encode_tile_index(index: int) -> str:
    """N as 3-digit path elements, all but the last prefixed with `x`: 1234067 → x001/x234/067."""
    if not isinstance(index, int) or index < 0:
        raise TilePathError(f"tile index must be a non-negative integer, got {index!r}")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def decode_tile_index(text: str) -> int:
    """Inverse of `encode_tile_index`, refusing any other spelling of the same number."""
    elements = text.split("/")
    if not all(re.fullmatch(r"x\d{3}", e) for e in elements[:-1]) or not re.fullmatch(r"\d{3}", elements[-1]):
        raise TilePathError(f"{text!r} is not a tile index (3-digit elements, all but the last prefixed with x)")
    if len(elements) > 1 and elements[0] == "x000":
        raise TilePathError(f"{text!r} has a leading zero element")
    value = 0
    for element in elements:
        value = value * 1000 + int(element.lstrip("x"))
    return value


@dataclass(frozen=True)
class Tile:
    """A tile of hashes (level ≥ 0) or an entry bundle (level None), `width` items wide (1..256)."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level <= MAX_TILE_LEVEL:
            raise TilePathError(f"tile level must be 0..{MAX_TILE_LEVEL}, got {self.level}")
        if self.index < 0:
            raise TilePathError(f"tile index must be non-negative, got {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TilePathError(f"tile width must be 1..{TILE_WIDTH}, got {self.width}")

    @property
    def is_entries(self) -> bool:
        return self.level is None

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        head = "tile/entries" if self.level is None else f"tile/{self.level}"
        tail = f".p/{self.width}" if self.is_partial else ""
        return f"{head}/{encode_tile_index(self.index)}{tail}"

    def hash_positions(self) -> list[Position]:
        """The (level, index) subtrees whose hashes this tile holds, in order (level 0 for bundles)."""
        level = 0 if self.level is None else self.level * TILE_HEIGHT
        start = self.index * TILE_WIDTH
        return [(level, start + i) for i in range(self.width)]


_TILE_PATH = re.compile(r"tile/(entries|0|[1-9]\d?)/((?:x\d{3}/)*\d{3})(?:\.p/([1-9]\d*))?")


def parse_tile_path(path: str) -> Tile:
    """Parse `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` strictly."""
    match = _TILE_PATH.fullmatch(path)
    if not match:
        raise TilePathError(f"{path!r} is not a tile path")
    level_text, index_text, width_text = match.groups()
    width = int(width_text) if width_text else TILE_WIDTH
    if width_text and width >= TILE_WIDTH:
        raise TilePathError(f"{path!r}: a partial tile is 1..{TILE_WIDTH - 1} wide")
    level = None if level_text == "entries" else int(level_text)
    return Tile(level=level, index=decode_tile_index(index_text), width=width)


def tiles_for_size(size: int, *, entries: bool = False) -> list[Tile]:
    """Every tile (or entry bundle) a tree of `size` leaves publishes, partial ones last per level."""
    return tiles_changed(0, size, entries=entries)


def tiles_changed(old_size: int, new_size: int, *, entries: bool = False) -> list[Tile]:
    """The tiles to write when the tree grows from `old_size` to `new_size` (new or wider ones)."""
    if not 0 <= old_size <= new_size:
        raise TilePathError(f"a tree grows, it does not go from {old_size} to {new_size}")
    tiles: list[Tile] = []
    levels: Sequence[int | None] = [None] if entries else range(MAX_TILE_LEVEL + 1)
    for level in levels:
        shift = TILE_HEIGHT * (level or 0)
        old_count, new_count = old_size >> shift, new_size >> shift
        if new_count == 0:
            break
        for n in range(old_count // TILE_WIDTH, (new_count - 1) // TILE_WIDTH + 1):
            width = min(TILE_WIDTH, new_count - n * TILE_WIDTH)
            if width != max(0, min(TILE_WIDTH, old_count - n * TILE_WIDTH)):
                tiles.append(Tile(level=level, index=n, width=width))
    return tiles


def tile_bytes(hashes: Sequence[bytes]) -> bytes:
    """Concatenate 1..256 hashes into a tile."""
    if not 1 <= len(hashes) <= TILE_WIDTH:
        raise TileDataError(f"a tile holds 1..{TILE_WIDTH} hashes, got {len(hashes)}")
    if any(len(h) != HASH_SIZE for h in hashes):
        raise TileDataError(f"every tile hash is {HASH_SIZE} bytes")
    return b"".join(hashes)


def parse_tile(data: bytes, width: int = TILE_WIDTH) -> list[bytes]:
    """Split a tile of `width` hashes, refusing any other length."""
    if len(data) != width * HASH_SIZE:
        raise TileDataError(f"a tile {width} wide is {width * HASH_SIZE} bytes, got {len(data)}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Entries as big-endian uint16 length + bytes, one after another."""
    parts: list[bytes] = []
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise EntryTooLargeError(f"entry {i} is {len(entry)} bytes; an entry bundle holds at most "
                                     f"{MAX_ENTRY_SIZE}")
        parts.append(len(entry).to_bytes(2, "big") + entry)
    if not 1 <= len(parts) <= TILE_WIDTH:
        raise EntryBundleError(f"an entry bundle holds 1..{TILE_WIDTH} entries, got {len(parts)}")
    return b"".join(parts)


def parse_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Split an entry bundle; with `width`, also require exactly that many entries."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise EntryBundleError(f"entry bundle ends inside the length of entry {len(entries)}")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise EntryBundleError(f"entry {len(entries)} claims {length} bytes but the bundle ends first")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    if width is not None and len(entries) != width:
        raise EntryBundleError(f"entry bundle should hold {width} entries, holds {len(entries)}")
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise EntryBundleError(f"an entry bundle holds 1..{TILE_WIDTH} entries, got {len(entries)}")
    return entries


def _perfect_root(hashes: Sequence[bytes]) -> bytes:
    """MTH of a power-of-two count of hashes."""
    layer = list(hashes)
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


class TileHashReader:
    """A `HashReader` over the published tiles of a tree of `size` leaves, as a third party has them.

    `fetch(tile)` returns the tile's bytes (from disk, HTTP, a cache); each tile is fetched once. Hashes
    at levels between multiples of 8 are rebuilt by hashing the tile's hashes, as tlog-tiles prescribes.
    """

    def __init__(self, size: int, fetch: Callable[[Tile], bytes]) -> None:
        self.size = size
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], list[bytes]] = {}

    def _tile_hashes(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key not in self._tiles:
            available = (self.size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH
            if available <= 0:
                raise MissingHashError(f"tile {level}/{index} does not exist in a tree of size {self.size}")
            tile = Tile(level=level, index=index, width=min(TILE_WIDTH, available))
            self._tiles[key] = parse_tile(self._fetch(tile), tile.width)
        return self._tiles[key]

    def read_hash(self, level: int, index: int) -> bytes:
        if ((index + 1) << level) > self.size:
            raise MissingHashError(f"subtree ({level}, {index}) is not complete in a tree of size {self.size}")
        tile_level, rest = divmod(level, TILE_HEIGHT)
        first = index << rest  # the subtree's first hash at tree level 8·tile_level
        hashes = self._tile_hashes(tile_level, first // TILE_WIDTH)
        start = first % TILE_WIDTH
        return _perfect_root(hashes[start : start + (1 << rest)])

    def read_hashes(self, positions: Sequence[Position]) -> list[bytes]:
        return [self.read_hash(level, index) for level, index in positions]


def tile_root(hashes: Sequence[bytes]) -> bytes:
    """MTH of a full tile's hashes: the hash that the tile contributes to the level above."""
    if len(hashes) != TILE_WIDTH:
        raise TileDataError("only a full tile is hashed into the level above")
    return _perfect_root(hashes)

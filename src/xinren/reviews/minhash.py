"""MinHash over character 3-shingles, for near-duplicate review text (Chinese has no spaces between words).

Pure Python with fixed coefficients, so signatures stored in the database stay comparable across processes and
releases: changing NUM_HASHES, SHINGLE_SIZE or the seed invalidates every stored signature.

LSH bands (`band_hashes`): the signature cut into BANDS bands of ROWS values, each hashed to 63 bits and stored
in `ReviewBand`, so that candidate near-duplicates are found by an index lookup instead of a scan. Changing BANDS,
ROWS or the band hash invalidates every stored band row (ADR 0011).
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence

NUM_HASHES = 128
SHINGLE_SIZE = 3
# Texts shorter than this (after normalising) are not compared: "很好，很满意" is legitimately common.
MIN_CHARS = 12
_PRIME = (1 << 61) - 1
_MAX = (1 << 32) - 1
_rng = random.Random(20261122)
_COEFFICIENTS = [(_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_HASHES)]
_IGNORED = re.compile(r"[\W_]+", re.UNICODE)
# 16 bands of 8: a pair at similarity 0.8 shares a band with probability 1 − (1 − 0.8⁸)¹⁶ ≈ 0.95, at 0.9 ≈ 0.9999,
# at 0.5 ≈ 0.06 (ADR 0011).
BANDS = 16
ROWS = 8


def text_normalize(text: str) -> str:
    """Width-folded, lower-cased text without whitespace or punctuation, so trivial edits do not hide a copy."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    normalized = text_normalize(text)
    if len(normalized) <= size:
        return {normalized} if normalized else set()
    return {normalized[i : i + size] for i in range(len(normalized) - size + 1)}


def _base_hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")


def signature(text: str) -> list[int]:
    """The MinHash signature of a text (NUM_HASHES values), or [] when it is too short to compare."""
    if len(text_normalize(text)) < MIN_CHARS:
        return []
    bases = [_base_hash(shingle) for shingle in shingles(text)]
    return [min(((a * x + b) % _PRIME) & _MAX for x in bases) for a, b in _COEFFICIENTS]


def similarity(left: Sequence[int], right: Sequence[int]) -> float:
    """The Jaccard similarity estimate of two signatures: the share of equal positions (0.0 if either is empty)."""
    if not left or not right or len(left) != len(right):
        return 0.0
    return sum(1 for a, b in zip(left, right, strict=True) if a == b) / len(left)


def band_hashes(signature: Sequence[int]) -> list[tuple[int, int]]:
    """(band number, 63-bit hash of the band's ROWS values) for each of the BANDS bands of a full signature, or []
    for an empty one. 63 bits so that the value fits a signed 64-bit column."""
    if len(signature) != BANDS * ROWS:
        return []
    out = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(",".join(map(str, chunk)).encode(), digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big") >> 1))
    return out

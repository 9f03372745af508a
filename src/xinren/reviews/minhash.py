"""MinHash over character 3-shingles, for near-duplicate review text (Chinese has no spaces between words).

Pure Python with fixed coefficients, so signatures stored in the database stay comparable across processes and
releases: changing NUM_HASHES, SHINGLE_SIZE or the seed invalidates every stored signature.
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

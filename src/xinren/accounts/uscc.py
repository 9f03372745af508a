"""China's Unified Social Credit Code (统一社会信用代码), GB 32100-2015."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """True when `code` has 18 characters from the alphabet, a numeric region code and a right checksum."""
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    if not code[2:8].isdigit():
        return False
    return uscc_check_char(code[:17]) == code[17]

"""Strict standard base64 (RFC 4648 §4), as every C2SP format uses it."""

from __future__ import annotations

import base64
import binascii

from .errors import FormatError

_STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64encode(data: bytes) -> str:
    """Standard, padded base64 text."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, *, what: str, error: type[FormatError] = FormatError) -> bytes:
    """Decode canonical padded standard base64, raising `error` naming `what` otherwise.

    Canonical means re-encoding gives the same text, so one byte string has exactly one encoding
    (no stray bits, no missing padding, no whitespace) and signed text cannot be altered unnoticed.
    """
    padding = len(text) - len(text.rstrip("=")) if isinstance(text, str) else 0
    if not isinstance(text, str) or len(text) % 4 or padding > 2:
        raise error(f"{what} is not padded standard base64")
    try:
        # strict_mode refuses anything outside the alphabet, misplaced padding and data after it.
        data = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not valid base64: {exc}") from None
    # Canonical: the bits that padding leaves over in the last character are zero (what re-encoding
    # would check, without encoding a 64 KiB envelope again).
    if padding and _STD_ALPHABET.index(text[-1 - padding]) & (0b1111 if padding == 2 else 0b11):
        raise error(f"{what} is not canonical base64")
    return data

"""Strict standard base64 (RFC 4648 §4), as every C2SP format uses it."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import FormatError

_STD_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64encode(data: bytes) -> str:
    """Standard, padded base64 text."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, *, what: str, error: type[FormatError] = FormatError) -> bytes:
    """Decode canonical padded standard base64, raising `error` naming `what` otherwise.

    Canonical means re-encoding gives the same text, so one byte string has exactly one encoding
    (no stray bits, no missing padding, no whitespace) and signed text cannot be altered unnoticed.
    """
    if not isinstance(text, str) or not _STD_B64.fullmatch(text) or len(text) % 4:
        raise error(f"{what} is not padded standard base64")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not valid base64: {exc}") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise error(f"{what} is not canonical base64")
    return data

"""Strict, canonical standard base64: one byte string has exactly one accepted text."""

from __future__ import annotations

import base64

import pytest

from xinren.ledger.b64 import b64decode, b64encode
from xinren.ledger.errors import FormatError


@pytest.mark.parametrize("data", [b"", b"a", b"ab", b"abc", bytes(range(256)), b"\xff" * 64])
def test_every_encoding_decodes_back(data: bytes) -> None:
    assert b64decode(b64encode(data), what="x") == data


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("QQ", "padded"),  # missing padding
        ("QR==", "canonical"),  # stray low bits before "=="
        ("QUI=", None),  # canonical: accepted (control)
        ("QUJ=", "canonical"),  # stray low bits before "="
        ("QUJD\n", "padded"),
        ("QU J", "valid"),
        ("QUJA====", "padded"),  # excess padding after a full quantum
        ("QUI=====", "padded"),
        ("QQ==QUJD", "valid"),  # data after padding
        ("=QUJ", "valid"),
        ("QU-_", "valid"),  # URL-safe alphabet is not standard base64
        ("QUJé", "valid"),
    ],
)
def test_non_canonical_or_malformed_text_is_refused(text: str, reason: str | None) -> None:
    if reason is None:
        assert b64decode(text, what="x") == base64.b64decode(text)
        return
    with pytest.raises(FormatError) as refused:
        b64decode(text, what="signature")
    assert str(refused.value).startswith("signature is not")
    assert reason in str(refused.value)


def test_a_non_string_is_refused() -> None:
    with pytest.raises(FormatError):
        b64decode(b"QUJD", what="x")  # type: ignore[arg-type]

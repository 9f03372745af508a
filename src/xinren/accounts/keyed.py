"""Keyed hashes of personal identifiers that only ever need matching (docs/governance.md).

An ID-card number, a phone or a bank account on a blacklist or an application is stored as HMAC-SHA256 under
a key from the environment (`XINREN_IDENTITY_HASH_KEY`), never in the clear. Without the key a hash cannot be
checked against a guessed number (an ID number has few enough possibilities to be guessed from a plain hash).
The value is normalised first, so "+86 138-0000-0001" and "13800000001" match.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_KINDS = frozenset({"uscc", "id_number", "phone", "bank_account", "device"})


def normalise(kind: str, value: str) -> str:
    """The canonical form of an identifier: no spaces or dashes, upper case; phones without +86."""
    if kind not in _KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}")
    text = re.sub(r"[\s\-]", "", value).upper()
    if kind == "phone":
        text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    return text


def identity_key() -> bytes:
    key = getattr(settings, "XINREN_IDENTITY_HASH_KEY", "") or ""
    return (key or f"identity:{settings.SECRET_KEY}").encode()


def keyed_hash(kind: str, value: str) -> str:
    """64 hex characters; equal for equal identifiers of one kind, unrelated across kinds and keys."""
    message = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(identity_key(), message, hashlib.sha256).hexdigest()

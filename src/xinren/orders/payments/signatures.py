"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>", checked in constant time within a replay window.

The header reads `t=<unix seconds>,v1=<hex digest>[,v1=<hex digest>…]`. Several `v1` values let a sender sign with
an old and a new secret while the secret is rotated; the receiver accepts any secret it knows.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from django.conf import settings

from xinren.orders import errors

from .provider import WebhookVerificationError

SIGNATURE_HEADER = "Xinren-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
# Development only; production refuses to start without XINREN_PAYMENT_WEBHOOK_SECRET (see docs/payments.md).
DEV_WEBHOOK_SECRET = "whsec_dev_only_insecure"


def webhook_secrets() -> list[str]:
    """The configured secrets, newest first (comma-separated in the setting during a rotation)."""
    raw = getattr(settings, "XINREN_PAYMENT_WEBHOOK_SECRET", "") or DEV_WEBHOOK_SECRET
    return [secret.strip() for secret in raw.split(",") if secret.strip()]


def webhook_tolerance() -> int:
    return int(getattr(settings, "XINREN_PAYMENT_WEBHOOK_TOLERANCE", DEFAULT_TOLERANCE_SECONDS))


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_sign(*, body: bytes, timestamp: int, secrets: Sequence[str]) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    return ",".join([f"t={timestamp}", *(f"v1={_digest(secret, timestamp, body)}" for secret in secrets)])


def header_get(headers: Mapping[str, str], name: str) -> str:
    """A header by case-insensitive name (Django's request.headers is, a plain dict is not)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def webhook_signature_verify(
    *, body: bytes, header: str, secrets: Sequence[str], now: int, tolerance: int
) -> int:
    """Return the signed timestamp, or raise when no signature matches or the timestamp is outside the window."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookVerificationError(errors.WEBHOOK_SIGNATURE)
    expected = [_digest(secret, timestamp, body) for secret in secrets]
    # Compare every pair so that the time taken does not depend on which one matched.
    matched = False
    for candidate in candidates:
        for digest in expected:
            matched |= hmac.compare_digest(candidate.encode(), digest.encode())
    if not matched:
        raise WebhookVerificationError(errors.WEBHOOK_SIGNATURE)
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError(errors.WEBHOOK_REPLAYED)
    return timestamp

"""What "device" means for the blacklist (docs/governance.md): the browser's id in the signed device cookie the
sign-in sets (`accounts.signin.DEVICE_COOKIE`, ADR 0016), else the session's key. A forged or expired cookie
counts as none. The id is never stored: the blacklist keeps its keyed hash only."""

from __future__ import annotations

from django.http import HttpRequest

from xinren.accounts.signin import DEVICE_COOKIE, device_cookie_read


def device_of(request: HttpRequest) -> str:
    """The device id to screen for this request ("" when the browser has neither cookie nor session)."""
    known = device_cookie_read(request.COOKIES.get(DEVICE_COOKIE, ""))
    if known is not None:
        return f"cookie:{known[0]}"
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    return f"session:{session_key}" if session_key else ""

"""Who is asking: the client's address as the platform's own web server saw it.

In production gunicorn listens on a unix socket behind nginx (docs/operations.md), so `REMOTE_ADDR` is empty
for every request; nginx appends the address it saw to `X-Forwarded-For` (`$proxy_add_x_forwarded_for`). The
client is therefore the rightmost hop that is not one of our own proxies. Hops further left were written by
the client or by proxies we do not run, so they are never believed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# A unix-socket peer has no address; nginx on the same host connects from loopback.
DEFAULT_TRUSTED_PROXIES = ("", "127.0.0.1", "::1")


def trusted_proxies() -> frozenset[str]:
    """Our own proxies' addresses: settings.XINREN_TRUSTED_PROXIES (env `XINREN_TRUSTED_PROXIES`, comma-separated)."""
    return frozenset(getattr(settings, "XINREN_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES))


def client_address(request: HttpRequest) -> str:
    """The client's address, for rate limits and scan pseudonyms ("" only when nothing says)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = trusted_proxies()
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed(hops):
        if hop and hop not in trusted:
            return hop
    return remote

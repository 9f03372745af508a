"""Where the platform is served, and which origin names its codes (ADR 0019, docs/adr/0019-accounts-public-origin.md).

Two settings, two jobs:

- `XINREN_PUBLIC_ORIGIN` — the origin this deployment actually serves ("http://127.0.0.1:8123" under
  `make run PORT=8123`, "https://xinren.example" in production). Every URL the platform hands to a person or a
  client to open uses it: QR codes on label sheets, links in JSON answers, links in texts and e-mails, the URLs
  `demo_urls` prints. Defaults to the resolver.
- `XINREN_RESOLVER` — the canonical identity of the GS1 Digital Link resolver. It names subjects in signed
  statements and log entries, which are kept forever, so it must not change with the port a developer picks;
  `statement_subject_origin()` is what statement code uses.

In production both are the same origin; in development they differ only in the port.
"""

from __future__ import annotations

from django.conf import settings


def public_origin() -> str:
    """The origin URLs for people and clients use (scheme://host[:port], no trailing slash)."""
    origin = getattr(settings, "XINREN_PUBLIC_ORIGIN", "") or settings.XINREN_RESOLVER
    return str(origin).rstrip("/")


def public_url(path: str) -> str:
    """An absolute URL for a path of this platform ("/shop/" -> "http://127.0.0.1:8123/shop/")."""
    return public_origin() + (path if path.startswith("/") else f"/{path}")


def statement_subject_origin() -> str:
    """The resolver identity that names subjects in signed statements (never the development port)."""
    return str(settings.XINREN_RESOLVER).rstrip("/")

"""The Content-Security-Policy of every page, and the middleware that sends it (docs/operations.md).

Scripts and styles come from our own origin, or are inline blocks the policy names: the consumer pages' few inline
blocks (their style sheet and two small scripts, web/public/pages.py) by SHA-256, so a published file served by
nginx carries the same policy in a `<meta>` element; any other inline block on a page Django renders by the request's
nonce (`request.csp_nonce`, `nonce="{{ request.csp_nonce }}"` in a template). Style attributes stay allowed
(`style-src-attr`): the pages draw bar widths and colours with them, and an attribute cannot run script. Injected
markup therefore cannot run: it has neither the nonce nor a listed hash.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from xinren.web.public.pages import inline_css, inline_scripts

HEADER = "Content-Security-Policy"


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def _inline_hashes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The hash sources of the consumer pages' inline scripts and of their inline style sheet."""
    scripts = tuple(_sha256_source(text) for text in inline_scripts().values())
    return scripts, (_sha256_source(inline_css()),)


def policy(*, nonce: str = "", frame_ancestors: bool = True) -> str:
    """The policy, with the request's nonce when there is one; `frame_ancestors` is left out of a `<meta>` policy."""
    scripts, styles = _inline_hashes()
    nonce_source = (f"'nonce-{nonce}'",) if nonce else ()
    media = " ".join(["'self'", *getattr(settings, "XINREN_CSP_MEDIA_SOURCES", [])])
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *nonce_source, *scripts]),
        " ".join(["style-src 'self'", *nonce_source, *styles]),
        "style-src-attr 'unsafe-inline'",
        f"img-src {media} data:",
        f"media-src {media}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
    if frame_ancestors:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def page_policy() -> str:
    """The policy a consumer page carries in its `<meta>` element (published files have no response header)."""
    return policy(frame_ancestors=False)


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce and each response without a policy of its own this one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy(nonce=nonce)
        return response

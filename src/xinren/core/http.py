"""What arrives over HTTP: who is asking, and the bounds every request's text and JSON must keep.

Who is asking: the client's address as the platform's own web server saw it.

In production gunicorn listens on a unix socket behind nginx (docs/operations.md), so `REMOTE_ADDR` is empty
for every request; nginx appends the address it saw to `X-Forwarded-For` (`$proxy_add_x_forwarded_for`). The
client is therefore the rightmost hop that is not one of our own proxies. Hops further left were written by
the client or by proxies we do not run, so they are never believed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

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


# -- Bounds on what a request may hold ---------------------------------------------------------------------------
# Deeper JSON than this is refused before it is parsed: no document the platform accepts nests past a dozen levels
# (an EPCIS event with sensor reports is 6), and Python's parser, validators and serialisers recurse per level, so a
# few thousand brackets would otherwise end in a RecursionError (a 500) somewhere after parsing.
MAX_JSON_DEPTH = 64
NUL_REFUSED = "request.nul_character"
JSON_TOO_DEEP = "request.too_deep"

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes | str) -> int:
    """How deeply the JSON text nests arrays and objects, found without parsing it (brackets inside strings skipped).

    An upper bound for text that is not JSON at all, which the parser refuses afterwards.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    # Escaped backslashes, then escaped quotes, become blanks; what lies between quotes is then every string.
    unescaped = data.replace(b"\\\\", b"  ").replace(b'\\"', b"  ")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(None, delete=_NOT_BRACKETS)
    return max(0, max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0))


def json_depth_check(raw: bytes | str, *, field: str = "body", limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` with a clear 422, before anything parses it."""
    depth = json_depth(raw)
    if depth > limit:
        raise InvalidInput(
            JSON_TOO_DEEP, _("JSON 嵌套过深（最多 %(limit)d 层）") % {"limit": limit},
            details={"field": field, "limit": limit, "depth": depth},
        )  # fmt: skip


def json_loads_bounded(raw: bytes | str, *, field: str = "body", limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` after `json_depth_check`; ValueError (JSONDecodeError, UnicodeDecodeError) as json.loads raises."""
    json_depth_check(raw, field=field, limit=limit)
    return json.loads(raw)


def nul_location(value: Any, *, where: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where the first NUL character (U+0000) sits in a string, or a nested list/dict of them; None when nowhere.

    PostgreSQL's text columns cannot hold U+0000 (psycopg refuses it, a 500), SQLite would keep it and truncate it
    in some tools, and no legitimate text has one: every path that takes text from outside refuses it.
    """
    stack: list[tuple[tuple[str | int, ...], Any]] = [(where, value)]
    while stack:
        location, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return location
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and "\x00" in key:
                    return location
                stack.append(((*location, str(key)), child))
        elif isinstance(item, (list, tuple)):
            stack.extend(((*location, index), child) for index, child in enumerate(item))
    return None


def nul_refusal(location: Sequence[str | int]) -> InvalidInput:
    return InvalidInput(
        NUL_REFUSED, _("文本中不能含有空字符（NUL，U+0000）"), details={"loc": list(location)},
    )


def nul_check(value: Any, *, where: tuple[str | int, ...] = ()) -> None:
    """Refuse text holding a NUL character, naming where it is (the shared validator of every entry path)."""
    location = nul_location(value, where=where)
    if location is not None:
        raise nul_refusal(location)


def querydict_nul_location(data: QueryDict | MultiValueDict[str, Any], *, where: str) -> tuple[str | int, ...] | None:
    """`nul_location` over every value of a query string or form (uploaded files are not text and are skipped)."""
    for key, values in data.lists():
        if "\x00" in key:
            return (where, key)
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                return (where, key)
    return None


class NulRefusalMiddleware:
    """Refuse a NUL character in the path, the query string or a url-encoded form, for pages and API alike (400).

    JSON bodies and multipart forms are checked where the API parses them (api.api.BoundedParser), multipart page
    forms by Django's CharField; this covers the rest, whatever a view does with it, before any database sees it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        location = self._nul_location(request)
        if location is None:
            return self.get_response(request)
        refusal = nul_refusal(location)
        if request.path.startswith("/api/"):
            return JsonResponse(refusal.as_dict(), status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(str(refusal.message), content_type="text/plain; charset=utf-8")

    @staticmethod
    def _nul_location(request: HttpRequest) -> tuple[str | int, ...] | None:
        if "\x00" in request.path:
            return ("path",)
        location = querydict_nul_location(request.GET, where="query")
        # Only url-encoded forms are read here: Django parses those from the buffered body, which views may still
        # read. A multipart body is streamed once, so it is left to the view: its form fields (Django's CharField) and
        # the API's form parser (api.BoundedParser) refuse NUL themselves.
        if location is not None or request.method != "POST":
            return location
        if request.content_type != "application/x-www-form-urlencoded":
            return None
        try:
            return querydict_nul_location(request.POST, where="form")
        except (RequestDataTooBig, TooManyFieldsSent):
            return None  # the view reads the form again and answers for it, in its own shape (400 or 413)

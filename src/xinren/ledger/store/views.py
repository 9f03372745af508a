"""/log/: the platform log over HTTP, in the C2SP tlog-tiles layout, plus JSON proofs and bundles.

Full tiles and full entry bundles never change, so they are cached for a year; the checkpoint and
partial tiles change with every integration, so they are cached for seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from xinren.core.errors import DomainError
from xinren.ledger.b64 import b64encode
from xinren.ledger.errors import TilePathError
from xinren.ledger.tiles import parse_tile_path

from . import cosignatures, errors, selectors

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
TEXT = "text/plain; charset=utf-8"

View = Callable[..., HttpResponse]


def _json(data: dict[str, Any], *, status: int = 200, cache: str = SHORT) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = cache
    return response


def _domain_errors(view: View) -> View:
    """Refusals leave as `{code, message, details}`, the shape of the rest of the API."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return _json(exc.as_dict(), status=exc.status, cache="no-store")

    return wrapper


def _int_param(request: HttpRequest, name: str, *, required: bool) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        if required:
            raise errors.query_invalid(name)
        return None
    if not raw.isdigit() or (len(raw) > 1 and raw[0] == "0") or len(raw) > 20:
        raise errors.query_invalid(name)
    return int(raw)


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(selectors.checkpoint_text(selectors.checkpoint_latest()), content_type=TEXT)
    response["Cache-Control"] = SHORT
    return response


@require_GET
def witnesses(request: HttpRequest) -> HttpResponse:
    """The configured witnesses and the size of the latest checkpoint each verifiably cosigned (pages tick them)."""
    return _json({"witnesses": [{"name": m.name, "label": m.label, "size": m.size}
                                for m in cosignatures.witness_marks()]})


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(selectors.log_vkey() + "\n", content_type=TEXT)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@_domain_errors
def tile(request: HttpRequest, path: str) -> HttpResponse:
    try:
        parsed = parse_tile_path("tile/" + path)
    except TilePathError:
        raise errors.query_invalid("tile") from None
    response = HttpResponse(selectors.tile_data(parsed), content_type="application/octet-stream")
    response["Cache-Control"] = SHORT if parsed.is_partial else IMMUTABLE
    return response


@require_GET
@_domain_errors
def inclusion_proof(request: HttpRequest) -> HttpResponse:
    leaf_text = request.GET.get("leaf_hash")
    proof = selectors.inclusion_proof_get(
        index=_int_param(request, "index", required=leaf_text is None),
        leaf_hash=selectors.leaf_hash_parse(leaf_text) if leaf_text else None,
        size=_int_param(request, "size", required=False),
    )
    return _json({
        "index": proof.index,
        "size": proof.size,
        "leaf_hash": proof.leaf_hash.hex(),
        "inclusion_path": [b64encode(h) for h in proof.path],
        "checkpoint": proof.checkpoint,
    }, cache=IMMUTABLE if "size" in request.GET else SHORT)


@require_GET
@_domain_errors
def consistency_proof(request: HttpRequest) -> HttpResponse:
    first, second, path = selectors.consistency_proof_get(
        first=_int_param(request, "first", required=True) or 0,
        second=_int_param(request, "second", required=False),
    )
    return _json({"first": first, "second": second, "consistency_path": [b64encode(h) for h in path]},
                 cache=IMMUTABLE if "second" in request.GET else SHORT)


@require_GET
@_domain_errors
def bundle(request: HttpRequest, index: int) -> HttpResponse:
    proof = selectors.bundle_get(index)
    as_json = request.GET.get("format") == "json"
    body = proof.to_json() if as_json else proof.to_text()
    response = HttpResponse(body, content_type="application/json" if as_json else TEXT)
    suffix = "json" if as_json else "tlog-proof"
    response["Content-Disposition"] = f'attachment; filename="xinren-log-{index}.{suffix}"'
    response["Cache-Control"] = SHORT
    return response


@require_GET
@_domain_errors
def entry(request: HttpRequest, leaf_hash: str) -> HttpResponse:
    """Where an entry stands: pending, or sequenced at an index (what a page shows as its mark)."""
    status = selectors.entry_status(selectors.leaf_hash_parse(leaf_hash))
    return _json(status.as_dict())


@csrf_exempt  # a witness posts signed text, not a browser form: the cosignature itself is the authentication
@require_POST
@_domain_errors
def cosignature(request: HttpRequest) -> HttpResponse:
    """A witness posts the checkpoint with its cosignature line (docs/ledger.md, Witnesses)."""
    receipt = cosignatures.cosignature_receive(body=request.read(cosignatures.MAX_BODY + 1))
    return _json(receipt.as_dict(), cache="no-store")

"""Embeddable SVG badges (docs/badges.md): another site shows them; each links back to its evidence."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from xinren.trust import badges_svg

from . import reads

# No script, no fetch: the badge draws with its own markup and inline attributes only.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def svg_response(request: HttpRequest, body: str) -> HttpResponse:
    etag = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
    status = 304 if etag in request.headers.get("If-None-Match", "") else 200
    response = HttpResponse(b"" if status == 304 else body.encode("utf-8"),
                            content_type="image/svg+xml; charset=utf-8", status=status)  # fmt: skip
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SVG_POLICY
    return response


def not_found(what: str) -> HttpResponse:
    response = HttpResponseNotFound(what, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@xframe_options_exempt
def score_badge(request: HttpRequest, gtin: str) -> HttpResponse:
    found = reads.score_badge_read(gtin)
    if found is None:
        return not_found(_("找不到该商品"))
    svg = badges_svg.score_badge(score=found.score, version=found.version, state=found.state,
                                 href=reads.public_url(f"/01/{gtin}"))  # fmt: skip
    return svg_response(request, svg)


@require_safe
@xframe_options_exempt
def xinrengou_badge(request: HttpRequest, slug: str) -> HttpResponse:
    membership = reads.xinrengou_membership(slug)
    if membership is None:
        return not_found(_("该商家不是信任购成员"))
    programme = membership.programme
    svg = badges_svg.xinrengou_badge(merchant=membership.merchant.name, label=programme.badge_label,
                                     colour=programme.badge_colour, href=reads.guarantee_url(programme))  # fmt: skip
    return svg_response(request, svg)


@require_safe
@xframe_options_exempt
def programme_badge(request: HttpRequest, code: str) -> HttpResponse:
    programme = reads.programme_read(code)
    if programme is None:
        return not_found(_("找不到该地区标签计划"))
    if not badges_svg.artwork_matches(programme.badge_svg, reads.programme_signed_sha256(programme)):
        return not_found(_("徽章与联盟签名的哈希不符，不予显示"))
    svg = badges_svg.programme_badge(artwork=programme.badge_svg, name=programme.name,
                                     href=reads.public_url(f"/log/entry/{programme.ledger_leaf_hash}"))  # fmt: skip
    return svg_response(request, svg)

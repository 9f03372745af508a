"""The consumer pages: the GS1 Digital Link path itself is the scan page (docs/adr/0002).

In production nginx answers most scans from published files and comes here only on a miss; in
development (no web server in front) every scan comes here and is counted in-process.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xinren.aftersales.programmes import selectors as programme_selectors
from xinren.aftersales.programmes.rules import eligibility_words
from xinren.catalog.gs1 import DigitalLink, digital_link_parse
from xinren.catalog.selectors import draft_registered_for_link
from xinren.core.errors import InvalidInput, NotFound
from xinren.lab import selectors as lab_selectors
from xinren.trace import scans
from xinren.trace.story import story_json

from .evidence_sections import lab_report_page_for
from .json_api import CODE_MALFORMED, CODE_NOT_PUBLISHED, CODE_NOT_REGISTERED
from .lookup import lookup_candidates, story_exists
from .pages import (
    home_html,
    lab_report_html,
    not_registered_html,
    part_page_html,
    programme_html,
    story_page_html,
    wants_json,
)
from .proof_bundles import item_bundle_for_story
from .sections import public_story_for_link

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOOKUP_MAX = 500  # characters of a typed code looked at


@require_safe
def scan(request: HttpRequest) -> HttpResponse:
    """A product, batch or item page (HTML, or JSON when Accept asks for it)."""
    language = _switch_language(request)
    raw = _raw_path(request)
    try:
        link = digital_link_parse(raw)
    except InvalidInput:
        return _remember_language(_not_registered(request, code=raw, malformed=True), language)
    story = public_story_for_link(link=link)
    if story is None:
        return _remember_language(_not_registered(request, code=link.path, malformed=False, link=link), language)
    if raw != story["link"]["path"]:
        # GTIN-13 (or 12/8) in the path, a serial without its lot, a trailing slash: one canonical address.
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(story["link"]["path"] + (f"?{query}" if query else ""))
    notice = scans.scan_record_request(request=request, story=story)
    if wants_json(request.headers.get("Accept", "")):
        response = HttpResponse(story_json(story), content_type="application/json")
    else:
        response = HttpResponse(story_page_html(story=story, scan=notice))
    patch_vary_headers(response, ["Accept"])
    response["Cache-Control"] = "no-cache"
    return _remember_language(response, language)


@require_safe
def story_part(request: HttpRequest, code: str, part: str) -> HttpResponse:
    """One on-demand section of a product's or lot's page, on a page of its own (pages.ON_DEMAND)."""
    raw = _raw_path(request)
    try:
        link = digital_link_parse(raw[: raw.rstrip("/").rindex("/")])
    except InvalidInput:
        return scan(request)  # not a code followed by a section: e.g. the page of a lot named "album"
    language = _switch_language(request)
    story = public_story_for_link(link=link) if link.serial is None else None
    html = part_page_html(story=story, name=part) if story is not None else None
    if story is None or html is None:
        return _remember_language(_not_registered(request, code=raw, malformed=False, link=link), language)
    if raw != f"{story['link']['path']}/{part}":
        return HttpResponsePermanentRedirect(f"{story['link']['path']}/{part}")
    response = HttpResponse(html)
    response["Cache-Control"] = "no-cache"
    return _remember_language(response, language)


@require_safe
def proof_bundle(request: HttpRequest, gtin: str, serial: str) -> HttpResponse:
    """An item's proof bundle: every signed record its page shows, with proofs and keys (docs/ledger.md)."""
    try:
        link = digital_link_parse(f"/01/{gtin}/21/{escape_uri_path(serial)}")
    except InvalidInput:
        return _not_registered(request, code=request.path, malformed=True, json=True)
    story = public_story_for_link(link=link)
    if story is None or story["item"] is None:
        return _not_registered(request, code=request.path, malformed=False, json=True, link=link)
    response = HttpResponse(item_bundle_for_story(story).to_json(), content_type="application/json")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    language = _switch_language(request)
    return _remember_language(HttpResponse(home_html()), language)


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    language = _switch_language(request)
    try:
        programme = programme_selectors.programme_public_get(slug=slug)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    context = {"programme": programme, "members": programme_selectors.programme_members(programme=programme),
               "conditions": eligibility_words(programme.eligibility)}
    return _remember_language(HttpResponse(programme_html(context)), language)


@require_safe
def lab_report_page(request: HttpRequest, report_uuid: uuid.UUID) -> HttpResponse:
    """A lab report's readable page: lab, sample, method, every indicator with its limit and stars, the PDF."""
    language = _switch_language(request)
    try:
        report = lab_selectors.lab_report_get_public(report_uuid=report_uuid)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    context = {**lab_report_page_for(report=report), "sampled_at": report.sampled_at}
    return _remember_language(HttpResponse(lab_report_html(context)), language)


@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    """A code typed by hand: whatever is printed under a QR code, a GS1 element string, a URL, a path, a GTIN.

    Goes to the first reading the platform knows (web/public/lookup.py), else to the first reading's page, which
    says the code is not registered. One reading: a 301 (it follows from the text alone); several (an element string
    without separators): a 302, since the choice depends on what is registered.
    """
    language = _switch_language(request)
    candidates = lookup_candidates(request.GET.get("code", "")[:LOOKUP_MAX])
    if not candidates:
        error = _("没有读懂这个码。可以输入二维码下方印的文字，例如 (01)06971234567895(10)NH20261204(21)3AGNVUW6VS，"
                  "或以 https:// 开头的链接，或 8–14 位商品条码。")
        return _remember_language(HttpResponse(home_html(error=error), status=400), language)
    if len(candidates) == 1:
        return _remember_language(HttpResponsePermanentRedirect(candidates[0].path), language)
    link = next((one for one in candidates if story_exists(link=one)), candidates[0])
    response = HttpResponseRedirect(link.path)
    response["Cache-Control"] = "no-cache"
    return _remember_language(response, language)


def _not_registered(
    request: HttpRequest, *, code: str, malformed: bool, json: bool = False, link: DigitalLink | None = None
) -> HttpResponse:
    """The answer for a code with no public page: malformed, unknown, or a registered product not yet published
    (a draft's label is genuine: its page says so, without the counterfeit advice)."""
    draft = link is not None and draft_registered_for_link(link=link)
    if json or wants_json(request.headers.get("Accept", "")):
        if malformed:
            code_name, message = CODE_MALFORMED, _("这不是有效的溯源码")
        elif draft:
            code_name, message = CODE_NOT_PUBLISHED, _("此商品已登记，尚未上架")
        else:
            code_name, message = CODE_NOT_REGISTERED, _("此码未在平台登记")
        response: HttpResponse = JsonResponse(
            {"code": code_name, "message": message, "details": {"path": code}},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(not_registered_html(code=code, malformed=malformed, draft=draft), status=404)
    patch_vary_headers(response, ["Accept"])
    response["Cache-Control"] = "no-cache"
    return response


def _raw_path(request: HttpRequest) -> str:
    """The path as sent, still percent-encoded, so that a lot containing '/' (%2F) stays one value."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI") or ""
    raw = raw.split("?", 1)[0]
    return raw if raw.startswith("/") else escape_uri_path(request.path)


def _switch_language(request: HttpRequest) -> str | None:
    """`?lang=en` switches the page's language (a plain link: published pages carry no CSRF token)."""
    language = request.GET.get(scans.LANGUAGE_SWITCH_PARAM, "")
    if language not in dict(settings.LANGUAGES):
        return None
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _remember_language(response: HttpResponse, language: str | None) -> HttpResponse:
    if language is not None:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", path="/"
        )
    return response

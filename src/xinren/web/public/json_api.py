"""The consumer JSON under /api/v1/trace: the same story the scan page shows, public and read-only.

In production these answers are normally served by the web server from published files (docs/adr/0002);
this router answers when a file is missing and in development. Requests that reach it directly (no web
server in front) count as scans, like the page.

The 200 schema in the OpenAPI document is generated from the story's TypedDicts (PublicStory), so it says
what the JSON holds; the handlers still answer with the bytes `story_json` made, not re-serialised.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router

from xinren.catalog.gs1 import DigitalLink, digital_link_parse
from xinren.catalog.selectors import draft_registered_for_link
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.schemas import ErrorOut
from xinren.trace import scans
from xinren.trace.story import story_json

from .sections import PublicStory, public_story_for_link

router = Router()

CODE_NOT_REGISTERED = "trace.code_not_registered"
CODE_MALFORMED = "trace.code_malformed"
# A registered product that is not published yet (a draft): genuine, but nothing about it is public.
CODE_NOT_PUBLISHED = "trace.code_not_published"
# Documents the answer; Ninja returns the handlers' HttpResponse as it is, without validating it.
RESPONSES = {200: PublicStory, 404: ErrorOut}


def _answer(request: HttpRequest, path: str) -> HttpResponse:
    try:
        link = digital_link_parse(path)
    except InvalidInput as exc:
        raise NotFound(
            CODE_MALFORMED, _("这不是有效的溯源码"), details={"path": path, "reason": exc.code}
        ) from exc
    story = public_story_for_link(link=link)
    if story is None and draft_registered_for_link(link=link):
        raise NotFound(CODE_NOT_PUBLISHED, _("此商品已登记，尚未上架"), details={"path": link.path})
    if story is None:
        raise NotFound(CODE_NOT_REGISTERED, _("此码未在平台登记"), details={"path": link.path})
    scans.scan_record_request(request=request, story=story)
    return HttpResponse(story_json(story), content_type="application/json")


@router.get("/01/{gtin}", summary="Product story", operation_id="trace_public_product", response=RESPONSES)
def trace_product(request: HttpRequest, gtin: str) -> HttpResponse:
    return _answer(request, DigitalLink(gtin=gtin).path)


@router.get("/01/{gtin}/10/{lot}", summary="Batch (lot) story", operation_id="trace_public_batch", response=RESPONSES)
def trace_batch(request: HttpRequest, gtin: str, lot: str) -> HttpResponse:
    return _answer(request, DigitalLink(gtin=gtin, lot=lot).path)


@router.get(
    "/01/{gtin}/10/{lot}/21/{serial}", summary="Item story", operation_id="trace_public_item", response=RESPONSES
)
def trace_item(request: HttpRequest, gtin: str, lot: str, serial: str) -> HttpResponse:
    return _answer(request, DigitalLink(gtin=gtin, lot=lot, serial=serial).path)


@router.get(
    "/01/{gtin}/21/{serial}",
    summary="Item story (without lot)",
    operation_id="trace_public_item_short",
    response=RESPONSES,
)
def trace_item_short(request: HttpRequest, gtin: str, serial: str) -> HttpResponse:
    return _answer(request, DigitalLink(gtin=gtin, serial=serial).path)

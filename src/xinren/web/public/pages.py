"""Rendering the consumer pages. The Django view and the publisher both call these, so a published file
and a page rendered on demand are the same page (docs/adr/0002)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.shelf_life import local_date, rule_for, state_on
from xinren.coldchain.section import ColdChainSection
from xinren.core import clock
from xinren.core.origin import public_url
from xinren.ledger.store.cosignatures import witness_marks
from xinren.ledger.store.selectors import log_vkey
from xinren.trace.scans import ScanNotice
from xinren.trace.story import Story, StoryEvent

from .proof_bundles import bundle_url
from .routemap import route_map
from .sections import PublicStory, Sections

# The one content-negotiation rule, shared with nginx's `map $http_accept` (deploy/nginx.conf.template).
JSON_ACCEPT = re.compile(r"application/(ld\+)?json", re.IGNORECASE)
API_PREFIX = "/api/v1/trace"


# Badges drawn inline (no image requests). Constant markup, never user text.
ICONS = {
    "ok": mark_safe(
        '<svg viewBox="0 0 40 40" aria-hidden="true"><circle cx="20" cy="20" r="19" fill="#25613a"/>'
        '<path d="M11 21l6 6 12-13" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" '
        'stroke-linejoin="round"/></svg>'
    ),
    "info": mark_safe(
        '<svg viewBox="0 0 40 40" aria-hidden="true"><circle cx="20" cy="20" r="19" fill="#1d5487"/>'
        '<path d="M12 21c3-6 13-6 16 0-3 6-13 6-16 0z" fill="none" stroke="#fff" stroke-width="3" '
        'stroke-linejoin="round"/><circle cx="20" cy="21" r="3" fill="#fff"/></svg>'
    ),
    "warn": mark_safe(
        '<svg viewBox="0 0 40 40" aria-hidden="true"><path d="M20 3l18 33H2z" fill="#a4231b"/>'
        '<path d="M20 15v10M20 30v.5" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>'
    ),
    "gold": mark_safe(
        '<svg viewBox="0 0 40 40" aria-hidden="true"><circle cx="20" cy="20" r="19" fill="#b7791f"/>'
        '<path d="M13 20h14" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>'
    ),
    "unknown": mark_safe(
        '<svg viewBox="0 0 40 40" aria-hidden="true"><circle cx="20" cy="20" r="19" fill="#a4231b"/>'
        '<path d="M14 14l12 12M26 14L14 26" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>'
    ),
}


TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "public"
# The pages' only inline scripts (a few lines each, no framework): their text lives in these files, so that the
# Content-Security-Policy can allow exactly them by hash (web/security.py), on published files as on served pages.
INLINE_SCRIPTS = {
    "scan_notice": "_scan_notice.js", "purchase": "_purchase.js", "witnesses": "_witnesses.js",
    "shelf_life": "_shelf_life.js", "parts": "_parts.js",
}

# Sections a phone rarely opens (docs/adr/0028-scanpath-sections-on-demand.md): the scan page shows a short card that
# links to each, and each is a small page of its own, published beside the page of the lot (or product) it belongs
# to and fetched only when the reader asks for it. The story JSON keeps every section.
ON_DEMAND = ("coldchain", "album")


@cache
def inline_css() -> SafeString:
    """The pages' style sheet, inlined: one request per page on a weak network. Our own file, not user text."""
    return mark_safe((TEMPLATES_DIR / "_style.css").read_text())


@cache
def inline_scripts() -> dict[str, SafeString]:
    """The inline scripts by name, as the templates insert them. Our own files, not user text."""
    return {name: mark_safe((TEMPLATES_DIR / file).read_text()) for name, file in INLINE_SCRIPTS.items()}


def _base_context() -> dict[str, Any]:
    from xinren.web.security import page_policy  # the policy hashes this module's inline text

    return {
        "page_lang": translation.get_language(),
        "other_languages": _other_languages(),
        "icons": ICONS,
        "inline_css": inline_css(),
        "inline_scripts": inline_scripts(),
        "page_csp": page_policy(),
    }


def wants_json(accept: str) -> bool:
    """JSON when the client names a JSON type in Accept; browsers never do, so they get the page."""
    return bool(JSON_ACCEPT.search(accept))


def sections_html(sections: Sections, *, parts_at: str | None = None) -> dict[str, SafeString]:
    """Each evidence section drawn by its partial (public/_<name>.html) in the active language.

    The partials see only their own section, so a lot's sections can be drawn once and reused for every
    item page of the lot: the publisher's hot loop then renders only the item's own part. With `parts_at` (the
    path of the lot or product page the sections belong to, `parts_owner`), the ON_DEMAND sections are drawn as
    their short card (public/_<name>_card.html) that links to their own page, `part_url(parts_at, name)`.
    """
    drawn: dict[str, SafeString] = {}
    for name, value in sections.items():
        if parts_at is not None and name in ON_DEMAND:
            context = {name: value, "part_url": part_url(parts_at, name), "part_id": name}
            if name == "coldchain":
                context["card"] = _coldchain_card(cast(ColdChainSection, value))
            template = f"public/_{name}_card.html"
        else:
            context, template = {name: value}, f"public/_{name}.html"
        # mark_safe: the partials' output, escaped by the template engine as it was drawn.
        drawn[name] = mark_safe(render_to_string(template, context))
    return drawn


def _coldchain_card(section: ColdChainSection) -> dict[str, Any]:
    """What the cold chain's card says without its charts: how many legs, their excursions, the verdict."""
    legs = section["legs"]
    outside = section.get("excursions", sum(len(leg["excursions"]) for leg in legs))
    return {
        "legs": len(legs),
        "outside": outside,  # of the legs' readings; readings in trace events are listed on the card itself
        "mismatch": any(leg["ledger"]["state"] == "mismatch" for leg in legs),
        "in_range": bool(section["profile"] and legs and not section.get("event_readings"))
        and all(leg["readings"] and not leg["excursions"] for leg in legs),
    }


def parts_owner(story: Story) -> str:
    """The path of the page whose sections a story shows: the lot's on batch and item pages, else the product's."""
    link = story["link"]
    return DigitalLink(gtin=link["gtin"], lot=link["lot"]).path


def part_url(owner: str, name: str) -> str:
    """Where an on-demand section is published: under its owner's path (`/01/<gtin>/10/<lot>/album`)."""
    return f"{owner}/{name}"


def part_page_html(*, story: PublicStory, name: str) -> str | None:
    """The page of one on-demand section of a lot's or product's story, or None when it has nothing to show."""
    section = story["sections"].get(name)
    if name not in ON_DEMAND or section is None:
        return None
    context = {
        "story": story,
        "product": story["product"],
        "batch": story["batch"],
        "name": name,
        "back_url": story["link"]["path"],
        "section_html": mark_safe(render_to_string(f"public/_{name}.html", {name: section})),
        **_base_context(),
    }
    return render_to_string("public/part.html", context)


def story_page_html(
    *, story: PublicStory, scan: ScanNotice | None = None, drawn: Mapping[str, SafeString] | None = None
) -> str:
    """The scan page in the active language.

    `scan` is the scan notice when the count is known while rendering (the Django view); without it an
    item page carries a tiny script that reads the static counter file the scan ingester keeps up to date.
    `drawn` is the story's sections already drawn in the active language (see `sections_html`).
    """
    routes = route_map(story)
    stops = routes["event_stops"] if routes else [None] * len(story["events"])
    timeline = [
        {"event": event, "stop": stop, "date": event["time"][:10], "clock": event["time"][11:16]}
        for event, stop in zip(story["events"], stops, strict=True)
    ]
    scans = story["scans"]
    context = {
        "story": story,
        "product": story["product"],
        "batch": story["batch"],
        "item": story["item"],
        "timeline": timeline,
        "map": routes,
        "ledger": _ledger_summary(story["events"]),
        "scan": scan,
        "witness_live": scan is None,
        "counter_url": scans["counter"] if scans and scan is None else None,
        "json_url": API_PREFIX + story["link"]["path"],
        # The page's own address for link previews: the public origin, not the resolver identity (ADR 0019).
        "page_url": public_url(story["link"]["path"]),
        "drawn": drawn if drawn is not None else sections_html(story["sections"], parts_at=parts_owner(story)),
        "verify": _verify(story),
        "parts_script": any(name in story["sections"] for name in ON_DEMAND),
        "shelf": _shelf(story),
        **_base_context(),
    }
    return render_to_string("public/scan.html", context)


def _shelf(story: PublicStory) -> dict[str, Any] | None:
    """The lot's shelf life as of rendering, for the banner; the page's script redraws it on the reader's day."""
    batch = story["batch"]
    if batch is None or not batch["expiry_date"]:
        return None
    expiry = date.fromisoformat(batch["expiry_date"])
    today = local_date(clock.now())
    category = story["product"]["category"]
    return {
        # A recalled lot (or this recalled item) never reads "in date" in green under the red recall banner.
        "recalled": _recalled(story),
        "expiry": batch["expiry_date"],
        # A date, never user text; kept on one line on narrow phones.
        "expiry_html": format_html('<time datetime="{0}">{0}</time>', batch["expiry_date"]),
        "state": str(state_on(expiry_date=expiry, category=category, on=today)),
        "days_left": (expiry - today).days,
        "expiring_days": rule_for(category).expiring_days,
    }


def _recalled(story: PublicStory) -> bool:
    """Whether a recall covers what this page shows: the whole lot, or (on an item page) this item's serial."""
    recall = story["sections"].get("recall")
    if recall is None:
        return False
    serial = story["item"]["serial"] if story["item"] else None
    return any(entry["scope"] == "lot" or (serial is not None and serial in entry["serials"])
               for entry in recall["recalls"])


def _verify(story: PublicStory) -> dict[str, str] | None:
    """Where an item page's proof bundle is, and the log key its checkpoint must be signed with."""
    if story["item"] is None:
        return None
    return {"bundle": bundle_url(gtin=story["product"]["gtin"], serial=story["item"]["serial"]), "log_key": log_vkey()}


def _ledger_summary(events: list[StoryEvent]) -> dict[str, Any]:
    states = [event["proof"]["state"] for event in events]
    # A witness vouches for the page's records once it cosigned a checkpoint that holds the last of them.
    indexes = [event["proof"]["log_index"] for event in events if event["proof"]["state"] == "verified"]
    needed = max(i for i in indexes if i is not None) + 1 if any(i is not None for i in indexes) else 0
    witnesses = [{"name": mark.name, "label": mark.label, "ok": needed > 0 and mark.covers(needed)}
                 for mark in witness_marks()]
    return {"verified": states.count("verified"), "mismatched": states.count("mismatch"), "witnesses": witnesses,
            "witness_size": needed}


def not_registered_html(*, code: str, malformed: bool, draft: bool = False) -> str:
    """The page for a code the platform does not know (or that is not a valid code at all), or of a registered
    product that is not published yet (`draft`)."""
    context = {
        "code": code,
        "malformed": malformed,
        "draft": draft,
        **_base_context(),
    }
    return render_to_string("public/not_registered.html", context)


def home_html(*, error: str = "") -> str:
    context = {"error": error, **_base_context()}
    return render_to_string("public/home.html", context)


def programme_html(context: dict[str, Any]) -> str:
    """A guarantee programme's public page (its promises, eligibility and members): the badges link here."""
    return render_to_string("public/programme.html", {**context, **_base_context()})


def lab_report_html(context: Mapping[str, Any]) -> str:
    """A lab report's own readable page (evidence_sections.lab_report_page_for): the scan page links here."""
    return render_to_string("public/lab_report.html", {**context, **_base_context()})


def _other_languages() -> list[dict[str, str]]:
    # Each language is offered in its own name (a Chinese reader looks for 中文, not "Chinese").
    current = translation.get_language()
    return [
        {"code": code, "name": translation.get_language_info(code)["name_local"]}
        for code, _name in settings.LANGUAGES
        if code != current
    ]

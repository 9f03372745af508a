"""The item proof bundle: every signed record an item page shows, with its proofs, in one file (docs/ledger.md).

The page and the bundle are built from the same story, so the bundle holds exactly the records the page marks as
signed: every leaf hash in the story's events and sections. A record the page shows as pending, changed or unsigned
is listed as omitted with its state; the phone then says so rather than showing a gap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings

from xinren.attest.proofs import VERIFIED, BundleCache, item_bundle_build
from xinren.ledger.item_bundle import ItemBundle

from .sections import PublicStory

URL_PREFIX = "/proofs"


def bundle_url(*, gtin: str, serial: str) -> str:
    """Where an item's bundle is served (and published): next to the page, by GTIN and serial."""
    return f"{URL_PREFIX}/01/{gtin}/21/{quote(serial, safe='')}.json"


def bundle_file(*, gtin: str, serial: str) -> Path:
    return Path(settings.XINREN_PUBLISH_DIR) / "proofs" / "01" / gtin / "21" / f"{serial}.json"


def _collect(value: Any, section: str, records: list[tuple[str, str]], omitted: list[dict[str, str]]) -> None:
    if isinstance(value, dict):
        leaf = value.get("leaf_hash")
        if isinstance(leaf, str) and leaf:
            state = value.get("state", VERIFIED)
            if state == VERIFIED:
                records.append((section, leaf))
            elif isinstance(state, str):
                omitted.append({"leaf_hash": leaf, "state": state})
        for child in value.values():
            _collect(child, section, records, omitted)
    elif isinstance(value, list):
        for child in value:
            _collect(child, section, records, omitted)


def story_records(story: PublicStory) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """(section, leaf hash) of every signed record the page shows, in page order, and those it cannot prove yet."""
    records: list[tuple[str, str]] = []
    omitted: list[dict[str, str]] = []
    _collect(story["events"], "events", records, omitted)
    for name, section in story["sections"].items():
        _collect(section, name, records, omitted)
    proven = {leaf for _section, leaf in records}
    unique = {o["leaf_hash"]: o for o in omitted if o["leaf_hash"] not in proven}
    return records, list(unique.values())


def story_leaf_hashes(story: PublicStory) -> list[bytes]:
    """The leaf hashes an item page's bundle asks for (the publisher prefetches a chunk's at once)."""
    records, _omitted = story_records(story)
    return [bytes.fromhex(leaf) for _section, leaf in records if len(leaf) == 64]


def item_bundle_for_story(story: PublicStory, *, cache: BundleCache | None = None) -> ItemBundle:
    """The bundle of an item page's story."""
    assert story["item"] is not None and story["batch"] is not None
    records, omitted = story_records(story)
    item = {
        "path": story["link"]["path"],
        "uri": story["link"]["uri"],
        "gtin": story["product"]["gtin"],
        "lot": story["batch"]["lot"],
        "serial": story["item"]["serial"],
        "product": story["product"]["name"],
    }
    return item_bundle_build(item=item, records=records, omitted=omitted, cache=cache)

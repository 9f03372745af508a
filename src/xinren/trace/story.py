"""The consumer's story of a product, batch or item: the read model behind the scan page and its JSON.

The story is plain JSON-serialisable data (no model instances), so that the same dict is rendered by the
Django view, written to files by the publisher (docs/adr/0002) and returned by /api/v1/trace. It holds no
personal data: events name the organization that recorded them, never the person.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.accounts.choices import OrganizationKind
from xinren.attest.audit import log_gaps
from xinren.attest.proofs import LedgerProof, Proof
from xinren.catalog.choices import ProductCategory, ProductStatus
from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.images import PhotoRef, product_photo
from xinren.catalog.models import Batch, Item, Product
from xinren.catalog.selectors import public_product_for_link

from .choices import BizStep, Disposition, EventType
from .models import EventSubject, TraceEvent
from .proofs import event_proofs

STORY_FORMAT = "xinren.story/1"
# Sensor readings shown per event: a cold-chain logger may report hundreds; the page shows a summary.
MAX_READINGS = 6

_BIZ_STEP_LABELS = dict(BizStep.choices)
_DISPOSITION_LABELS = dict(Disposition.choices)
_EVENT_TYPE_LABELS = dict(EventType.choices)
# A return coming back (after-sales) in words a consumer understands: the courier's hand-off and the merchant's
# sign-for, both with CBV's "returned" disposition.
_RETURN_STEP_LABELS = {
    BizStep.ACCEPTING.value: _("快递员上门取件，退货寄回商家"),
    BizStep.RECEIVING.value: _("商家已签收退货"),
}
_KIND_LABELS = dict(OrganizationKind.choices)
_CATEGORY_LABELS = dict(ProductCategory.choices)
_STATUS_LABELS = dict(ProductStatus.choices)

# The story's shape. Closed TypedDicts (no other keys): the published JSON's schema in the OpenAPI document is
# generated from them (web/public/json_api.py), so they are the one description of what the JSON holds.
Level = Literal["product", "batch", "item"]


class StoryLink(TypedDict, closed=True):
    """The Digital Link the story is about."""

    gtin: str
    lot: str | None
    serial: str | None
    path: str
    uri: str


class StoryOrigin(TypedDict, closed=True):
    region: str
    latitude: float | None
    longitude: float | None


class StoryProduct(TypedDict, closed=True):
    gtin: str
    name: str
    category: str
    category_label: str
    description: str
    status: str
    status_label: str
    delisted: bool
    origin: StoryOrigin
    photo: PhotoRef | None  # the first product photo's responsive variants (catalog/images.py)


class StoryMerchant(TypedDict, closed=True):
    name: str
    region: str


class StoryBatch(TypedDict, closed=True):
    lot: str
    production_date: str
    expiry_date: str | None


class StoryItem(TypedDict, closed=True):
    serial: str


class StoryScans(TypedDict, closed=True):
    counter: str  # the URL path of the item's static scan counter


class StoryRecorder(TypedDict, closed=True):
    """The organization that recorded an event (never the person)."""

    name: str
    kind: str
    kind_label: str


class StoryPlace(TypedDict, closed=True):
    name: str
    latitude: float | None
    longitude: float | None


class StoryReading(TypedDict, closed=True):
    type: str
    value: float
    uom: str


class StoryErrorDeclaration(TypedDict, closed=True):
    """Its recorder declared the event wrong (EPCIS error declaration)."""

    declared_at: str
    reason: str
    reason_label: str
    corrective_event_ids: list[str]


class StoryEvent(TypedDict, closed=True):
    id: str
    type: str
    type_label: str
    action: str
    biz_step: str
    biz_step_label: str
    disposition: str
    disposition_label: str
    time: str  # local time of the event, ISO 8601 with its offset
    utc: str
    level: Level
    recorded_by: StoryRecorder
    buyer_confirmed: bool
    place: StoryPlace | None
    readings: list[StoryReading]
    # Identifiers the event names that the platform does not register, declared external by their recorder.
    external_identifiers: list[str]
    error_declaration: StoryErrorDeclaration | None
    proof: LedgerProof


class Story(TypedDict):
    """A story without its sections (web/public/sections.py adds them: PublicStory)."""

    format: str
    level: Level
    link: StoryLink
    product: StoryProduct
    merchant: StoryMerchant
    batch: StoryBatch | None
    item: StoryItem | None
    events: list[StoryEvent]
    # Events of this page stored with a time that cannot be read (ADR 0015): left out, and the page says so.
    unreadable_events: int
    scans: StoryScans | None
    # Log entries about this product, lot or item that no record on the page still says (deleted or edited rows):
    # the page says so instead of leaving a silent gap (attest.audit.log_gaps).
    log_gaps: int


def scan_counter_path(*, gtin: str, serial: str) -> str:
    """The URL path of an item's static scan counter (written by the scan ingester, served by the web server)."""
    return f"/scans/{gtin}/{serial}.json"


def story_for_link(*, link: DigitalLink) -> Story | None:
    """The consumer story the Digital Link names, or None when it is unknown or not public (drafts)."""
    product = public_product_for_link(link=link)
    if product is None:
        return None
    if link.serial is not None:
        item = Item.objects.select_related("batch").filter(product=product, serial=link.serial).first()
        if item is None or (link.lot is not None and item.batch.lot != link.lot):
            return None
        return story_for_item(item=item, product=product)
    if link.lot is not None:
        batch = Batch.objects.filter(product=product, lot=link.lot).first()
        if batch is None:
            return None
        return story_for_batch(batch=batch, product=product)
    return story_for_product(product=product)


def story_for_product(*, product: Product) -> Story:
    """The story of a product as a whole: product-level events only."""
    story = _frame(level="product", link=product.digital_link, product=product)
    events = _events(product=product)
    story["events"], story["unreadable_events"] = events, events.unreadable
    story["log_gaps"] = sum(log_gaps([story["link"]["uri"]]).values())
    return story


def story_for_batch(*, batch: Batch, product: Product | None = None) -> Story:
    """The story of a lot: its own events and the product's."""
    product = product or batch.product
    story = _frame(level="batch", link=DigitalLink(gtin=product.gtin, lot=batch.lot), product=product)
    story["batch"] = _batch(batch)
    events = _events(product=product, batch=batch)
    story["events"], story["unreadable_events"] = events, events.unreadable
    subjects = [product.digital_link.uri(settings.XINREN_RESOLVER), story["link"]["uri"]]
    story["log_gaps"] = sum(log_gaps(subjects).values())
    return story


def story_for_item(
    *,
    item: Item,
    product: Product | None = None,
    shared_events: list[StoryEvent] | None = None,
    own_events: list[StoryEvent] | None = None,
    gaps: int | None = None,
) -> Story:
    """The story of one serialized item: its own events, its lot's and its product's, oldest first.

    `shared_events` (the batch- and product-level part, identical for every item of a lot), `own_events` and
    `gaps` (the log entries no record says, `story_gaps`) let the publisher render a whole lot with a few queries
    instead of a few per item.
    """
    product = product or item.product
    batch = item.batch
    link = DigitalLink(gtin=product.gtin, lot=batch.lot, serial=item.serial)
    story = _frame(level="item", link=link, product=product)
    story["batch"] = _batch(batch)
    story["item"] = {"serial": item.serial}
    if shared_events is None and own_events is None:
        events = _events(product=product, batch=batch, item=item)
        story["events"], story["unreadable_events"] = events, events.unreadable
    else:
        if shared_events is None:
            shared_events = shared_events_for_batch(batch=batch)
        if own_events is None:
            own_events = item_events(item_ids=[item.pk]).get(item.pk, EventList())
        story["events"] = _merge(shared_events, own_events)
        story["unreadable_events"] = _unreadable(shared_events) + _unreadable(own_events)
    story["scans"] = {"counter": scan_counter_path(gtin=product.gtin, serial=item.serial)}
    story["log_gaps"] = gaps if gaps is not None else story_gaps(product=product, batch=batch, items=[item])[item.pk]
    return story


def story_gaps(*, product: Product, batch: Batch, items: Sequence[Item]) -> dict[int, int]:
    """For each item (by id), the log entries about it, its lot or its product that no record still says."""
    resolver = settings.XINREN_RESOLVER
    shared = [product.digital_link.uri(resolver), DigitalLink(gtin=product.gtin, lot=batch.lot).uri(resolver)]
    own = {item.pk: DigitalLink(gtin=product.gtin, lot=batch.lot, serial=item.serial).uri(resolver) for item in items}
    found = log_gaps([*shared, *own.values()])
    lot = sum(found.get(subject, 0) for subject in shared)
    return {pk: lot + found.get(uri, 0) for pk, uri in own.items()}


class EventList(list[StoryEvent]):
    """A page's story events, and how many of its events were left out because their time cannot be read."""

    unreadable: int = 0


def _unreadable(events: Iterable[StoryEvent]) -> int:
    return events.unreadable if isinstance(events, EventList) else 0


def _externals(event_ids: Iterable[int]) -> dict[int, list[str]]:
    """The identifiers declared external that each event names (ADR 0015), in one query."""
    found: dict[int, list[str]] = {}
    rows = EventSubject.objects.filter(event_id__in=list(event_ids), external=True).order_by("id")
    for event_id, uri in rows.values_list("event_id", "uri"):
        found.setdefault(event_id, []).append(uri)
    return found


def item_events(*, item_ids: Iterable[int]) -> dict[int, EventList]:
    """The item-level events of many items at once, by item id (the publisher's bulk read)."""
    wanted = list(item_ids)
    rows = list(EventSubject.objects.filter(item_id__in=wanted).values_list("event_id", "item_id"))
    if not rows:
        return {}
    events = {
        event.pk: event
        for event in TraceEvent.objects.filter(pk__in={event_id for event_id, _ in rows})
        .select_related("organization", "place")
        .order_by("event_time", "id")
    }
    by_item: dict[int, dict[int, TraceEvent]] = {}
    unreadable: dict[int, set[int]] = {}
    for event_id, item_id in rows:
        found = by_item.setdefault(item_id, {})
        if event_id in events:
            found[event_id] = events[event_id]
        else:
            unreadable.setdefault(item_id, set()).add(event_id)
    # One proof lookup for every event of the chunk, not one per item page.
    proofs = event_proofs([event for event in events.values() if not event.is_error_declaration])
    externals = _externals(events)
    # Most items of a lot share no item-level event; the few that do (an aggregation into one case) share
    # the rendered dicts, which are never mutated afterwards.
    return {
        item_id: _with_declarations(
            ((event, "item") for event in sorted(found.values(), key=lambda e: (e.event_time, e.pk))),
            proofs=proofs, externals=externals, unreadable=len(unreadable.get(item_id, ())),
        )
        for item_id, found in by_item.items()
    }


def shared_events_for_batch(*, batch: Batch) -> EventList:
    """The batch- and product-level events that every item page of this lot shows."""
    return _events(product=batch.product, batch=batch)


def _photo(product: Product) -> PhotoRef | None:
    """The product's first photo (read from a prefetch of `images` when there is one: the publisher's loop)."""
    images = sorted(product.images.all(), key=lambda image: (image.position, image.pk))
    return product_photo(images[0]) if images else None


def _frame(*, level: Level, link: DigitalLink, product: Product) -> Story:
    merchant = product.merchant
    return {
        "format": STORY_FORMAT,
        "level": level,
        "link": {
            "gtin": link.gtin,
            "lot": link.lot,
            "serial": link.serial,
            "path": link.path,
            "uri": link.uri(settings.XINREN_RESOLVER),
        },
        "product": {
            "gtin": product.gtin,
            "name": product.name,
            "category": product.category,
            "category_label": str(_CATEGORY_LABELS.get(product.category, product.category)),
            "description": product.description,
            "status": product.status,
            "status_label": str(_STATUS_LABELS.get(product.status, product.status)),
            "delisted": product.status == ProductStatus.DELISTED,
            "origin": {
                "region": product.origin_region,
                "latitude": _float(product.origin_latitude),
                "longitude": _float(product.origin_longitude),
            },
            "photo": _photo(product),
        },
        "merchant": {"name": merchant.name, "region": merchant.region},
        "batch": None,
        "item": None,
        "events": [],
        "unreadable_events": 0,
        "scans": None,
        "log_gaps": 0,
    }


def _batch(batch: Batch) -> StoryBatch:
    return {
        "lot": batch.lot,
        "production_date": batch.production_date.isoformat(),
        "expiry_date": batch.expiry_date.isoformat() if batch.expiry_date else None,
    }


def _events(*, product: Product, batch: Batch | None = None, item: Item | None = None) -> EventList:
    # An event concerns this page when it names the item, or the lot as a class (no serial), or the
    # product as a class (no lot): the same three scopes as trace.selectors.events_for_item.
    scope = Q(product=product, lot="", serial="")
    if batch is not None:
        scope |= Q(batch=batch, serial="")
    if item is not None:
        scope |= Q(item=item)

    def level_of(row: Mapping[str, Any]) -> Level:
        if row["item_id"] is not None:
            return "item"
        return "batch" if row["batch_id"] is not None else "product"

    return _events_from_subjects(EventSubject.objects.filter(scope), level_of=level_of)


_LEVEL_RANK = {"product": 0, "batch": 1, "item": 2}


def _events_from_subjects(subjects: Any, *, level_of: Callable[[Mapping[str, Any]], Level]) -> EventList:
    levels: dict[int, Level] = {}
    for row in subjects.values("event_id", "item_id", "batch_id"):
        level = level_of(row)
        # One event may name the item and its lot: show it once, at its most specific level.
        if _LEVEL_RANK[level] >= _LEVEL_RANK[levels.get(row["event_id"], "product")]:
            levels[row["event_id"]] = level
    if not levels:
        return EventList()
    events = list(
        TraceEvent.objects.filter(pk__in=list(levels))
        .select_related("organization", "place")
        .order_by("event_time", "id")
    )
    return _with_declarations(
        [(event, levels[event.pk]) for event in events],
        externals=_externals(levels), unreadable=len(levels) - len(events),
    )


def _with_declarations(
    events: Iterable[tuple[TraceEvent, Level]], *, proofs: Mapping[int, Proof] | None = None,
    externals: Mapping[int, list[str]] | None = None, unreadable: int = 0,
) -> EventList:
    """Story events, where an EPCIS error declaration marks the event it corrects instead of being shown.

    History is never edited: the declared event stays in the timeline, saying that its recorder declared
    it wrong, why, and whether corrective events were recorded.
    """
    events = list(events)
    declarations = {event.event_id: event for event, _level in events if event.is_error_declaration}
    if proofs is None:
        proofs = event_proofs([event for event, _level in events if not event.is_error_declaration])
    story_events = EventList()
    story_events.unreadable = unreadable
    for event, level in events:
        if event.is_error_declaration:
            continue
        entry = _event(event, level=level, proof=proofs[event.pk].as_dict())
        entry["external_identifiers"] = list((externals or {}).get(event.pk, ()))
        declaration = declarations.get(event.event_id)
        if declaration is not None:
            entry["error_declaration"] = _declaration(declaration)
        story_events.append(entry)
    return story_events


_DECLARATION_REASONS = {"did_not_occur": _("此事件并未发生"), "incorrect_data": _("记录的数据有误")}


def _declaration(declaration: TraceEvent) -> StoryErrorDeclaration:
    body = declaration.document.get("errorDeclaration", {}) if isinstance(declaration.document, dict) else {}
    body = body if isinstance(body, dict) else {}
    reason = _short(str(body.get("reason", "")), ("ER-", "er:"))
    corrective = body.get("correctiveEventIDs", [])
    return {
        "declared_at": str(body.get("declarationTime", "")),
        "reason": reason,
        "reason_label": str(_DECLARATION_REASONS.get(reason, reason.replace("_", " "))),
        "corrective_event_ids": [str(c) for c in corrective] if isinstance(corrective, list) else [],
    }


def _merge(shared: Iterable[StoryEvent], own: Iterable[StoryEvent]) -> list[StoryEvent]:
    by_id = {event["id"]: event for event in shared}
    for event in own:
        # The item-level copy wins, but a declaration seen at the lot level is not lost.
        seen = by_id.get(event["id"])
        declared = seen["error_declaration"] if seen is not None else None
        by_id[event["id"]] = {**event, "error_declaration": event["error_declaration"] or declared}
    return sorted(by_id.values(), key=lambda event: (event["utc"], event["id"]))


def _event(event: TraceEvent, *, level: Level, proof: LedgerProof) -> StoryEvent:
    biz_step = _short(event.biz_step, ("BizStep-", "bizstep:"))
    disposition = _short(event.disposition, ("Disp-", "disp:"))
    local_time = event.event_time.astimezone(_offset_zone(event.event_time_zone_offset))
    place = event.place
    organization = event.organization
    return {
        "id": event.event_id,
        "type": event.event_type,
        "type_label": str(_EVENT_TYPE_LABELS.get(event.event_type, event.event_type)),
        "action": event.action,
        "biz_step": biz_step,
        "biz_step_label": _step_label(biz_step, disposition),
        "disposition": disposition,
        "disposition_label": _label(_DISPOSITION_LABELS, disposition) if disposition else "",
        "time": local_time.isoformat(),
        "utc": event.event_time.astimezone(UTC).isoformat(),
        "level": level,
        "recorded_by": {
            "name": organization.name,
            "kind": organization.kind,
            "kind_label": str(_KIND_LABELS.get(organization.kind, organization.kind)),
        },
        # The platform records a receipt only when the signed-in buyer confirms delivery (orders).
        "buyer_confirmed": biz_step == "receiving" and organization.kind == OrganizationKind.PLATFORM,
        "place": None
        if place is None
        else {
            "name": place.name,
            "latitude": _float(place.latitude),
            "longitude": _float(place.longitude),
        },
        "readings": _readings(event.document),
        "external_identifiers": [],
        "error_declaration": None,
        "proof": proof,
    }


def _readings(document: Any) -> list[StoryReading]:
    """A few sensor values from the EPCIS document (cold-chain temperatures and the like)."""
    readings: list[StoryReading] = []
    elements = document.get("sensorElementList", []) if isinstance(document, dict) else []
    for element in elements if isinstance(elements, list) else []:
        reports = element.get("sensorReport", []) if isinstance(element, dict) else []
        for report in reports if isinstance(reports, list) else []:
            if not isinstance(report, dict) or not isinstance(report.get("value"), int | float):
                continue
            kind = str(report.get("type", ""))
            readings.append(
                {
                    "type": kind.rsplit(":", 1)[-1].rsplit("/", 1)[-1],
                    "value": report["value"],
                    "uom": str(report.get("uom", "")),
                }
            )
            if len(readings) == MAX_READINGS:
                return readings
    return readings


def _short(value: str, markers: tuple[str, ...]) -> str:
    """The CBV short name of a business step or disposition given as a short name, URN or Web URI."""
    for marker in markers:
        if marker in value:
            return value.rsplit(marker, 1)[1]
    return value


def _step_label(biz_step: str, disposition: str) -> str:
    if disposition == Disposition.RETURNED and biz_step in _RETURN_STEP_LABELS:
        return str(_RETURN_STEP_LABELS[biz_step])
    return _label(_BIZ_STEP_LABELS, biz_step)


def _label(labels: Mapping[str, Any], short: str) -> str:
    label = labels.get(short)
    return str(label) if label is not None else short.replace("_", " ")


def _offset_zone(offset: str) -> timezone:
    """"+08:00" as a fixed zone; anything unreadable falls back to China Standard Time."""
    try:
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset.lstrip("+-").split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except ValueError:
        return timezone(timedelta(hours=8))


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def story_json(story: Story) -> bytes:
    """The story as the bytes that every channel serves: the API, content negotiation and the published file."""
    return json.dumps(story, ensure_ascii=False, separators=(",", ":")).encode()

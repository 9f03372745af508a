"""Writes for trace events (EPCIS 2.0 capture and simple recording) and places."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import TRACE_KINDS, Role
from xinren.accounts.models import Organization, User
from xinren.attest import keys, signing
from xinren.catalog.grants import grant_refusal, grant_scope
from xinren.catalog.models import Batch, Item, Product
from xinren.catalog.selectors import owners_trusting
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.http import json_depth_check
from xinren.core.outbox import pages_mark_stale
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError

from . import errors, plausible
from .choices import BizStep, EventType
from .epcis.building import event_build
from .epcis.documents import CaptureDocument, capture_document_parse
from .epcis.identifiers import gln_from_location, gln_is_valid
from .epcis.validation import ParsedEvent, event_parse
from .models import EventSubject, ExternalPrefix, Place, TraceEvent
from .statements import TRACE_EVENT, event_statement

# Keeps each IN (...) list well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500
_T = TypeVar("_T")


def _chunks(values: Iterable[_T]) -> Iterable[list[_T]]:
    batch: list[_T] = []
    for value in values:
        batch.append(value)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def epcis_capture(*, actor: Actor, document: dict[str, Any]) -> list[TraceEvent]:
    """Capture an EPCISDocument (or a single event) in EPCIS 2.0 JSON(-LD): every event, or none of them."""
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    capture = capture_document_parse(document)
    return _capture_store(actor=actor, capture=capture)


@transaction.atomic
def epcis_capture_signed(*, actor: Actor, envelopes: Sequence[bytes]) -> list[TraceEvent]:
    """Capture events that a third party signed itself: each envelope's statement is `trace.event` with one event.

    The signatures are checked against the organization's own registered keys, and the envelopes enter the log as
    they are, so the log proves the event came from its author and not from the platform.
    """
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    if not envelopes:
        raise InvalidInput(errors.FIELD_REQUIRED, _("请至少提交一个签名信封"), details={"field": "envelopes"})
    events = []
    for index, raw in enumerate(envelopes):
        statement = _signed_statement(raw, index=index)
        events.append(event_parse(statement["event"], index=index))
    plausible.events_check(events=events)
    _subjects_link(actor=actor, events=events)
    refs = signing.envelopes_submit(actor=actor, envelopes=list(envelopes))
    return _capture_store(
        actor=actor, capture=CaptureDocument(context=[], events=events), signed=[ref.leaf_hash for ref in refs]
    )


def _signed_statement(raw: bytes, *, index: int) -> dict[str, Any]:
    # Both the envelope and the statement it carries are bounded in depth before either is parsed.
    json_depth_check(raw, field=f"envelopes.{index}")
    try:
        payload = parse_envelope(raw).payload
        json_depth_check(payload, field=f"envelopes.{index}.payload")
        statement = json.loads(payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            errors.ENVELOPE_INVALID, _("签名信封格式错误"), details={"envelope": index, "reason": str(exc)}
        ) from exc
    if not isinstance(statement, dict) or statement.get("type") != TRACE_EVENT.name:
        raise InvalidInput(
            errors.ENVELOPE_INVALID,
            _("签名信封中的声明必须是 trace.event 类型"),
            details={"envelope": index, "field": "type"},
        )
    if not isinstance(statement.get("event"), dict):
        raise InvalidInput(
            errors.ENVELOPE_INVALID, _("声明中缺少 EPCIS 事件"), details={"envelope": index, "field": "event"}
        )
    return statement


@transaction.atomic
def event_record(
    *,
    actor: Actor,
    event_type: str,
    biz_step: str,
    event_time: datetime,
    identifiers: Sequence[str],
    action: str = "OBSERVE",
    disposition: str = "",
    place_id: int | None = None,
    read_point: str = "",
    quantity: Decimal | None = None,
    uom: str = "",
    parent: str = "",
    outputs: Sequence[str] = (),
    sensor_readings: Sequence[Mapping[str, Any]] = (),
    event_id: str = "",
) -> TraceEvent:
    """Record one event from simple fields; it is validated and stored exactly as a captured EPCIS event.

    `event_id` is its eventID when the caller derives one (a carrier's update id); a fresh UUID when blank."""
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    place = None
    if place_id is not None:
        place = Place.objects.filter(pk=place_id, organization=actor.organization).first()
        if place is None:
            raise NotFound(errors.PLACE_NOT_FOUND, _("找不到该地点"), details={"place_id": place_id})
    event = event_build(
        event_type=event_type,
        biz_step=biz_step,
        event_time=event_time,
        identifiers=identifiers,
        action=action,
        disposition=disposition,
        place_uri=place.uri if place is not None else None,
        read_point=read_point,
        quantity=quantity,
        uom=uom,
        parent=parent,
        outputs=outputs,
        sensor_readings=sensor_readings,
    )
    if event_id:
        event["eventID"] = event_id
    capture = CaptureDocument(context=[], events=[event_parse(event, index=0)])
    return _capture_store(actor=actor, capture=capture)[0]


@transaction.atomic
def delivery_receipt_record(
    *, organization: Organization, merchant: Organization, identifiers: Sequence[str], event_time: datetime,
    user: User | None = None, event_id: str = "",
) -> TraceEvent:
    """The receiving event at the buyer's end of a delivered shipment: its items, signed by who vouches for it.

    That is the carrier the merchant granted, when it reports the delivery, or the platform, when the signed-in
    buyer confirms it (consumers have no organization; the platform vouches for them as it does for reviews).
    The orders context calls this only after checking who may confirm the shipment, so the merchant whose items
    these are counts as trusting the signer here even without a partner grant. No place: the buyer's address
    never enters the log. The platform records no other trace event (it is not among TRACE_KINDS), which is how
    pages, promises and labels tell a buyer's confirmation from a carrier's report. `event_id` is the eventID to
    record it under (a carrier's update id, so that a resent update is recognised); a fresh one when blank.
    """
    event = event_build(
        event_type=EventType.OBJECT, biz_step=BizStep.RECEIVING, event_time=event_time, identifiers=identifiers,
        action="OBSERVE", disposition="", place_uri=None, read_point="", quantity=None, uom="", parent="",
        outputs=(), sensor_readings=(),
    )
    if event_id:
        event["eventID"] = event_id
    capture = CaptureDocument(context=[], events=[event_parse(event, index=0)])
    actor = Actor(organization=organization, role=Role.OWNER, user=user)
    return _capture_store(actor=actor, capture=capture, trusting=frozenset({merchant.pk}))[0]


@transaction.atomic
def place_create(
    *,
    actor: Actor,
    name: str,
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    gln: str = "",
    address: str = "",
) -> Place:
    """Add a place (farm, workshop, warehouse, lab) of the actor's organization; it gets a URI for events."""
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    name = name.strip()
    address = address.strip()
    if not name or len(name) > 128:
        raise InvalidInput(errors.PLACE_INVALID, _("请填写地点名称（不超过 128 字）"), details={"field": "name"})
    if len(address) > 256:
        raise InvalidInput(errors.PLACE_INVALID, _("地址不能超过 256 字"), details={"field": "address"})
    lat = _coordinate(latitude, limit=90, field="latitude")
    lng = _coordinate(longitude, limit=180, field="longitude")
    if (lat is None) != (lng is None):
        raise InvalidInput(
            errors.PLACE_COORDINATE_INVALID,
            _("纬度和经度须同时填写"),
            details={"field": "latitude" if lat is None else "longitude"},
        )
    gln = gln.strip()
    if gln:
        if not gln_is_valid(gln):
            raise InvalidInput(
                errors.PLACE_GLN_INVALID, _("GLN 须为 13 位数字且校验位正确"), details={"field": "gln", "gln": gln}
            )
        uri = f"{settings.XINREN_RESOLVER}/414/{gln}"
        if Place.objects.filter(Q(uri=uri) | Q(gln=gln)).exists():
            raise Conflict(errors.PLACE_GLN_TAKEN, _("该 GLN 已登记为另一个地点"), details={"field": "gln", "gln": gln})
    else:
        uri = f"urn:uuid:{uuid.uuid4()}"
    place = Place.objects.create(
        organization=actor.organization, name=name, gln=gln, address=address, latitude=lat, longitude=lng, uri=uri
    )
    audit_record(
        actor=actor.user, organization=actor.organization, action="place.create", target=place, data={"uri": uri}
    )
    return place


def _coordinate(value: Decimal | float | str | None, *, limit: int, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or not -limit <= number <= limit:
        raise InvalidInput(
            errors.PLACE_COORDINATE_INVALID,
            _("坐标超出范围（纬度 -90～90，经度 -180～180）"),
            details={"field": field, "value": str(value)},
        )
    return number.quantize(Decimal("0.000001"))


@transaction.atomic
def external_prefix_declare(*, actor: Actor, company_prefix: str, note: str = "") -> ExternalPrefix:
    """Declare a GS1 Company Prefix whose trade items the organization records without registering them here.

    Its events may then name those GTINs, lots and serials; pages mark them "外部标识" (ADR 0015).
    """
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    prefix = company_prefix.strip()
    note = note.strip()
    if not prefix.isascii() or not prefix.isdigit() or not 6 <= len(prefix) <= 12 or len(note) > 255:
        raise InvalidInput(
            errors.EXTERNAL_PREFIX_INVALID,
            _("厂商识别代码须为 6～12 位数字，说明不超过 255 字"),
            details={"field": "company_prefix" if len(note) <= 255 else "note", "value": company_prefix[:32]},
        )
    declared, created = ExternalPrefix.objects.get_or_create(
        organization=actor.organization, company_prefix=prefix, defaults={"note": note}
    )
    if created:
        audit_record(
            actor=actor.user, organization=actor.organization, action="trace.external_prefix", target=declared,
            data={"company_prefix": prefix},
        )
    return declared


# -- storing validated events ----------------------------------------------------------------------------------------


def _event_ids_check(*, actor: Actor, events: list[ParsedEvent]) -> None:
    """Give every event an eventID, and refuse one that is already recorded (or twice in the document).

    An error declaration shares the eventID of the event it corrects; only its recorder may declare it.
    """
    seen: set[tuple[str, bool]] = set()
    for parsed in events:
        if not parsed.event_id:
            parsed.event_id = f"urn:uuid:{uuid.uuid4()}"
            parsed.document["eventID"] = parsed.event_id
        key = (parsed.event_id, parsed.is_error_declaration)
        if key in seen:
            raise Conflict(
                errors.EVENT_ID_TAKEN,
                _("文档中有重复的事件 ID"),
                details={"event": parsed.index, "field": "eventID", "eventID": parsed.event_id},
            )
        seen.add(key)
    by_id = {parsed.event_id: parsed for parsed in events}
    recorded: dict[tuple[str, bool], int] = {}
    for chunk in _chunks(by_id):
        for event_id, is_declaration, organization_id in TraceEvent.objects.filter(event_id__in=chunk).values_list(
            "event_id", "is_error_declaration", "organization_id"
        ):
            recorded[(event_id, is_declaration)] = organization_id
    for parsed in events:
        if (parsed.event_id, parsed.is_error_declaration) in recorded:
            raise Conflict(
                errors.EVENT_ID_TAKEN,
                _("该事件 ID 已被记录"),
                details={"event": parsed.index, "field": "eventID", "eventID": parsed.event_id},
            )
        original = recorded.get((parsed.event_id, False))
        if parsed.is_error_declaration and original is not None and original != actor.organization.pk:
            raise PermissionDenied(
                errors.ERROR_DECLARATION_FORBIDDEN,
                _("只有记录该事件的组织可以声明它有误"),
                details={"event": parsed.index, "field": "errorDeclaration", "eventID": parsed.event_id},
            )


def _subjects_link(
    *, actor: Actor, events: list[ParsedEvent], trusting: frozenset[int] = frozenset()
) -> list[list[EventSubject]]:
    """EventSubject rows for each event, linked to registered products, batches and items.

    Refuses the whole capture when an identifier names a product of a merchant that has not granted the actor
    (nor is among `trusting`, merchants the caller has already checked).
    """
    gtins = {subject.identifier.gtin for parsed in events for subject in parsed.subjects if subject.identifier.gtin}
    products: dict[str, Product] = {}
    for chunk in _chunks(gtins):
        products.update({product.gtin: product for product in Product.objects.filter(gtin__in=chunk)})
    # Grants are per product or per lot (ADR 0039): owners with no grant in force are refused here, before the
    # lots are looked up; the product or lot itself is checked once it is known, below.
    scope = grant_scope(partner=actor.organization)
    trusted = {actor.organization.pk} | set(trusting)

    def refuse(parsed: ParsedEvent, subject: Any, product: Product, batch: Batch | None) -> PermissionDenied:
        return PermissionDenied(
            errors.IDENTIFIER_FORBIDDEN,
            grant_refusal(partner=actor.organization, product=product, batch=batch),
            details={"event": parsed.index, "field": subject.field, "identifier": subject.identifier.uri},
        )

    for parsed in events:
        for subject in parsed.subjects:
            product = products.get(subject.identifier.gtin)
            if product is not None and product.merchant_id not in trusted | scope.owners:
                raise refuse(parsed, subject, product, None)

    wanted_lots = {
        (products[s.identifier.gtin].pk, s.identifier.lot)
        for parsed in events
        for s in parsed.subjects
        if s.identifier.gtin in products and s.identifier.lot
    }
    wanted_serials = {
        (products[s.identifier.gtin].pk, s.identifier.serial)
        for parsed in events
        for s in parsed.subjects
        if s.identifier.gtin in products and s.identifier.serial
    }
    batches: dict[tuple[int, str], Batch] = {}
    for lot_keys in _chunks(wanted_lots):
        condition = Q()
        for product_id, lot in lot_keys:
            condition |= Q(product_id=product_id, lot=lot)
        batches.update({(batch.product_id, batch.lot): batch for batch in Batch.objects.filter(condition)})
    items: dict[tuple[int, str], Item] = {}
    for serial_keys in _chunks(wanted_serials):
        condition = Q()
        for product_id, serial in serial_keys:
            condition |= Q(product_id=product_id, serial=serial)
        items.update(
            {(item.product_id, item.serial): item for item in Item.objects.filter(condition).select_related("batch")}
        )

    prefixes = list(
        ExternalPrefix.objects.filter(organization=actor.organization).values_list("company_prefix", flat=True)
    )
    rows: list[list[EventSubject]] = []
    for parsed in events:
        event_rows: list[EventSubject] = []
        for subject in parsed.subjects:
            identifier = subject.identifier
            product = products.get(identifier.gtin)
            batch = item = None
            external = False
            if product is not None:
                batch = batches.get((product.pk, identifier.lot)) if identifier.lot else None
                item = items.get((product.pk, identifier.serial)) if identifier.serial else None
                if identifier.serial and item is None:
                    raise plausible.subject_unknown(parsed=parsed, field=subject.field, uri=identifier.uri, what="item")
                if identifier.lot and batch is None and item is None:
                    raise plausible.subject_unknown(parsed=parsed, field=subject.field, uri=identifier.uri, what="lot")
                if item is not None:
                    if identifier.lot and item.batch.lot != identifier.lot:
                        raise InvalidInput(
                            errors.IDENTIFIER_LOT_MISMATCH,
                            _("该单品不属于标识符中的批次"),
                            details={"event": parsed.index, "field": subject.field, "identifier": identifier.uri},
                        )
                    batch = item.batch
                if product.merchant_id not in trusted and not scope.covers(
                    owner_id=product.merchant_id, product_id=product.pk, batch_id=batch.pk if batch else None
                ):
                    raise refuse(parsed, subject, product, batch)
                plausible.existence_check(parsed=parsed, field=subject.field, batch=batch)
            elif identifier.gtin:
                if not plausible.declared_external(gtin=identifier.gtin, prefixes=prefixes):
                    raise plausible.subject_unknown(
                        parsed=parsed, field=subject.field, uri=identifier.uri, what="product"
                    )
                external = True
            event_rows.append(
                EventSubject(
                    role=subject.role,
                    uri=identifier.uri,
                    gtin=identifier.gtin,
                    lot=identifier.lot,
                    serial=identifier.serial,
                    quantity=subject.quantity,
                    uom=subject.uom,
                    product=product,
                    batch=batch,
                    item=item,
                    external=external,
                )
            )
        rows.append(event_rows)
    return rows


def _places_match(*, actor: Actor, events: list[ParsedEvent]) -> dict[str, Place]:
    """Places of the actor and of the organizations it works with, by URI and by GLN."""
    locations = {uri for parsed in events for uri in (parsed.biz_location, parsed.read_point) if uri}
    if not locations:
        return {}
    partners = Organization.objects.filter(
        Q(pk__in=owners_trusting(partner=actor.organization).values("pk"))
        | Q(grants_received__owner=actor.organization, grants_received__revoked_at__isnull=True)
    )
    glns = {gln for uri in locations if (gln := gln_from_location(uri))}
    places = Place.objects.filter(organization__in=partners).filter(Q(uri__in=locations) | Q(gln__in=glns))
    found: dict[str, Place] = {}
    by_gln = {}
    for place in places:
        found[place.uri] = place
        if place.gln:
            by_gln[place.gln] = place
    for uri in locations:
        if uri not in found and (gln := gln_from_location(uri)) in by_gln:
            found[uri] = by_gln[gln]
    return found


def _capture_store(
    *, actor: Actor, capture: CaptureDocument, signed: Sequence[str] | None = None,
    trusting: frozenset[int] = frozenset(),
) -> list[TraceEvent]:
    """Store validated events and their subjects; each event is signed into the log unless `signed` gives the
    leaf hashes of the envelopes its author already submitted (same order)."""
    events = capture.events
    plausible.events_check(events=events)
    _event_ids_check(actor=actor, events=events)
    subject_rows = _subjects_link(actor=actor, events=events, trusting=trusting)
    places = _places_match(actor=actor, events=events)
    now = clock.now()
    record_time = now.isoformat(timespec="milliseconds")
    leaf_hashes = list(signed) if signed is not None else []
    rows = []
    for position, parsed in enumerate(events):
        parsed.document["recordTime"] = record_time
        if signed is None:
            leaf_hashes.append(_event_sign(actor=actor, parsed=parsed))
        rows.append(
            TraceEvent(
                event_id=parsed.event_id,
                is_error_declaration=parsed.is_error_declaration,
                organization=actor.organization,
                recorded_by=actor.user,
                api_key=actor.api_key,
                event_type=parsed.event_type,
                action=parsed.action,
                biz_step=parsed.biz_step,
                disposition=parsed.disposition,
                event_time=parsed.event_time,
                event_time_zone_offset=parsed.event_time_zone_offset,
                record_time=now,
                read_point=parsed.read_point,
                biz_location=parsed.biz_location,
                place=places.get(parsed.biz_location) or places.get(parsed.read_point),
                document=parsed.document,
                context=capture.context,
                ledger_leaf_hash=leaf_hashes[position],
            )
        )
    try:
        with transaction.atomic():
            created = TraceEvent.objects.bulk_create(rows)
    except IntegrityError as exc:
        # Another capture recorded one of these eventIDs since we checked.
        raise Conflict(errors.EVENT_ID_TAKEN, _("该事件 ID 已被记录")) from exc
    subjects: list[EventSubject] = []
    for event, event_rows in zip(created, subject_rows, strict=True):
        for row in event_rows:
            row.event = event
            subjects.append(row)
    EventSubject.objects.bulk_create(subjects, batch_size=_CHUNK)

    for kind, ids in (
        ("item", {row.item_id for row in subjects if row.item_id}),
        ("batch", {row.batch_id for row in subjects if row.batch_id}),
        ("product", {row.product_id for row in subjects if row.product_id}),
    ):
        if ids:
            pages_mark_stale(kind=kind, object_ids=ids)
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="trace.capture",
        target=created[0],
        data={"count": len(created), "event_ids": [event.event_id for event in created[:20]]},
    )
    return created


def _event_sign(*, actor: Actor, parsed: ParsedEvent) -> str:
    """Sign one event with the organization's custodial key and pool it for the log; returns the leaf hash."""
    corrects = None
    if parsed.is_error_declaration:
        corrects = (
            TraceEvent.objects.filter(event_id=parsed.event_id, is_error_declaration=False)
            .values_list("ledger_leaf_hash", flat=True)
            .first()
        ) or None
    statement = event_statement(document=parsed.document, recorder=keys.owner_of(actor.organization), corrects=corrects)
    return signing.statement_sign_and_append(organization=actor.organization, statement=statement).leaf_hash

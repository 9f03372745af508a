"""Trace events as ledger statements: what is signed for each event, and whether a stored event still matches."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import TRACE_KINDS, OrganizationKind
from xinren.attest.records import same_instant, signed_record
from xinren.attest.registry import OBJECT, ORGANIZATION, statement_type

from .epcis import vocabulary as vocab
from .models import TraceEvent

TRACE_EVENT = statement_type(
    name="trace.event", context="trace",
    summary="One EPCIS 2.0 event as its recorder captured it (the platform signs a buyer's delivery confirmation).",
    signers=[*TRACE_KINDS, OrganizationKind.PLATFORM],
    properties={"recorder": ORGANIZATION, "event": OBJECT},
    required=["event"],
)
# Fields the platform adds to an event after its author signed it (recordTime always; eventID when absent).
PLATFORM_FIELDS = frozenset({"recordTime", "eventID"})
_SUBJECT_LISTS = (
    "epcList",
    "childEPCs",
    "inputEPCList",
    "outputEPCList",
)
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def event_subject(document: dict[str, Any]) -> str:
    """The identifier a statement is about: the first object the event names, else its eventID."""
    if isinstance(document.get("parentID"), str):
        return str(document["parentID"])
    for name in _SUBJECT_LISTS:
        values = document.get(name)
        if isinstance(values, list) and values and isinstance(values[0], str):
            return values[0]
    for name in _QUANTITY_LISTS:
        values = document.get(name)
        if isinstance(values, list) and values and isinstance(values[0], dict) and values[0].get("epcClass"):
            return str(values[0]["epcClass"])
    return str(document.get("eventID") or "urn:xinren:event")


def event_statement(*, document: dict[str, Any], recorder: str, corrects: str | None = None) -> dict[str, Any]:
    """The statement an organization signs for one event: the EPCIS event itself, as recorded."""
    statement: dict[str, Any] = {
        "type": TRACE_EVENT.name,
        "subject": event_subject(document),
        "recorder": recorder,
        "event": document,
    }
    if corrects:
        statement["corrects"] = corrects
    return statement


def event_matches_statement(*, document: dict[str, Any], statement: dict[str, Any]) -> bool:
    """True when the stored event says exactly what its signed statement says (tampering shows as False)."""
    signed = statement.get("event")
    if statement.get("type") != TRACE_EVENT.name or not isinstance(signed, dict):
        return False
    added = PLATFORM_FIELDS - set(signed)
    return {key: value for key, value in document.items() if key not in added} == signed


def _event_matches(event: Any, statement: dict[str, Any] | None) -> bool:
    """The stored document is the signed event, and the columns the pages show are the ones it gives (an edited
    `biz_step` or `event_time` column would otherwise be shown with a ✓)."""
    return (
        statement is not None
        and event_matches_statement(document=event.document, statement=statement)
        and _columns_match(event, event.document)
    )


def _columns_match(event: Any, document: dict[str, Any]) -> bool:
    try:
        biz_step = vocab.biz_step_normalise(document["bizStep"])[0] if "bizStep" in document else ""
    except (vocab.UnknownTerm, TypeError):
        return False
    return (
        event.event_type == document.get("type")
        and event.action == document.get("action", "")
        and event.biz_step == biz_step
        and event.disposition == document.get("disposition", "")
        and event.event_time_zone_offset == document.get("eventTimeZoneOffset")
        and event.event_id == document.get("eventID", "")
        and same_instant(document.get("eventTime"), event.event_time)
    )


TRACE_EVENT_RECORD = signed_record(
    model=TraceEvent, statement_type=TRACE_EVENT, matches=_event_matches,
    protected=("event_id", "organization", "event_type", "action", "biz_step", "disposition", "event_time",
               "document"),
    reads=("document", "event_type", "action", "biz_step", "disposition", "event_time", "event_time_zone_offset",
           "event_id"),
)

"""Every reading of a cold-chain product counts against its range, whoever recorded it (ADR 0015).

Carriers post readings per leg (`readings.py`, checked against the physical table of `core.plausible` and the
loggers' ±80 °C); anyone else records them inside trace events (the event form, the API, EPCIS capture), where
`trace.plausible` refuses impossible values. Here the readings of those events — every event naming the lot or one
of its items, by any recorder, carriers' own shipping events included — are measured against the product's
cold-chain profile. An event's reading is a single point in time: nothing shows an excursion was brief, so one
outside the range counts whatever the profile's tolerance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from typing_extensions import TypedDict

from xinren.catalog.models import Batch
from xinren.trace.epcis.validation import date_time_parse, is_number
from xinren.trace.models import TraceEvent

from .choices import ExcursionKind
from .models import ColdChainProfile

# The quantities a profile bounds, in the one unit each is compared in (nothing is converted).
_CHECKED = {"Temperature": "CEL", "RelativeHumidity": "P1"}


class EventReadingData(TypedDict, closed=True):
    """One reading recorded in a trace event and outside the product's range (°C or %)."""

    event_id: str
    recorded_by: str
    time: str  # the reading's own time, else the event's (ISO 8601)
    kind: str  # an ExcursionKind
    value: float
    limit: float
    leaf_hash: str


def _tenths(value: float) -> int:
    return int(Decimal(str(value)).scaleb(1).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _outside(quantity: str, tenths: int, profile: ColdChainProfile) -> tuple[str, int] | None:
    if quantity == "Temperature":
        if tenths > profile.temperature_max:
            return ExcursionKind.TOO_WARM, profile.temperature_max
        if tenths < profile.temperature_min:
            return ExcursionKind.TOO_COLD, profile.temperature_min
        return None
    if profile.humidity_max is not None and tenths > profile.humidity_max:
        return ExcursionKind.HUMID, profile.humidity_max
    if profile.humidity_min is not None and tenths < profile.humidity_min:
        return ExcursionKind.HUMID, profile.humidity_min
    return None


def _reports(document: Any) -> list[tuple[dict[str, Any], Any]]:
    """Every sensor report of an EPCIS event with the time its element's metadata gives."""
    found: list[tuple[dict[str, Any], Any]] = []
    elements = document.get("sensorElementList") if isinstance(document, dict) else None
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        raw_metadata = element.get("sensorMetadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        reports = element.get("sensorReport")
        for report in reports if isinstance(reports, list) else []:
            if isinstance(report, dict):
                found.append((report, report.get("time") or metadata.get("time")))
    return found


def event_readings_outside(*, batch: Batch, profile: ColdChainProfile | None) -> list[EventReadingData]:
    """The readings recorded in the lot's trace events that lie outside the product's range, oldest first."""
    if profile is None:
        return []
    events = (
        TraceEvent.objects.filter(
            subjects__batch=batch, is_error_declaration=False, document__has_key="sensorElementList"
        )
        .select_related("organization")
        .distinct()
        .order_by("event_time", "id")
    )
    outside: list[EventReadingData] = []
    for event in events:
        for report, raw_time in _reports(event.document):
            quantity = str(report.get("type", "")).rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            value = report.get("value")
            if quantity not in _CHECKED or report.get("uom") != _CHECKED[quantity] or not is_number(value):
                continue
            assert isinstance(value, int | float)
            crossed = _outside(quantity, _tenths(value), profile)
            if crossed is None:
                continue
            moment = date_time_parse(raw_time) or event.event_time
            outside.append({
                "event_id": event.event_id, "recorded_by": event.organization.name, "time": moment.isoformat(),
                "kind": str(crossed[0]), "value": float(value), "limit": crossed[1] / 10,
                "leaf_hash": event.ledger_leaf_hash,
            })  # fmt: skip
    return outside

"""The trace tests' pinned clock, and EPCIS document builders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinren.accounts.models import Organization
from xinren.core import clock
from xinren.core.models import AuditEntry, PageRefresh
from xinren.trace.epcis.vocabulary import EPCIS_CONTEXT
from xinren.trace.models import EventSubject, ExternalPrefix, Place, TraceEvent

NOW = dt.datetime(2026, 7, 3, 2, 0, tzinfo=dt.UTC)
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _now_is_3_july_2026(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


# The GS1 Company Prefixes of the GS1 examples (0614141 and the work group's ones): the trace tests name their trade
# items as a partner's external identifiers, declared as ADR 0015 requires.
GS1_EXAMPLE_PREFIXES = ("0614141", "4012345", "9520001", "4000001", "4023333", "9506000")


@pytest.fixture(autouse=True)
def _gs1_examples_are_external(merchant: Organization) -> None:
    ExternalPrefix.objects.bulk_create(
        [ExternalPrefix(organization=merchant, company_prefix=prefix) for prefix in GS1_EXAMPLE_PREFIXES]
    )


def object_event(**fields: Any) -> dict[str, Any]:
    """A valid ObjectEvent; `fields` replace or add members (a value of None removes one)."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-07-01T08:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    }
    for key, value in fields.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return event


def epcis(*events: dict[str, Any], context: list[Any] | None = None) -> dict[str, Any]:
    """An EPCISDocument holding `events`."""
    return {
        "@context": context if context is not None else [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-07-01T09:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def written() -> dict[str, int]:
    """How many rows a capture writes, by kind: compared before and after a refused one."""
    return {
        "events": TraceEvent.objects.count(),
        "subjects": EventSubject.objects.count(),
        "pages": PageRefresh.objects.count(),
        "audit": AuditEntry.objects.count(),
        "places": Place.objects.count(),
    }


NOTHING = {"events": 0, "subjects": 0, "pages": 0, "audit": 0, "places": 0}

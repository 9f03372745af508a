"""What is signed in the cold chain: a product's range (`coldchain.profile`), a delivery promise, sensor readings."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import BOOLEAN, COUNT, NONEMPTY, OBJECT, ORGANIZATION, TEXT, statement_type

from .models import ColdChainProfile, Promise, Reading, ReadingBatch

_RANGE = {
    "type": "object",
    "properties": {"min": {"type": "number"}, "max": {"type": "number"}, "uom": NONEMPTY},
    "required": ["min", "max", "uom"],
    "additionalProperties": False,
}
COLDCHAIN_PROFILE = statement_type(
    name="coldchain.profile", context="coldchain",
    summary="The temperature (and humidity) range a product must be kept in, and the tolerated minutes outside it.",
    signers=CATALOG_KINDS,
    properties={
        "recorder": ORGANIZATION, "version": {"type": "integer", "minimum": 1}, "temperature": _RANGE,
        "humidity": {"anyOf": [_RANGE, {"type": "null"}]}, "tolerance_minutes": COUNT,
    },
    required=["recorder", "version", "temperature", "tolerance_minutes"],
)
COLDCHAIN_PROMISE = statement_type(
    name="coldchain.promise", context="coldchain",
    summary="A delivery promise a merchant makes about a product (e.g. 48 hours farm to door), on or off.",
    signers=CATALOG_KINDS,
    properties={"recorder": ORGANIZATION, "kind": NONEMPTY, "hours": COUNT, "text": TEXT, "active": BOOLEAN},
    required=["recorder", "kind", "hours", "active"],
)
COLDCHAIN_READINGS = statement_type(
    name="coldchain.readings", context="coldchain",
    summary="A carrier's batch of sensor readings on a shipment leg: digest, summary, excursions found.",
    signers=[OrganizationKind.LOGISTICS],
    properties={
        "recorder": ORGANIZATION, "leg": OBJECT, "readings": OBJECT,
        "profile": {"anyOf": [OBJECT, {"type": "null"}]}, "excursions": {"type": "array", "items": OBJECT},
    },
    required=["recorder", "leg", "readings", "excursions"],
)


def _range(low: int | None, high: int | None, uom: str) -> dict[str, Any] | None:
    # Stored in tenths (of °C or %), signed as numbers in the unit.
    return None if low is None or high is None else {"min": low / 10, "max": high / 10, "uom": uom}


def profile_matches(profile: ColdChainProfile, statement: dict[str, Any] | None) -> bool:
    """The stored range is the one the merchant signed last (its version, both ranges, the tolerance)."""
    return statement_says(statement, {
        "type": COLDCHAIN_PROFILE.name, "version": profile.version,
        "temperature": _range(profile.temperature_min, profile.temperature_max, "CEL"),
        "humidity": _range(profile.humidity_min, profile.humidity_max, "P1"),
        "tolerance_minutes": profile.tolerance_minutes,
    })


def promise_matches(promise: Promise, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": COLDCHAIN_PROMISE.name, "kind": promise.kind, "hours": promise.hours, "text": promise.text,
        "active": promise.active,
    })


def readings_matches(batch: ReadingBatch, statement: dict[str, Any] | None) -> bool:
    """The batch row keeps the statement the carrier signed (without the time signing added) and its digest."""
    stored = dict(batch.statement or {})
    readings = stored.get("readings")
    if not isinstance(readings, dict):
        return False
    return (
        statement_says(statement, stored)
        and readings.get("sha256") == batch.sha256
        and readings.get("count") == batch.count
    )


# A product keeps one range and one promise: each change is a new signed version that replaces the row's content.
COLDCHAIN_PROFILE_RECORD = signed_record(
    model=ColdChainProfile, statement_type=COLDCHAIN_PROFILE, matches=profile_matches, signer="product.merchant",
    protected=("product", "temperature_min", "temperature_max", "humidity_min", "humidity_max", "tolerance_minutes",
               "version"),
    superseded=True, select_related=("product",),
)
COLDCHAIN_PROMISE_RECORD = signed_record(
    model=Promise, statement_type=COLDCHAIN_PROMISE, matches=promise_matches, signer="product.merchant",
    protected=("product", "kind", "hours", "text", "active"), superseded=True, select_related=("product",),
)
READING_BATCH_RECORD = signed_record(
    model=ReadingBatch, statement_type=COLDCHAIN_READINGS, matches=readings_matches, signer="leg.organization",
    protected=("leg", "count", "first_time", "last_time", "sha256", "statement"), select_related=("leg",),
    children=(Reading,),
)

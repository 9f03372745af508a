"""What is signed in the cold chain: a product's range (`coldchain.profile`), a delivery promise, sensor readings."""

from __future__ import annotations

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.registry import BOOLEAN, COUNT, NONEMPTY, OBJECT, ORGANIZATION, TEXT, statement_type

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

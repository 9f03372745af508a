"""What an accredited lab signs for a test report (`lab.report`), whether through the platform or with its own key."""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import DATE, GTIN, NONEMPTY, ORGANIZATION, TEXT, TIMESTAMP, statement_type

_MEASUREMENT = {
    "type": "object",
    "properties": {"indicator": NONEMPTY, "value": NONEMPTY, "unit": TEXT, "lod": TEXT},
    "required": ["indicator", "value", "unit"],
    "additionalProperties": False,
}
LAB_REPORT = statement_type(
    name="lab.report", context="lab",
    summary="A lab's test report on a sample of one lot: each indicator measured, graded by a versioned table.",
    signers=[OrganizationKind.LAB],
    properties={
        "report_id": {"type": "string", "format": "uuid", "minLength": 36, "maxLength": 36},
        "lab": ORGANIZATION,
        "accreditation": NONEMPTY,
        "gtin": GTIN,
        "lot": NONEMPTY,
        "sample_id": NONEMPTY,
        "sampled_at": {"anyOf": [TIMESTAMP, DATE]},
        "method": NONEMPTY,
        "table_version": NONEMPTY,
        "measurements": {"type": "array", "items": _MEASUREMENT, "minItems": 1},
    },
    required=["report_id", "lab", "gtin", "lot", "sample_id", "sampled_at", "table_version", "measurements"],
)

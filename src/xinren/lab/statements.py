"""What an accredited lab signs for a test report (`lab.report`), whether through the platform or with its own key."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.records import same_instant, signed_record, statement_says
from xinren.attest.registry import (
    COUNT,
    DATE,
    GTIN,
    NONEMPTY,
    ORGANIZATION,
    SHA256,
    TEXT,
    TIMESTAMP,
    statement_type,
)

from .models import LabMeasurement, LabReport

# How a statement says an indicator was not detected (below the detection limit).
NOT_DETECTED = "ND"

_MEASUREMENT = {
    "type": "object",
    "properties": {"indicator": NONEMPTY, "value": NONEMPTY, "unit": TEXT, "lod": TEXT},
    "required": ["indicator", "value", "unit"],
    "additionalProperties": False,
}
PDF_MEDIA_TYPE = "application/pdf"
# The lab's own report document: the SHA-256 of the file as stored (after the evidence pipeline stripped its
# metadata and scripts), so that anyone who downloads it can check it against what the lab signed (ADR 0038).
_PDF = {
    "type": "object",
    "properties": {"sha256": SHA256, "mediaType": {"const": PDF_MEDIA_TYPE}, "size": COUNT},
    "required": ["sha256", "mediaType"],
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
        "sampled_place": TEXT,
        "method": NONEMPTY,
        "table_version": NONEMPTY,
        "measurements": {"type": "array", "items": _MEASUREMENT, "minItems": 1},
        "pdf": _PDF,
    },
    required=["report_id", "lab", "gtin", "lot", "sample_id", "sampled_at", "table_version", "measurements"],
)


def _accreditation(value: object) -> str:
    # "CMA 171512345678", "cma:171512345678": the report stores the canonical spelling of what the lab wrote.
    return re.sub(r"[\s:：]", "", str(value or "")).upper()


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _measurement_matches(measurement: LabMeasurement, signed: object) -> bool:
    if not isinstance(signed, dict) or signed.get("indicator") != measurement.indicator:
        return False
    if signed.get("unit") != measurement.unit:
        return False
    value = signed.get("value")
    if measurement.not_detected:
        same_value = value == NOT_DETECTED
    else:
        same_value = value != NOT_DETECTED and _decimal(value) == measurement.value
    lod = signed.get("lod")
    same_lod = (lod is None and measurement.lod is None) or (lod is not None and _decimal(lod) == measurement.lod)
    return same_value and same_lod


def lab_report_matches(report: LabReport, statement: dict[str, Any] | None) -> bool:
    """The stored report and its measurements say what the lab signed (values compared as numbers, as the lab may
    have written them in another spelling when it signed itself)."""
    if not statement_says(statement, {
        "type": LAB_REPORT.name, "report_id": str(report.report_id), "lab": f"org:{report.lab_id}",
        "gtin": report.batch.product.gtin, "lot": report.batch.lot, "sample_id": report.sample_id,
        "method": report.method, "table_version": report.table_version,
    }):
        return False
    assert statement is not None
    signed = statement.get("measurements")
    pdf = statement.get("pdf")
    signed_pdf = pdf.get("sha256") if isinstance(pdf, dict) else None
    measured = sorted(report.measurements.all(), key=lambda m: m.position)
    return (
        same_instant(statement.get("sampled_at"), report.sampled_at)
        and _accreditation(statement.get("accreditation")) == _accreditation(report.accreditation)
        and (statement.get("sampled_place") or "") == report.sampled_place
        and signed_pdf == (report.pdf.sha256 if report.pdf is not None else None)
        and isinstance(signed, list) and len(signed) == len(measured)
        and all(_measurement_matches(m, s) for m, s in zip(measured, signed, strict=True))
    )


LAB_REPORT_RECORD = signed_record(
    model=LabReport, statement_type=LAB_REPORT, matches=lab_report_matches, signer="lab",
    protected=("report_id", "lab", "batch", "accreditation", "sample_id", "sampled_at", "sampled_place", "method",
               "table_version", "pdf"),
    select_related=("batch__product", "pdf"), prefetch_related=("measurements",), children=(LabMeasurement,),
)

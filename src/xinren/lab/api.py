"""API routes of lab reports: a lab issues or submits a signed report; anyone reads a report's scorecard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS, ErrorOut
from xinren.evidence.api import upload_bytes

from . import originals, selectors, services

router = Router(tags=["lab"])


class MeasurementIn(Schema):
    indicator: str = Field(examples=["lead"])
    value: str = Field(examples=["0.05", "ND"], description='A decimal number as a string, or "ND" (not detected)')
    unit: str = Field(examples=["mg/kg"])
    lod: str | None = Field(None, examples=["0.01"], description="The method's limit of detection")


class LabReportIn(Schema):
    batch_id: int
    accreditation: str = Field(examples=["CNAS L1234", "CMA 171512345678"])
    sample_id: str = Field(max_length=64)
    sampled_at: AwareDatetime
    method: str = Field(max_length=255, examples=["GB 5009.12-2017 第一法"])
    sampled_place: str = Field("", max_length=255, examples=["云南省楚雄州南华县 合作社仓库"])
    measurements: list[MeasurementIn]
    pdf_sha256: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$",
        description="The lab's own report PDF, uploaded first to POST /lab-reports/pdf: the sha256 it returned",
    )


class ReportPdfOut(Schema):
    sha256: str = Field(description="SHA-256 of the stored PDF (metadata and scripts stripped): sign this one")
    media_type: str
    size: int
    pages: int | None


class LabReportSignedIn(Schema):
    envelope: str = Field(description="A DSSE envelope as JSON text, exactly as signed; its payload is a "
                                      "`lab.report` statement")


@router.post("/lab-reports", response={201: dict[str, Any], **ERRORS}, summary="Issue a lab report on a batch")
def lab_report_issue(request: HttpRequest, payload: LabReportIn) -> Any:
    report = services.lab_report_issue(
        actor=actor_of(request),
        batch_id=payload.batch_id,
        accreditation=payload.accreditation,
        sample_id=payload.sample_id,
        sampled_at=payload.sampled_at,
        method=payload.method,
        measurements=[m.dict(exclude_none=True) for m in payload.measurements],
        sampled_place=payload.sampled_place,
        pdf=payload.pdf_sha256,
    )
    return Status(201, selectors.scorecard_for_report(report=report))


@router.post("/lab-reports/pdf", response={201: ReportPdfOut, **ERRORS},
             summary="Upload the lab's own report PDF (multipart), before the report that names it")
def lab_report_pdf_upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    media = originals.lab_report_pdf_upload(actor=actor_of(request), content=upload_bytes(file),
                                            filename=file.name or "")
    return Status(201, {"sha256": media.sha256, "media_type": media.mime, "size": media.size, "pages": media.pages})


@router.post(
    "/lab-reports/signed", response={201: dict[str, Any], **ERRORS}, summary="Submit a lab report the lab signed"
)
def lab_report_submit_signed(request: HttpRequest, payload: LabReportSignedIn) -> Any:
    report = services.lab_report_submit_signed(actor=actor_of(request), envelope_bytes=payload.envelope.encode())
    return Status(201, selectors.scorecard_for_report(report=report))


@router.get(
    "/lab-reports/{report_id}",
    response={200: dict[str, Any], 404: ErrorOut},
    auth=None,
    summary="A lab report's scorecard (public)",
)
def lab_report_scorecard(request: HttpRequest, report_id: int) -> Any:
    return selectors.scorecard_for_report(report=selectors.lab_report_get(report_id=report_id))

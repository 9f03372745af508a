"""The lab's own report document (报告原件): a PDF stored by digest through the evidence pipeline (ADR 0038).

A report names it by the SHA-256 of the stored bytes (after the pipeline stripped its metadata and scripts), in
the statement the lab signs; a lab that signs its own reports uploads the PDF first to learn that digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput
from xinren.evidence.choices import MediaKind
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest

from . import errors

_PDF_ONLY = frozenset({MediaKind.PDF.value})
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PdfUpload:
    """The bytes of a lab's report document as uploaded, with the name it came with."""

    content: bytes
    filename: str


def pdf_stored(*, sha256: Any, size: Any = None) -> MediaFile:
    """A PDF the evidence pipeline already stored, by the SHA-256 of its stored bytes."""
    media = None
    if isinstance(sha256, str) and _SHA256.fullmatch(sha256):
        media = MediaFile.objects.filter(sha256=sha256, kind=MediaKind.PDF).first()
    if media is None or (size is not None and size != media.size):
        raise InvalidInput(
            errors.PDF_UNKNOWN, _("找不到该报告原件：请先上传 PDF，再用返回的 SHA-256 出具报告"),
            details={"field": "pdf", "sha256": str(sha256)[:64]},
        )
    return media


def pdf_resolve(pdf: str | PdfUpload | None) -> MediaFile | None:
    """The PDF a report names: none, one uploaded with it (ingested now), or one stored before, by digest."""
    if pdf is None or pdf == "":
        return None
    if isinstance(pdf, PdfUpload):
        return media_ingest(content=pdf.content, filename=pdf.filename, kinds=_PDF_ONLY)
    return pdf_stored(sha256=pdf)


@transaction.atomic
def lab_report_pdf_upload(*, actor: Actor, content: bytes, filename: str) -> MediaFile:
    """Store a lab's report document (PDF only) through the evidence pipeline, before the report that names it.

    Sniffed, size-limited, stripped of metadata and scripts, stored once under the SHA-256 of the stored bytes:
    the digest a lab that signs its own reports puts in its statement's `pdf`.
    """
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LAB])
    media = media_ingest(content=content, filename=filename, kinds=_PDF_ONLY)
    audit_record(actor=actor.user, organization=actor.organization, action="lab_report.pdf_upload", target=media,
                 data={"sha256": media.sha256, "size": media.size, "pages": media.pages})
    return media

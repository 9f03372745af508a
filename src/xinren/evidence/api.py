"""Evidence media: upload and vouch, list, withdraw (mounted under /api/v1 in xinren.api.api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AwareDatetime

from xinren.accounts.authentication import actor_of
from xinren.core.errors import InvalidInput
from xinren.core.schemas import ERRORS

from . import errors, selectors, services
from .choices import MediaKind, Purpose
from .media.prepare import size_limit
from .models import Evidence

router = Router(tags=["evidence"])


class EvidenceIn(Schema):
    product_id: int | None = Field(None, description="Exactly one of product_id, batch_id, event_id")
    batch_id: int | None = None
    event_id: int | None = Field(None, description="The id of a trace event (as in the event list), not its URI")
    purpose: str = Field(examples=list(Purpose.values))
    caption: str = Field("", max_length=400, description="At most 200 characters after spaces are collapsed")
    taken_at: AwareDatetime | None = None


class MediaOut(Schema):
    sha256: str
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    duration_ms: int | None
    pages: int | None
    url: str
    thumbnail_url: str
    display_url: str | None


class EvidenceOut(Schema):
    id: int
    status: str
    purpose: str
    caption: str
    taken_at: datetime | None
    organization: str
    product_id: int | None
    batch_id: int | None
    event_id: int | None
    leaf_hash: str = Field(description="Leaf hash of the signed evidence.media statement in the log")
    withdrawn_reason: str
    withdrawal_leaf_hash: str
    media: MediaOut
    created_at: datetime

    @staticmethod
    def resolve_organization(obj: Evidence) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_media(obj: Evidence) -> dict[str, Any]:
        media = obj.media
        return {
            "sha256": media.sha256, "kind": media.kind, "mime": media.mime, "size": media.size,
            "width": media.width, "height": media.height, "duration_ms": media.duration_ms, "pages": media.pages,
            "url": media.url, "thumbnail_url": media.thumbnail_url, "display_url": media.display_url,
        }


class EvidenceFilter(Schema):
    product: int
    batch: int | None = None


class WithdrawIn(Schema):
    reason: str = Field(max_length=1000)


def upload_bytes(upload: UploadedFile) -> bytes:
    """The upload's bytes, refused before reading when it is larger than any kind may be."""
    largest = max(size_limit(kind) for kind in MediaKind.values)
    if upload.size is not None and upload.size > largest:
        raise InvalidInput(errors.TOO_LARGE, _("文件过大"), details={"size": upload.size, "max_bytes": largest})
    return upload.read()


@router.post("/evidence", response={201: EvidenceOut, **ERRORS},
             summary="Upload a photo, video or PDF and vouch for it (multipart)")
def evidence_create(request: HttpRequest, file: File[UploadedFile], payload: Form[EvidenceIn]) -> Any:
    evidence = services.evidence_upload(
        actor=actor_of(request), content=upload_bytes(file), filename=file.name or "", product_id=payload.product_id,
        batch_id=payload.batch_id, event_id=payload.event_id, purpose=payload.purpose, caption=payload.caption,
        taken_at=payload.taken_at,
    )
    return Status(201, evidence)


@router.get("/evidence", response={200: list[EvidenceOut], **ERRORS}, summary="Evidence on a product or lot")
def evidence_list(request: HttpRequest, filters: Query[EvidenceFilter]) -> Any:
    return selectors.evidence_list(actor=actor_of(request), product_id=filters.product, batch_id=filters.batch)


@router.post("/evidence/{evidence_id}/withdraw", response={200: EvidenceOut, **ERRORS},
             summary="Withdraw evidence your organization vouched for")
def evidence_withdraw(request: HttpRequest, evidence_id: int, payload: WithdrawIn) -> Any:
    actor = actor_of(request)
    evidence = selectors.evidence_get_own(actor=actor, evidence_id=evidence_id)
    return services.evidence_withdraw(actor=actor, evidence=evidence, reason=payload.reason)

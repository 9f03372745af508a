"""/api/v1/merchant-applications: a person's own applications to sell, and the reviewers' queue and decisions.

An applicant has no organization yet, so the applicant's endpoints take any signed-in browser session (the
`Applicant` scheme yields the `User`); reviewers call with a platform API key or a platform member's session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, Status, UploadedFile

from xinren.accounts.authentication import SignedInSession, actor_of
from xinren.accounts.consumers import phone_mask
from xinren.accounts.models import User
from xinren.core.errors import DomainError
from xinren.core.schemas import ERRORS
from xinren.evidence.api import upload_bytes
from xinren.governance.models import MerchantApplication
from xinren.governance.selectors import applications as selectors
from xinren.governance.services import applications as services


class ApplicantSession(SignedInSession):
    """Any signed-in person (an applicant needs no organization)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None or isinstance(request.user, AnonymousUser):
            return None
        return request.user if isinstance(request.user, User) else None


APPLICANT = [ApplicantSession()]
router = Router(tags=["merchant-applications"])


def _applicant(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise DomainError("auth.required", _("请先登录"), status=401)
    return user


class QualificationIn(Schema):
    kind: str = Field(examples=["food_business"])
    number: str = Field(examples=["JY15301020000001"])
    holder_name: str
    holder_uscc: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    scope: list[str] = Field(default_factory=list, description="product categories the licence covers")
    scan_id: int | None = Field(None, description="from POST /merchant-applications/scans")


class ApplicationIn(Schema):
    company_name: str = ""
    uscc: str = ""
    legal_rep_name: str = ""
    legal_rep_id_number: str = Field("", description="kept only as a keyed hash and its last 4; blank keeps it")
    contact_phone: str = ""
    categories: list[str] = Field(default_factory=list)
    qualifications: list[QualificationIn] = Field(default_factory=list)


class SubmitIn(Schema):
    legal_rep_id_number: str = Field(description="asked again at submission: only its hash is stored")


class DecisionIn(Schema):
    decision: str = Field(examples=["approve", "request_changes", "reject"])
    reasons: list[str] = Field(default_factory=list, description="check rule ids and review.* reason codes")
    note: str = ""


class ScanOut(Schema):
    id: int
    sha256: str
    mime: str


class QualificationOut(Schema):
    kind: str
    number: str
    holder_name: str
    holder_uscc: str
    issuer: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    scope: list[str]
    scan_id: int | None
    scan_sha256: str


class CheckOut(Schema):
    rule: str
    outcome: str
    message: str
    qualification: int | None
    details: dict[str, Any]


class DecisionOut(Schema):
    decision: str
    reasons: list[str]
    note: str
    decided_at: dt.datetime
    leaf_hash: str


class ApplicationOut(Schema):
    public_id: str
    status: str
    company_name: str
    uscc: str
    legal_rep_name: str
    legal_rep_id_masked: str
    contact_phone_masked: str
    categories: list[str]
    qualifications: list[QualificationOut]
    checks: list[CheckOut]
    decisions: list[DecisionOut]
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    organization_id: int | None


def _out(application: MerchantApplication) -> dict[str, Any]:
    return {
        "public_id": application.public_id, "status": application.status,
        "company_name": application.company_name, "uscc": application.uscc,
        "legal_rep_name": application.legal_rep_name, "legal_rep_id_masked": application.legal_rep_id_masked,
        "contact_phone_masked": phone_mask(application.contact_phone), "categories": application.categories,
        "qualifications": [
            {"kind": q.kind, "number": q.number, "holder_name": q.holder_name, "holder_uscc": q.holder_uscc,
             "issuer": q.issuer, "valid_from": q.valid_from, "valid_until": q.valid_until, "scope": q.scope,
             "scan_id": q.scan_id, "scan_sha256": q.scan.media.sha256 if q.scan else ""}
            for q in application.qualifications.select_related("scan__media")
        ],
        "checks": [services.check_as_dict(c) for c in application.checks.all()],
        "decisions": [
            {"decision": d.decision, "reasons": d.reasons, "note": d.note, "decided_at": d.decided_at,
             "leaf_hash": d.ledger_leaf_hash}
            for d in application.decisions.all()
        ],
        "submitted_at": application.submitted_at, "decided_at": application.decided_at,
        "organization_id": application.organization_id,
    }  # fmt: skip


def _data(payload: ApplicationIn) -> services.ApplicationData:
    fields = payload.model_dump()
    qualifications = tuple(
        services.QualificationData(**{**q, "scope": tuple(q["scope"])}) for q in fields.pop("qualifications")
    )
    return services.ApplicationData(
        **{**fields, "categories": tuple(fields["categories"]), "qualifications": qualifications}
    )


@router.post("/scans", response={201: ScanOut, **ERRORS}, auth=APPLICANT, summary="Upload a qualification scan")
def application_scan_upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    scan = services.application_scan_upload(
        user=_applicant(request), content=upload_bytes(file), filename=file.name or "scan"
    )
    return Status(201, {"id": scan.pk, "sha256": scan.media.sha256, "mime": scan.media.mime})


@router.post("", response={201: ApplicationOut, **ERRORS}, auth=APPLICANT, summary="Start an application to sell")
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    application = services.application_create(user=_applicant(request), data=_data(payload))
    return Status(201, _out(application))


@router.get("", response={200: list[ApplicationOut], **ERRORS}, auth=APPLICANT, summary="My applications")
def application_list(request: HttpRequest) -> Any:
    return [_out(a) for a in selectors.application_list_for_user(user=_applicant(request))]


@router.get("/queue", response={200: list[ApplicationOut], **ERRORS}, summary="Reviewers: the queue, oldest first")
def application_queue(request: HttpRequest) -> Any:
    return [_out(entry.application) for entry in selectors.application_queue(actor=actor_of(request))]


@router.get("/review/{public_id}", response={200: ApplicationOut, **ERRORS}, summary="Reviewers: one application")
def application_review_get(request: HttpRequest, public_id: str) -> Any:
    return _out(selectors.application_get_for_reviewer(actor=actor_of(request), public_id=public_id))


@router.post("/{public_id}/decision", response={200: DecisionOut, **ERRORS}, summary="Reviewers: decide")
def application_decide(request: HttpRequest, public_id: str, payload: DecisionIn) -> Any:
    decision = services.application_decide(actor=actor_of(request), public_id=public_id, **payload.model_dump())
    return {"decision": decision.decision, "reasons": decision.reasons, "note": decision.note,
            "decided_at": decision.decided_at, "leaf_hash": decision.ledger_leaf_hash}  # fmt: skip


@router.get("/{public_id}", response={200: ApplicationOut, **ERRORS}, auth=APPLICANT, summary="My application")
def application_get(request: HttpRequest, public_id: str) -> Any:
    return _out(selectors.application_get_for_user(user=_applicant(request), public_id=public_id))


@router.put("/{public_id}", response={200: ApplicationOut, **ERRORS}, auth=APPLICANT, summary="Edit my application")
def application_update(request: HttpRequest, public_id: str, payload: ApplicationIn) -> Any:
    return _out(services.application_update(user=_applicant(request), public_id=public_id, data=_data(payload)))


@router.post("/{public_id}/submit", response={200: ApplicationOut, **ERRORS}, auth=APPLICANT, summary="Submit")
def application_submit(request: HttpRequest, public_id: str, payload: SubmitIn) -> Any:
    application = services.application_submit(
        user=_applicant(request), public_id=public_id, legal_rep_id_number=payload.legal_rep_id_number
    )
    return _out(application)

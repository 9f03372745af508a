"""Governance API: merchants submit credentials and read the signed verification results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja import Query as NinjaQuery

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS

from . import selectors, services
from .choices import CredentialKind

router = Router(tags=["verification"])


class CredentialIn(Schema):
    kind: CredentialKind
    number: str = Field(examples=["CN-ORG-2026-000123"])
    holder_name: str = Field("", description="defaults to the organization's name")
    evidence_id: int | None = Field(None, description="the certificate scan, uploaded as evidence first")


class CheckOut(Schema):
    id: int
    credential_id: int | None
    organization_id: int
    kind: str
    number: str
    holder_name: str
    holder_uscc: str
    verifier: str
    source: str
    status: str
    checked_at: dt.datetime
    valid_until: dt.date | None
    details: dict[str, Any]
    leaf_hash: str = Field(alias="ledger_leaf_hash")


class CredentialOut(Schema):
    id: int
    kind: str
    number: str
    holder_name: str
    status: str
    evidence_id: int | None
    evidence_leaf_hash: str
    created_at: dt.datetime


@router.post("/credentials", response={201: CredentialOut, **ERRORS}, summary="Submit a certificate to verify")
def credential_submit(request: HttpRequest, payload: CredentialIn) -> Any:
    credential = services.credential_submit(
        actor=actor_of(request),
        kind=payload.kind,
        number=payload.number,
        holder_name=payload.holder_name,
        evidence_id=payload.evidence_id,
    )
    return Status(201, credential)


@router.get("/credentials", response={200: list[CredentialOut], **ERRORS}, summary="Your organization's credentials")
def credential_list(request: HttpRequest) -> Any:
    return list(selectors.credential_list(actor=actor_of(request))[:500])


@router.post(
    "/credentials/{credential_id}/recheck", response={201: CheckOut, **ERRORS}, summary="Verify a credential again"
)
def credential_recheck(request: HttpRequest, credential_id: int) -> Any:
    return Status(201, services.credential_recheck(actor=actor_of(request), credential_id=credential_id))


@router.post(
    "/credentials/{credential_id}/withdraw", response={200: CredentialOut, **ERRORS}, summary="Withdraw a credential"
)
def credential_withdraw(request: HttpRequest, credential_id: int) -> Any:
    return services.credential_withdraw(actor=actor_of(request), credential_id=credential_id)


@router.get(
    "/verification-results",
    response={200: list[CheckOut], **ERRORS},
    summary="Signed verification results about your organization (all of them for the platform)",
)
def verification_results(
    request: HttpRequest,
    credential_id: int | None = NinjaQuery(None, ge=1, le=2**63 - 1),  # a database id
) -> Any:
    checks = selectors.check_list(actor=actor_of(request))
    if credential_id is not None:
        checks = checks.filter(credential_id=credential_id)
    return list(checks[:500])

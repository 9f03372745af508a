"""Writes: importing registries, submitting and checking credentials, signing each result into the log.

Every check is a `verification.result` statement signed by the platform organization: the platform vouches
that it asked a named verifier (and which registry import it answered from), not that the certificate is
genuine forever. Labels read the verifier again on every evaluation, so a revoked certificate stops
earning its label as soon as the registry says so (docs/verification.md).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.models import Organization
from xinren.accounts.services import platform_organization
from xinren.attest import keys, signing
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_check
from xinren.evidence.choices import EvidenceStatus, Purpose
from xinren.evidence.models import Evidence

from . import errors
from .choices import CREDENTIAL_TRANSITIONS, CredentialKind, CredentialStatus, VerificationStatus
from .events import CREDENTIAL_CHANGED
from .models import Credential, CredentialCheck, RegistryImport, RegistryRecord
from .registry_csv import RegistryCsvError, registry_csv_parse
from .statements import VERIFICATION_REGISTRY, VERIFICATION_RESULT
from .verifiers import VerificationResult, verifier_for


def _products_of(organization_ids: list[int]) -> list[int]:
    return list(Product.objects.filter(merchant_id__in=organization_ids).values_list("pk", flat=True))


@transaction.atomic
def registry_import(
    *, kind: str, source: str, data: bytes, filename: str = "", imported_by: str = ""
) -> RegistryImport:
    """Replace the rows of one registry source with a new CSV export: all rows, or none with every error listed."""
    if kind not in CredentialKind.values:
        raise InvalidInput(
            errors.REGISTRY_KIND_INVALID,
            _("未知的证照类型"),
            details={"kind": kind, "expected": list(CredentialKind.values)},
        )
    source = source.strip()
    if not 1 <= len(source) <= 128:
        raise InvalidInput(errors.REGISTRY_SOURCE_INVALID, _("请填写数据来源（1–128 字）"))
    try:
        rows = registry_csv_parse(data)
    except RegistryCsvError as exc:
        raise InvalidInput(
            errors.REGISTRY_CSV_INVALID,
            _("名录文件有误，未导入任何记录"),
            details={"errors": [error.as_dict() for error in exc.errors]},
        ) from None
    now = clock.now()
    # Locking the source's import rows orders two imports of one source; the version counts up without gaps.
    previous = list(RegistryImport.objects.select_for_update().filter(kind=kind, source=source))
    version = (RegistryImport.objects.filter(kind=kind, source=source).aggregate(v=Max("version"))["v"] or 0) + 1
    RegistryRecord.objects.filter(kind=kind, source=source).delete()
    RegistryImport.objects.filter(pk__in=[p.pk for p in previous], superseded_at__isnull=True).update(superseded_at=now)
    sha256 = hashlib.sha256(data).hexdigest()
    record = RegistryImport.objects.create(
        kind=kind,
        source=source,
        version=version,
        filename=filename[:255],
        sha256=sha256,
        row_count=len(rows),
        imported_by=imported_by[:128],
    )
    RegistryRecord.objects.bulk_create(
        [
            RegistryRecord(
                registry_import=record,
                kind=kind,
                source=source,
                row_number=row.row_number,
                number=row.number,
                holder_name=row.holder_name,
                holder_uscc=row.holder_uscc,
                scope=row.scope,
                region=row.region,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                status=row.status,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    platform = platform_organization()
    signing.statement_sign_and_append(
        organization=platform,
        statement={
            "type": VERIFICATION_REGISTRY.name,
            "subject": f"registry:{kind}:{source}",
            "kind": kind,
            "source": source,
            "version": version,
            "sha256": sha256,
            "rows": len(rows),
            "time": now.isoformat(),
        },
    )
    # Labels read the registry on every evaluation; published pages of holders of this kind must be redrawn.
    holders = list(Credential.objects.filter(kind=kind).values_list("organization_id", flat=True).distinct())
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=_products_of(holders))
    audit_record(
        actor=None,
        organization=platform,
        action="registry.import",
        target=record,
        data={"kind": kind, "source": source, "version": version, "rows": len(rows), "imported_by": imported_by[:128]},
    )
    return record


def _result_statement(check: CredentialCheck, organization: Organization) -> dict[str, Any]:
    return {
        "type": VERIFICATION_RESULT.name,
        "subject": keys.owner_of(organization),
        "kind": check.kind,
        "number": check.number,
        "holder_name": check.holder_name,
        "holder_uscc": check.holder_uscc,
        "verifier": check.verifier,
        "source": check.source,
        "status": check.status,
        "valid_until": check.valid_until.isoformat() if check.valid_until else None,
        "time": check.checked_at.isoformat(),
    }


def check_statement(check: CredentialCheck) -> dict[str, Any]:
    """The statement the platform signed for a check (what a reader compares the logged bytes with)."""
    return _result_statement(check, check.organization)


def _check_record(
    *, organization: Organization, kind: str, number: str, holder_name: str, credential: Credential | None
) -> CredentialCheck:
    holder_uscc = organization.uscc or ""
    result: VerificationResult = verifier_for(kind).verify(
        kind=kind, number=number, holder_name=holder_name, holder_uscc=holder_uscc or None, at=clock.now()
    )
    check = CredentialCheck(
        credential=credential,
        organization=organization,
        kind=kind,
        number=number,
        holder_name=holder_name,
        holder_uscc=holder_uscc,
        verifier=result.verifier,
        source=result.source,
        status=result.status,
        checked_at=result.checked_at,
        valid_until=result.valid_until,
        details=result.details,
    )
    ref = signing.statement_sign_and_append(
        organization=platform_organization(), statement=_result_statement(check, organization)
    )
    check.ledger_leaf_hash = ref.leaf_hash
    check.save()
    return check


def _evidence_leaf_hash(*, actor: Actor, evidence_id: int | None) -> str:
    """The leaf hash of the certificate scan the merchant uploaded through the evidence pipeline."""
    if evidence_id is None:
        return ""
    evidence = Evidence.objects.filter(
        pk=evidence_id, organization=actor.organization, status=EvidenceStatus.ACTIVE, purpose=Purpose.CERTIFICATE
    ).first()
    if evidence is None:
        raise InvalidInput(
            errors.EVIDENCE_INVALID,
            _("找不到该证书文件（须是本组织上传、用途为“证书”且未撤回的证据）"),
            details={"field": "evidence_id", "evidence_id": evidence_id},
        )
    return evidence.leaf_hash


@transaction.atomic
def credential_submit(
    *, actor: Actor, kind: str, number: str, holder_name: str = "", evidence_id: int | None = None
) -> Credential:
    """A merchant submits a certificate number (and its scan); it is verified at once and the result signed."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    if kind not in CredentialKind.values:
        raise InvalidInput(errors.CREDENTIAL_INVALID, _("未知的证照类型"), details={"field": "kind"})
    number = number.strip()
    if not 1 <= len(number) <= 64:
        raise InvalidInput(errors.CREDENTIAL_INVALID, _("请填写证书编号（1–64 字符）"), details={"field": "number"})
    holder_name = (holder_name.strip() or actor.organization.name)[:128]
    if (
        Credential.objects.filter(organization=actor.organization, kind=kind, number=number)
        .exclude(status=CredentialStatus.WITHDRAWN)
        .exists()
    ):
        raise Conflict(
            errors.CREDENTIAL_EXISTS,
            _("该证书已提交过，可在列表中重新核验"),
            details={"field": "number", "number": number},
        )
    evidence_leaf_hash = _evidence_leaf_hash(actor=actor, evidence_id=evidence_id)
    credential = Credential.objects.create(
        organization=actor.organization,
        kind=kind,
        number=number,
        holder_name=holder_name,
        status=CredentialStatus.FAILED,
        submitted_by=actor.user,
        evidence_id=evidence_id,
        evidence_leaf_hash=evidence_leaf_hash,
    )
    check = _check_record(
        organization=actor.organization, kind=kind, number=number, holder_name=holder_name, credential=credential
    )
    if check.status == VerificationStatus.VALID:
        _transition(credential, CredentialStatus.VERIFIED)
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=_products_of([actor.organization.pk]))
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="credential.submit",
        target=credential,
        data={"kind": kind, "number": number, "result": check.status, "leaf_hash": check.ledger_leaf_hash},
    )
    return credential


def _own_credential(actor: Actor, credential_id: int) -> Credential:
    credential = (
        Credential.objects.select_for_update().filter(pk=credential_id, organization=actor.organization).first()
    )
    if credential is None:
        raise NotFound(errors.CREDENTIAL_NOT_FOUND, _("找不到该证书"))
    return credential


def _transition(credential: Credential, status: str) -> None:
    if status == credential.status:
        return
    transition_check(
        CREDENTIAL_TRANSITIONS, credential.status, status, code=errors.CREDENTIAL_TRANSITION,
        message=_("证书当前状态不允许此操作"),
    )
    credential.status = status
    credential.save(update_fields=["status", "updated_at"])
    CREDENTIAL_CHANGED.announce(organization_id=credential.organization_id)


@transaction.atomic
def credential_recheck(*, actor: Actor, credential_id: int) -> CredentialCheck:
    """Ask the verifier again (e.g. after a renewal was imported); the new result is signed like the first."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    credential = _own_credential(actor, credential_id)
    if credential.status == CredentialStatus.WITHDRAWN:
        raise Conflict(errors.CREDENTIAL_TRANSITION, _("证书已撤回，不能重新核验"), details={"from": credential.status})
    check = _check_record(
        organization=actor.organization,
        kind=credential.kind,
        number=credential.number,
        holder_name=credential.holder_name,
        credential=credential,
    )
    _transition(
        credential, CredentialStatus.VERIFIED if check.status == VerificationStatus.VALID else CredentialStatus.FAILED
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=_products_of([actor.organization.pk]))
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="credential.recheck",
        target=credential,
        data={"result": check.status, "leaf_hash": check.ledger_leaf_hash},
    )
    return check


@transaction.atomic
def credential_withdraw(*, actor: Actor, credential_id: int) -> Credential:
    """The merchant withdraws a credential: labels that rested on it disappear."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    credential = _own_credential(actor, credential_id)
    _transition(credential, CredentialStatus.WITHDRAWN)
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=_products_of([actor.organization.pk]))
    audit_record(actor=actor.user, organization=actor.organization, action="credential.withdraw", target=credential)
    return credential

"""Applications to sell: the applicant's draft and submission, the automatic checks, and the reviewer's decision.

The applicant has no organization yet, so the applicant's services take the signed-in `User`; another person's
application is NotFound. Reviewers are platform members (staff and up) and act as an `Actor`. Every decision is a
`governance.application.decision` statement signed by the platform; an approval creates the merchant organization,
its owner membership and a credential per qualification, and starts probation, all in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts import blacklist
from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.consumers import phone_normalize
from xinren.accounts.keyed import keyed_hash
from xinren.accounts.models import Organization, User
from xinren.accounts.services import organization_create
from xinren.attest import signing
from xinren.catalog.choices import ProductCategory
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.tasks import Event
from xinren.core.transitions import transition_check
from xinren.evidence.choices import MediaKind
from xinren.evidence.services import media_ingest
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from ..checks import ApplicantInput, CheckContext, CheckResult, QualificationInput, application_checks
from ..checks.context import db_check_context
from ..choices import (
    APPLICATION_EDITABLE,
    APPLICATION_TRANSITIONS,
    DECISION_STATUS,
    ApplicationDecisionKind,
    ApplicationStatus,
    CheckOutcome,
    ReviewReason,
)
from ..models import (
    ApplicationCheck,
    ApplicationDecision,
    ApplicationQualification,
    ApplicationScan,
    MerchantApplication,
)
from ..statements.applications import application_decision_statement
from .probation import probation_start

# Stable error codes (docs/governance.md).
NOT_FOUND = "application.not_found"
FIELD_INVALID = "application.field_invalid"
INCOMPLETE = "application.incomplete"
ID_NUMBER_INVALID = "application.id_number_invalid"
ID_NUMBER_MISMATCH = "application.id_number_mismatch"
NOT_EDITABLE = "application.not_editable"
TRANSITION = "application.transition"
CHECKS_FAILED = "application.checks_failed"
UNAVAILABLE = "application.unavailable"
LIVE_EXISTS = "application.live_exists"
SCAN_INVALID = "application.scan_invalid"
DECISION_INVALID = "application.decision_invalid"
REASON_REQUIRED = "application.reason_required"
REASON_INVALID = "application.reason_invalid"

QUALIFICATIONS_MAX = 12
NOTE_MAX = 1000
SCAN_KINDS = frozenset({MediaKind.IMAGE, MediaKind.PDF})
_BEIJING = dt.timezone(dt.timedelta(hours=8))
_PUBLIC_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Announced when a reviewer decides (the notify context may subscribe: ADR 0013); keywords: application, decision.
APPLICATION_DECIDED = Event("governance.application_decided")


@dataclass(frozen=True)
class QualificationData:
    """One qualification as entered: `scan_id` is an `ApplicationScan` the same person uploaded."""

    kind: str
    number: str
    holder_name: str
    holder_uscc: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    scope: tuple[str, ...] = ()
    scan_id: int | None = None


@dataclass(frozen=True)
class ApplicationData:
    """What the applicant entered. A blank `legal_rep_id_number` keeps the one stored (as a hash) before."""

    company_name: str = ""
    uscc: str = ""
    legal_rep_name: str = ""
    legal_rep_id_number: str = ""
    contact_phone: str = ""
    categories: tuple[str, ...] = ()
    qualifications: tuple[QualificationData, ...] = ()


def id_number_is_valid(value: str) -> bool:
    """A mainland resident ID number (GB 11643): 17 digits and the ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def _id_number_clean(value: str) -> str:
    number = re.sub(r"\s", "", value or "").upper()
    if not id_number_is_valid(number):
        # The number is never echoed back: it stays out of logs and responses.
        raise InvalidInput(
            ID_NUMBER_INVALID,
            _("法定代表人身份证号无效：请核对18位号码（最后一位可能是 X）"),
            details={"field": "legal_rep_id_number"},
        )
    return number


def _invalid(field: str, message: Any) -> InvalidInput:
    return InvalidInput(FIELD_INVALID, message, details={"field": field})


def _text(value: str, field: str, limit: int, label: Any) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise _invalid(field, _("%(label)s最多 %(limit)d 字") % {"label": label, "limit": limit})
    return text


def _categories(values: Sequence[str], field: str) -> list[str]:
    unknown = [v for v in values if v not in ProductCategory.values]
    if unknown:
        raise InvalidInput(FIELD_INVALID, _("未知的商品品类"), details={"field": field, "unknown": unknown})
    return list(dict.fromkeys(values))


def _qualification_rows(*, user: User, items: Sequence[QualificationData]) -> list[ApplicationQualification]:
    if len(items) > QUALIFICATIONS_MAX:
        raise _invalid("qualifications", _("资质最多 %(n)d 项") % {"n": QUALIFICATIONS_MAX})
    rows = []
    for index, item in enumerate(items):
        prefix = f"qualifications.{index}"
        if item.kind not in CredentialKind.values:
            raise _invalid(f"{prefix}.kind", _("未知的证照类型"))
        number = _text(item.number, f"{prefix}.number", 64, _("证照编号")).upper()
        if not number:
            raise _invalid(f"{prefix}.number", _("请填写证照编号"))
        holder = _text(item.holder_name, f"{prefix}.holder_name", 128, _("持有人名称"))
        if not holder:
            raise _invalid(f"{prefix}.holder_name", _("请填写证照上的持有人名称"))
        if item.valid_from and item.valid_until and item.valid_until < item.valid_from:
            raise _invalid(f"{prefix}.valid_until", _("有效期至不能早于生效日期"))
        scan = None
        if item.scan_id is not None:
            scan = ApplicationScan.objects.filter(pk=item.scan_id, uploaded_by=user).first()
            if scan is None:
                raise InvalidInput(SCAN_INVALID, _("找不到该扫描件：请重新上传"), details={"field": f"{prefix}.scan"})
        rows.append(
            ApplicationQualification(
                position=index,
                kind=item.kind,
                number=number,
                holder_name=holder,
                holder_uscc=_text(item.holder_uscc, f"{prefix}.holder_uscc", 18, _("持有人统一社会信用代码")).upper(),
                issuer=_text(item.issuer, f"{prefix}.issuer", 128, _("发证机关")),
                valid_from=item.valid_from,
                valid_until=item.valid_until,
                scope=_categories(item.scope, f"{prefix}.scope"),
                scan=scan,
            )
        )
    return rows


def _fill(application: MerchantApplication, *, user: User, data: ApplicationData) -> list[ApplicationQualification]:
    """Validate the entered shape (not the checks) onto the row; returns the qualification rows to store."""
    application.company_name = _text(data.company_name, "company_name", 128, _("企业名称"))
    application.uscc = _text(data.uscc, "uscc", 18, _("统一社会信用代码")).upper()
    application.legal_rep_name = _text(data.legal_rep_name, "legal_rep_name", 64, _("法定代表人姓名"))
    if data.legal_rep_id_number.strip():
        number = _id_number_clean(data.legal_rep_id_number)
        application.legal_rep_id_hash = keyed_hash("id_number", number)
        application.legal_rep_id_last4 = number[-4:]
    phone = (data.contact_phone or "").strip()
    application.contact_phone = phone_normalize(phone) if phone else ""
    application.categories = _categories(data.categories, "categories")
    return _qualification_rows(user=user, items=data.qualifications)


def _public_id() -> str:
    return "SQ" + "".join(secrets.choice(_PUBLIC_ALPHABET) for _ in range(10))


def _own(user: User, public_id: str, *, lock: bool = False) -> MerchantApplication:
    queryset = MerchantApplication.objects.filter(public_id=public_id, applicant=user)
    application = (queryset.select_for_update() if lock else queryset).first()
    if application is None:
        raise NotFound(NOT_FOUND, _("找不到该入驻申请"))
    return application


def _store_qualifications(application: MerchantApplication, rows: list[ApplicationQualification]) -> None:
    application.qualifications.all().delete()
    for row in rows:
        row.application = application
    ApplicationQualification.objects.bulk_create(rows)


# What one person may have at once: a business applies once, and a few drafts cover mistakes; scans are stored
# forever, so uploads are capped per day (a stranger must not fill the disk through the applicant's door).
MAX_LIVE_APPLICATIONS = 5
MAX_SCANS_PER_DAY = 60


@transaction.atomic
def application_create(*, user: User, data: ApplicationData) -> MerchantApplication:
    """Start an application (a draft) as the signed-in person."""
    live = MerchantApplication.objects.filter(
        applicant=user,
        status__in=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED],
    ).count()
    if live >= MAX_LIVE_APPLICATIONS:
        raise Conflict(
            "application.too_many",
            _("你已有 %(n)s 份未完成的入驻申请：请先完成其中一份再新建") % {"n": live},
        )
    application = MerchantApplication(applicant=user, public_id=_public_id())
    rows = _fill(application, user=user, data=data)
    application.save()
    _store_qualifications(application, rows)
    audit_record(actor=user, organization=None, action="application.create", target=application)
    return application


@transaction.atomic
def application_update(*, user: User, public_id: str, data: ApplicationData) -> MerchantApplication:
    """Replace what a draft (or an application sent back for changes) says."""
    application = _own(user, public_id, lock=True)
    if application.status not in APPLICATION_EDITABLE:
        raise Conflict(NOT_EDITABLE, _("申请已提交审核或已有结果，不能再修改"), details={"status": application.status})
    rows = _fill(application, user=user, data=data)
    application.save()
    _store_qualifications(application, rows)
    audit_record(actor=user, organization=None, action="application.update", target=application)
    return application


@transaction.atomic
def application_scan_upload(*, user: User, content: bytes, filename: str) -> ApplicationScan:
    """Store a qualification scan (an image or a PDF) through evidence's pipeline: validated, stripped, by digest.

    Nothing is signed: the applicant has no organization yet; the stored file's SHA-256 is what a reviewer sees.
    """
    recent = ApplicationScan.objects.filter(uploaded_by=user, created_at__gte=clock.now() - dt.timedelta(days=1))
    if recent.count() >= MAX_SCANS_PER_DAY:
        raise Conflict(
            "application.scan_limit",
            _("24 小时内最多上传 %(n)s 份扫描件，请稍后再试") % {"n": MAX_SCANS_PER_DAY},
        )
    media = media_ingest(content=content, filename=filename, kinds=SCAN_KINDS)
    scan = ApplicationScan.objects.create(uploaded_by=user, media=media, filename=filename[:255])
    audit_record(
        actor=user, organization=None, action="application.scan_upload", target=scan, data={"sha256": media.sha256}
    )
    return scan


def _applicant_input(application: MerchantApplication, id_number: str) -> ApplicantInput:
    return ApplicantInput(
        company_name=application.company_name,
        uscc=application.uscc,
        legal_rep_name=application.legal_rep_name,
        categories=tuple(application.categories),
        contact_phone=application.contact_phone,
        legal_rep_id_number=id_number,
        qualifications=tuple(
            QualificationInput(
                kind=q.kind,
                number=q.number,
                holder_name=q.holder_name,
                holder_uscc=q.holder_uscc,
                issuer=q.issuer,
                valid_from=q.valid_from,
                valid_until=q.valid_until,
                scope=tuple(q.scope),
                evidence_id=q.scan.media_id if q.scan is not None else None,
            )
            for q in application.qualifications.select_related("scan").order_by("position")
        ),
    )


def _live_application(kind: str, number: str, exclude_application_id: int | None) -> str | None:
    """Another live application for the same USCC or licence number (a duplicate check's extra source)."""
    live = MerchantApplication.objects.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED]
    )
    if exclude_application_id is not None:
        live = live.exclude(pk=exclude_application_id)
    if kind == "uscc":
        found = live.filter(uscc=number).values_list("pk", flat=True).first()
    else:
        found = (
            ApplicationQualification.objects.filter(application__in=live, kind=kind, number=number)
            .values_list("application_id", flat=True)
            .first()
        )
    return f"application:{found}" if found is not None else None


def _check_context(today: dt.date, application_id: int) -> CheckContext:
    """The database-backed checks, with live applications as duplicates. The blacklist is screened separately by
    `application_submit`, which refuses with a neutral message: a check result must never reveal the list."""
    context = db_check_context(today, exclude_application_id=application_id, extra_duplicates=_live_application)
    return dataclasses.replace(context, blacklist_hits=lambda applicant: ())


def check_as_dict(result: CheckResult | ApplicationCheck) -> dict[str, Any]:
    """A check result as the API and the refusal's details show it."""
    return {
        "rule": result.rule,
        "outcome": result.outcome,
        "message": str(result.message),
        "qualification": result.qualification,
        "details": result.details,
    }


def _submission_checks(application: MerchantApplication, id_number: str, today: dt.date) -> list[CheckResult]:
    """Everything that must hold before submitting; refuses with every check listed when one fails."""
    transition_check(
        APPLICATION_TRANSITIONS,
        application.status,
        ApplicationStatus.SUBMITTED,
        code=TRANSITION,
        labels=ApplicationStatus,
    )
    missing = [
        field
        for field in ("company_name", "uscc", "legal_rep_name", "contact_phone", "categories")
        if not getattr(application, field)
    ]
    if missing:
        raise InvalidInput(
            INCOMPLETE, _("申请信息不完整：请填写所有必填项"), details={"field": missing[0], "missing": missing}
        )
    if application.legal_rep_id_hash and application.legal_rep_id_hash != keyed_hash("id_number", id_number):
        raise InvalidInput(
            ID_NUMBER_MISMATCH,
            _("身份证号与保存的不一致：请重新填写法定代表人身份证号"),
            details={"field": "legal_rep_id_number"},
        )
    results = application_checks(_applicant_input(application, id_number), _check_context(today, application.pk))
    if any(r.outcome == CheckOutcome.FAIL for r in results):
        raise InvalidInput(
            CHECKS_FAILED,
            _("自动检查未通过：请按提示修改后再提交"),
            details={"checks": [check_as_dict(r) for r in results]},
        )
    return results


def application_submit(
    *, user: User, public_id: str, legal_rep_id_number: str, today: dt.date | None = None
) -> MerchantApplication:
    """Submit for review: the automatic checks run at once; a failing check refuses, `manual` goes to a reviewer.

    The ID number is asked again (only its keyed hash is stored) for the blacklist screen. An interception refuses
    with a neutral message and is logged by the screen, outside this service's own transaction.
    """
    id_number = _id_number_clean(legal_rep_id_number)
    today = today or clock.now().astimezone(_BEIJING).date()
    application = _own(user, public_id)
    _submission_checks(application, id_number, today)  # refuse plain mistakes before screening anything
    entities = {"uscc": application.uscc, "id_number": id_number, "phone": application.contact_phone}
    if blacklist.screen(stage="application", entities=entities, subject=f"application:{public_id}").intercepted:
        raise PermissionDenied(UNAVAILABLE, _("申请暂时无法提交，请联系平台"))
    return _submit(user=user, public_id=public_id, id_number=id_number, today=today)


@transaction.atomic
def _submit(*, user: User, public_id: str, id_number: str, today: dt.date) -> MerchantApplication:
    application = _own(user, public_id, lock=True)
    results = _submission_checks(application, id_number, today)
    if (
        MerchantApplication.objects.filter(
            uscc=application.uscc, status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED]
        )
        .exclude(pk=application.pk)
        .exists()
    ):
        raise Conflict(LIVE_EXISTS, _("该统一社会信用代码已有一份申请在审核中"), details={"field": "uscc"})
    now = clock.now()
    application.checks.all().delete()
    ApplicationCheck.objects.bulk_create(
        [
            ApplicationCheck(
                application=application,
                position=i,
                rule=r.rule,
                outcome=r.outcome,
                message=str(r.message)[:500],
                qualification=r.qualification,
                details=r.details,
                checked_at=now,
            )
            for i, r in enumerate(results)
        ]
    )
    application.legal_rep_id_hash = keyed_hash("id_number", id_number)
    application.legal_rep_id_last4 = id_number[-4:]
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.save()
    audit_record(
        actor=user,
        organization=None,
        action="application.submit",
        target=application,
        data={"checks": {o: sum(r.outcome == o for r in results) for o in CheckOutcome.values}},
    )
    return application


def _reasons(application: MerchantApplication, reasons: Sequence[str], note: str) -> list[str]:
    allowed = set(ReviewReason.values) | set(application.checks.values_list("rule", flat=True))
    unknown = [r for r in reasons if r not in allowed]
    if unknown:
        raise InvalidInput(REASON_INVALID, _("未知的理由代码"), details={"field": "reasons", "unknown": unknown})
    if not reasons and not note:
        raise InvalidInput(REASON_REQUIRED, _("请至少选择一个理由或填写说明"), details={"field": "reasons"})
    return list(dict.fromkeys(reasons)) or [ReviewReason.OTHER.value]


def _registry_confirmed(application: MerchantApplication, position: int) -> bool:
    return application.checks.filter(
        qualification=position, rule__startswith="registry", outcome=CheckOutcome.PASS
    ).exists()


def _merchant_create(*, actor: Actor, application: MerchantApplication, at: dt.datetime) -> Organization:
    """The merchant, its owner, a credential per qualification; then probation."""
    organization = organization_create(
        name=application.company_name,
        kind=OrganizationKind.MERCHANT,
        uscc=application.uscc,
        region=application.uscc[2:8],
        owner=application.applicant,
    )
    for qualification in application.qualifications.order_by("position"):
        credential = Credential.objects.create(
            organization=organization,
            kind=qualification.kind,
            number=qualification.number,
            holder_name=qualification.holder_name,
            status=CredentialStatus.VERIFIED,
            submitted_by=application.applicant,
            issuer=qualification.issuer,
            valid_from=qualification.valid_from,
            valid_until=qualification.valid_until,
            scope=qualification.scope,
        )
        by_registry = _registry_confirmed(application, qualification.position)
        audit_record(
            actor=actor.user,
            organization=organization,
            action="credential.approve",
            target=credential,
            data={
                "application": application.public_id,
                "kind": qualification.kind,
                "verified_by": "registry" if by_registry else "reviewer",
                "reviewer": actor.label,
                "scan_sha256": qualification.scan.media.sha256 if qualification.scan else "",
            },
        )
    probation_start(organization=organization, at=at)
    return organization


@transaction.atomic
def application_decide(
    *, actor: Actor, public_id: str, decision: str, reasons: Sequence[str] = (), note: str = ""
) -> ApplicationDecision:
    """A reviewer approves, sends back or rejects a submitted application, with at least one reason."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
    application = MerchantApplication.objects.select_for_update().filter(public_id=public_id).first()
    if application is None:
        raise NotFound(NOT_FOUND, _("找不到该入驻申请"))
    if decision not in ApplicationDecisionKind.values:
        raise InvalidInput(DECISION_INVALID, _("请选择通过、退回补正或驳回"), details={"field": "decision"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(FIELD_INVALID, _("说明最多 %(n)d 字") % {"n": NOTE_MAX}, details={"field": "note"})
    codes = _reasons(application, reasons, note)
    target = DECISION_STATUS[ApplicationDecisionKind(decision)]
    transition_check(APPLICATION_TRANSITIONS, application.status, target, code=TRANSITION, labels=ApplicationStatus)
    now = clock.now()
    organization = None
    if decision == ApplicationDecisionKind.APPROVE:
        organization = _merchant_create(actor=actor, application=application, at=now)
    statement = application_decision_statement(
        public_id=application.public_id,
        decision=decision,
        reasons=codes,
        at=now,
        organization_id=organization.pk if organization is not None else None,
    )
    ref = signing.statement_sign_and_append(organization=actor.organization, statement=statement)
    record = ApplicationDecision.objects.create(
        application=application,
        decision=decision,
        reasons=codes,
        note=note,
        decided_by=actor.user,
        decided_at=now,
        ledger_leaf_hash=ref.leaf_hash,
    )
    application.status = target
    application.decided_at = now
    application.organization = organization
    application.save()
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action=f"application.{decision}",
        target=application,
        data={"reasons": codes, "leaf_hash": ref.leaf_hash},
    )
    APPLICATION_DECIDED.announce(application=application.public_id, decision=decision)
    return record

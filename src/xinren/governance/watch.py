"""Qualifications are watched (docs/governance.md): warnings before a licence expires, suspensions after, lifting
on renewal.

The daily sweep `qualifications_watch` walks the organizations with a verified credential expiring within
WARN_DAYS (or already expired), and those with listings it suspended; each organization in one transaction, under
a lock on its row, so that a renewal submitted meanwhile is never half-seen. Running it twice changes nothing: a
warning is recorded once per (credential, expiry date), a product has at most one open suspension per reason.

A product is suspended when its merchant's valid credentials no longer satisfy its category's requirement
(`governance.categories`) and an expired credential is the cause: a merchant holding both SC and JY keeps selling
food when one of them expires; a merchant that never needed a licence for a category is not touched by the watch.
It is put back on sale as soon as the requirement is satisfied again (a renewed licence passed its checks).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.models import Organization
from xinren.accounts.services import platform_organization
from xinren.accounts.uscc import uscc_is_valid
from xinren.attest import keys, signing
from xinren.catalog.choices import ProductStatus
from xinren.catalog.facts import facts_subject
from xinren.catalog.models import ListingSuspension, Product
from xinren.catalog.shelf_life import local_date
from xinren.catalog.suspensions import (
    LICENCE_EXPIRED,
    listing_suspend,
    listing_suspensions_lift,
    reason_text,
)
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.tasks import Event
from xinren.verification import services as verification
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from .categories import required_alternatives
from .checks import CheckResult
from .models import QualificationWarning
from .statements.watch import LISTING_SUSPENSION

WARN_DAYS = 30

# A verified credential expires within WARN_DAYS; announced once per (credential, expiry date), inside the sweep's
# transaction (ADR 0013). Keywords: credential_id, organization_id, valid_until (ISO date).
QUALIFICATION_EXPIRING = Event("governance.qualification_expiring")

RENEWAL_INVALID = "qualification.renewal_invalid"
RENEWAL_NOT_CONFIRMED = "qualification.renewal_not_confirmed"
CREDENTIAL_NOT_FOUND = "qualification.not_found"

NUMBER_FORMATS: dict[str, re.Pattern[str]] = {
    CredentialKind.FOOD_BUSINESS: re.compile(r"JY\d{14}"),
    CredentialKind.FOOD_PRODUCTION: re.compile(r"SC\d{14}"),
}


@dataclass
class WatchResult:
    """What one sweep did."""

    organizations: int = 0
    warned: int = 0
    suspended: int = 0
    lifted: int = 0


def today_local() -> dt.date:
    return local_date(clock.now())


def _valid_on(credential: Credential, today: dt.date) -> bool:
    return credential.status == CredentialStatus.VERIFIED and (
        credential.valid_until is None or credential.valid_until >= today
    )


def _covered(category: str, valid_kinds: set[str]) -> bool:
    alternatives = required_alternatives(category)
    return not alternatives or any(all(kind in valid_kinds for kind in alt) for alt in alternatives)


def _kinds_of(category: str) -> set[str]:
    return {kind for alt in required_alternatives(category) for kind in alt}


def _cause(product: Product, *, valid_kinds: set[str], expired: Sequence[Credential]) -> Credential | None:
    """The expired credential that takes this product off sale, or None when it may stay on sale.

    Expired credentials come latest-expired first, so the reason names the licence a renewal would cure."""
    if CredentialKind.BUSINESS_LICENCE not in valid_kinds:
        for credential in expired:
            if credential.kind == CredentialKind.BUSINESS_LICENCE:
                return credential
    if _covered(product.category, valid_kinds):
        return None
    needed = _kinds_of(product.category)
    return next((credential for credential in expired if credential.kind in needed), None)


def _still_blocked(suspension: ListingSuspension, *, valid_kinds: set[str]) -> bool:
    if suspension.details.get("kind") == CredentialKind.BUSINESS_LICENCE:
        return CredentialKind.BUSINESS_LICENCE not in valid_kinds
    return not _covered(suspension.product.category, valid_kinds)


def _sign(*, product: Product, reason_code: str, action: str, source: str, at: dt.datetime) -> None:
    signing.statement_sign_and_append(
        organization=platform_organization(),
        statement={
            "type": LISTING_SUSPENSION.name, "subject": facts_subject(product),
            "merchant": keys.owner_of(product.merchant), "gtin": product.gtin, "reason_code": reason_code,
            "action": action, "source": source, "time": at.isoformat(),
        },
    )


def _reason(credential: Credential) -> tuple[str, dict[str, str]]:
    """The recorded sentence (platform language) and the data the pages rebuild it from in the reader's."""
    assert credential.valid_until is not None
    with translation.override(settings.LANGUAGE_CODE):
        details = {
            "kind": credential.kind,
            "kind_label": str(CredentialKind(credential.kind).label),
            "valid_until": credential.valid_until.isoformat(),
        }
        return reason_text(reason_code=LICENCE_EXPIRED, details=details), details


def _reconcile(organization: Organization, *, today: dt.date, now: dt.datetime) -> tuple[int, int]:
    """Suspend what an expired credential leaves uncovered, lift what is covered again; (suspended, lifted)."""
    credentials = list(Credential.objects.filter(organization=organization, status=CredentialStatus.VERIFIED))
    valid_kinds = {c.kind for c in credentials if _valid_on(c, today)}
    expired = sorted(
        (c for c in credentials if c.valid_until is not None and c.valid_until < today),
        key=lambda c: (c.valid_until, c.pk), reverse=True,
    )
    open_rows = list(
        ListingSuspension.objects.filter(
            product__merchant=organization, reason_code=LICENCE_EXPIRED, lifted_at__isnull=True
        ).select_related("product__merchant")
    )
    lifted = listing_suspensions_lift(
        suspensions=[row for row in open_rows if not _still_blocked(row, valid_kinds=valid_kinds)], at=now
    )
    for row in lifted:
        _sign(product=row.product, reason_code=row.reason_code, action="lifted", source=row.source, at=now)

    suspended = 0
    if expired:
        still_open = {row.product_id for row in open_rows} - {row.product_id for row in lifted}
        by_cause: dict[int, tuple[Credential, list[Product]]] = {}
        products = Product.objects.filter(merchant=organization, status=ProductStatus.ACTIVE).select_related(
            "merchant"
        ).order_by("pk")
        for product in products:
            if product.pk in still_open:
                continue
            cause = _cause(product, valid_kinds=valid_kinds, expired=expired)
            if cause is not None:
                by_cause.setdefault(cause.pk, (cause, []))[1].append(product)
        for cause, affected in by_cause.values():
            reason, details = _reason(cause)
            rows = listing_suspend(
                products=affected, reason_code=LICENCE_EXPIRED, reason=reason, details=details,
                source=f"credential:{cause.pk}",
            )
            for row in rows:
                _sign(product=row.product, reason_code=LICENCE_EXPIRED, action="suspended", source=row.source, at=now)
            suspended += len(rows)
    return suspended, len(lifted)


def _warn(organization: Organization, *, today: dt.date, now: dt.datetime) -> int:
    """Record (and announce) one warning per credential expiring within WARN_DAYS that has no later twin."""
    credentials = list(
        Credential.objects.filter(organization=organization, status=CredentialStatus.VERIFIED).order_by("pk")
    )
    horizon = today + dt.timedelta(days=WARN_DAYS)
    warned = 0
    for credential in credentials:
        until = credential.valid_until
        if until is None or not today <= until <= horizon:
            continue
        if any(other.kind == credential.kind and (other.valid_until is None or other.valid_until > until)
               for other in credentials if other.pk != credential.pk):
            continue  # already renewed: a later credential of the same kind is in force
        _warning, created = QualificationWarning.objects.get_or_create(
            credential=credential, valid_until=until, defaults={"sent_at": now}
        )
        if not created:
            continue
        QUALIFICATION_EXPIRING.announce(
            credential_id=credential.pk, organization_id=organization.pk, valid_until=until.isoformat()
        )
        audit_record(actor=None, organization=organization, action="qualification.warn", target=credential,
                     data={"kind": credential.kind, "valid_until": until.isoformat()})
        warned += 1
    return warned


@transaction.atomic
def organization_watch(*, organization_id: int, today: dt.date | None = None) -> WatchResult:
    """Warn, suspend and lift for one organization, in one transaction under a lock on its row."""
    today = today or today_local()
    now = clock.now()
    organization = Organization.objects.select_for_update().get(pk=organization_id)
    warned = _warn(organization, today=today, now=now)
    suspended, lifted = _reconcile(organization, today=today, now=now)
    return WatchResult(organizations=1, warned=warned, suspended=suspended, lifted=lifted)


def qualifications_watch(*, today: dt.date | None = None) -> WatchResult:
    """The daily sweep: every organization with a credential expiring soon or expired, or a suspension to review."""
    today = today or today_local()
    horizon = today + dt.timedelta(days=WARN_DAYS)
    watched = set(
        Credential.objects.filter(status=CredentialStatus.VERIFIED, valid_until__lte=horizon).values_list(
            "organization_id", flat=True
        )
    ) | set(
        ListingSuspension.objects.filter(reason_code=LICENCE_EXPIRED, lifted_at__isnull=True).values_list(
            "product__merchant_id", flat=True
        )
    )
    total = WatchResult()
    for organization_id in sorted(watched):
        result = organization_watch(organization_id=organization_id, today=today)
        total.organizations += 1
        total.warned += result.warned
        total.suspended += result.suspended
        total.lifted += result.lifted
    return total


# -- renewal ------------------------------------------------------------------------------------------------------


def renewal_checks(
    *, kind: str, number: str, valid_from: dt.date | None, valid_until: dt.date | None, today: dt.date
) -> list[CheckResult]:
    """The format and expiry checks of one renewed qualification (the same rule ids as an application's)."""
    results: list[CheckResult] = []
    pattern = NUMBER_FORMATS.get(kind)
    if kind == CredentialKind.BUSINESS_LICENCE:
        ok = uscc_is_valid(number)
        results.append(CheckResult(
            "uscc.checksum", "pass" if ok else "fail",
            _("统一社会信用代码格式和校验位正确") if ok else _("统一社会信用代码无效：请核对营业执照上的18位代码"),
            details={"field": "number"},
        ))
    elif pattern is not None:
        ok = bool(pattern.fullmatch(number))
        prefix = number[:2] if ok else ("JY" if kind == CredentialKind.FOOD_BUSINESS else "SC")
        results.append(CheckResult(
            "licence.format", "pass" if ok else "fail",
            _("许可证编号格式正确") if ok else
            _("许可证编号格式不对：应为 %(prefix)s 加 14 位数字，请按证书上的编号填写") % {"prefix": prefix},
            details={"field": "number"},
        ))
    else:
        ok = 1 <= len(number) <= 64
        results.append(CheckResult(
            "licence.format", "pass" if ok else "fail",
            _("证书编号已填写") if ok else _("请填写证书编号（1–64 字符）"), details={"field": "number"},
        ))
    if valid_until is None:
        results.append(CheckResult("licence.expired", "fail", _("请填写新证的有效期截止日期"),
                                   details={"field": "valid_until"}))
    elif valid_until <= today:
        results.append(CheckResult(
            "licence.expired", "fail",
            _("新证的有效期须晚于今天（填写的是 %(date)s）：请核对证书上的有效期") % {"date": valid_until.isoformat()},
            details={"field": "valid_until"},
        ))
    elif valid_from is not None and valid_from > valid_until:
        results.append(CheckResult("licence.dates", "fail", _("生效日期不能晚于有效期截止日期"),
                                   details={"field": "valid_from"}))
    elif valid_from is not None and valid_from > today:
        results.append(CheckResult("licence.dates", "fail", _("新证尚未生效：生效日期不能晚于今天"),
                                   details={"field": "valid_from"}))
    else:
        results.append(CheckResult("licence.expired", "pass", _("有效期正确"), details={"field": "valid_until"}))
    return results


@transaction.atomic
def qualification_renew(
    *,
    actor: Actor,
    credential_id: int,
    number: str,
    valid_until: dt.date | None,
    valid_from: dt.date | None = None,
    issuer: str = "",
    evidence_id: int | None = None,
) -> Credential:
    """A merchant submits the renewed licence for one of its credentials. It is checked (format, dates) and
    verified like any credential; when it passes, it replaces the old one and lifts the suspensions it cures, all in
    this transaction. When it does not, the exact reason is raised and nothing is written."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    organization = Organization.objects.select_for_update().get(pk=actor.organization.pk)
    old = (
        Credential.objects.filter(pk=credential_id, organization=organization)
        .exclude(status=CredentialStatus.WITHDRAWN)
        .first()
    )
    if old is None:
        raise NotFound(CREDENTIAL_NOT_FOUND, _("找不到该资质证书"))
    number = number.strip().upper()
    today = today_local()
    failed = [
        check for check in renewal_checks(
            kind=old.kind, number=number, valid_from=valid_from, valid_until=valid_until, today=today
        )
        if check.outcome == "fail"
    ]
    if failed:
        raise InvalidInput(
            RENEWAL_INVALID, failed[0].message,
            details={"field": failed[0].details.get("field", ""), "rules": [check.rule for check in failed]},
        )
    if number == old.number:
        verification.credential_withdraw(actor=actor, credential_id=old.pk)
    renewed = verification.credential_submit(
        actor=actor, kind=old.kind, number=number, holder_name=old.holder_name, evidence_id=evidence_id
    )
    if renewed.status != CredentialStatus.VERIFIED:
        check = renewed.checks.order_by("-checked_at", "-pk").first()
        raise InvalidInput(
            RENEWAL_NOT_CONFIRMED,
            _("新证未通过登记机关名录核验（%(status)s）：请核对证书编号和持证人名称；若刚换证，待名录更新后再提交")
            % {"status": check.get_status_display() if check else "—"},
            details={"field": "number", "status": check.status if check else ""},
        )
    Credential.objects.filter(pk=renewed.pk).update(
        issuer=issuer.strip()[:128] or old.issuer, valid_from=valid_from, valid_until=valid_until, scope=old.scope
    )
    renewed.refresh_from_db()
    if number != old.number:
        verification.credential_withdraw(actor=actor, credential_id=old.pk)
    _suspended, lifted = _reconcile(organization, today=today, now=clock.now())
    audit_record(
        actor=actor.user, organization=organization, action="qualification.renew", target=renewed,
        data={"replaces": old.pk, "kind": old.kind, "valid_until": valid_until.isoformat() if valid_until else None,
              "lifted": lifted},
    )
    return renewed


# -- reads for the console ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualificationRow:
    credential: Credential
    days_left: int | None  # None: no expiry date
    state: str  # "valid", "expiring" (within WARN_DAYS), "expired"


def qualification_rows(*, actor: Actor, today: dt.date | None = None) -> list[QualificationRow]:
    """The organization's live credentials with their validity, soonest expiry first."""
    today = today or today_local()
    rows: list[QualificationRow] = []
    credentials = Credential.objects.filter(organization=actor.organization).exclude(
        status=CredentialStatus.WITHDRAWN
    )
    for credential in credentials:
        until = credential.valid_until
        days = (until - today).days if until is not None else None
        state = "valid" if days is None or days > WARN_DAYS else ("expiring" if days >= 0 else "expired")
        rows.append(QualificationRow(credential=credential, days_left=days, state=state))
    return sorted(rows, key=lambda r: (r.days_left is None, r.days_left or 0, r.credential.pk))


def expiring_warnings(*, actor: Actor, today: dt.date | None = None) -> list[QualificationRow]:
    """What the console's dashboard warns about: verified credentials expiring soon or expired."""
    return [
        row for row in qualification_rows(actor=actor, today=today)
        if row.state != "valid" and row.credential.status == CredentialStatus.VERIFIED
    ]


def suspended_products(*, actor: Actor) -> list[ListingSuspension]:
    """The organization's open suspensions (its product list and qualifications page show them)."""
    return list(
        ListingSuspension.objects.filter(product__merchant=actor.organization, lifted_at__isnull=True)
        .select_related("product")
        .order_by("product__name", "pk")
    )


"""Probation (新手期): a newly approved merchant sells under the published policy's limits until the daily review
finds the exit criteria met (docs/governance.md, Probation; ADR 0044).

Every start, end and extension is one transaction: the Probation row, an event row with the figures, the
restrictions imposed or lifted (`accounts.restrictions`, source "probation", reference "probation:<id>"), the
platform's signed `governance.probation` statement and an audit row.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, RestrictionSource, Role
from xinren.accounts.models import Organization, User
from xinren.accounts.restrictions import restriction_impose, restrictions_lift
from xinren.accounts.services import platform_organization
from xinren.attest import signing
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound

from ..events import STANDING_CHANGED
from ..models.probation import Probation, ProbationEvent, ProbationEventKind, ProbationStatus
from ..probation_policy import Progress, policy_current, policy_limits, progress_of
from ..statements.probation import probation_statement

PROBATION_EXISTS = "probation.exists"
PROBATION_NOT_FOUND = "probation.not_found"
PROBATION_INVALID = "probation.invalid"
MAX_EXTENSION_DAYS = 90
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _reference(probation: Probation) -> str:
    return f"probation:{probation.pk}"


def _record(
    probation: Probation,
    *,
    kind: str,
    at: dt.datetime,
    figures: dict[str, Any],
    reason: str = "",
    by_user: User | None = None,
) -> ProbationEvent:
    platform = platform_organization()
    statement = probation_statement(probation=probation, event=kind, figures=figures, at=at, reason=reason)
    leaf_hash = signing.statement_sign_and_append(organization=platform, statement=statement).leaf_hash
    STANDING_CHANGED.announce(organization_id=probation.organization_id)
    event = ProbationEvent.objects.create(
        probation=probation,
        kind=kind,
        at=at,
        by_user=by_user,
        reason=reason[:500],
        figures=figures,
        leaf_hash=leaf_hash,
    )
    audit_record(
        actor=by_user,
        organization=probation.organization,
        action=f"probation.{kind}",
        target=probation,
        data={"leaf_hash": leaf_hash, "policy_version": probation.policy.version, **figures},
    )
    return event


@transaction.atomic
def probation_start(*, organization: Organization, at: dt.datetime | None = None) -> Probation:
    """Put a newly approved merchant on probation with the published limits (Conflict if already on one)."""
    if organization.kind not in CATALOG_KINDS:
        raise InvalidInput(PROBATION_INVALID, _("只有商家和供应商有新手期"), details={"kind": organization.kind})
    at = at or clock.now()
    policy = policy_current()
    try:
        with transaction.atomic():
            probation = Probation.objects.create(organization=organization, policy=policy, started_at=at)
    except IntegrityError as exc:
        raise Conflict(PROBATION_EXISTS, _("该商家已在新手期中")) from exc
    reason = gettext("新手期（规则第 %(version)s 版）") % {"version": policy.version}
    for kind, value in policy_limits(policy).items():
        restriction_impose(
            organization=organization,
            kind=kind,
            value=value,
            source=RestrictionSource.PROBATION,
            reason=reason,
            reference=_reference(probation),
            starts_at=at,
        )
    _record(probation, kind=ProbationEventKind.START, at=at, figures={"limits": dict(policy_limits(policy))})
    return probation


def _end(probation: Probation, *, progress: Progress, at: dt.datetime) -> None:
    restrictions_lift(
        organization=probation.organization, source=RestrictionSource.PROBATION, reference=_reference(probation)
    )
    probation.status, probation.ended_at, probation.reviewed_at = ProbationStatus.ENDED, at, at
    probation.save(update_fields=["status", "ended_at", "reviewed_at"])
    _record(
        probation, kind=ProbationEventKind.END, at=at, figures=progress.figures(), reason=gettext("全部出期标准已满足")
    )


def _extend(
    probation: Probation,
    *,
    until: dt.datetime,
    reasons: list[str],
    figures: dict[str, Any],
    at: dt.datetime,
    by_user: User | None = None,
) -> None:
    probation.status, probation.extended_until, probation.reviewed_at = ProbationStatus.EXTENDED, until, at
    probation.reasons = reasons
    probation.save(update_fields=["status", "extended_until", "reasons", "reviewed_at"])
    _record(
        probation, kind=ProbationEventKind.EXTEND, at=at, figures=figures, reason="；".join(reasons), by_user=by_user
    )


@transaction.atomic
def probation_review_one(*, probation_id: int, now: dt.datetime) -> str:
    """Review one open probation: end it when every criterion holds; extend it by the policy's extension when the
    minimum period (or the last extension) is over and a criterion fails; otherwise leave it. Returns what happened:
    "ended", "extended" or "unchanged"."""
    probation = (
        Probation.objects.select_for_update(of=("self",))
        .select_related("organization", "policy")
        .filter(pk=probation_id)
        .exclude(status=ProbationStatus.ENDED)
        .first()
    )
    if probation is None:
        return "unchanged"
    progress = progress_of(probation, now=now)
    if progress.met:
        _end(probation, progress=progress, at=now)
        return "ended"
    waiting_until = probation.extended_until or probation.started_at + timedelta(days=probation.policy.min_days)
    if not progress.minimum_period_over or now < waiting_until:
        probation.reviewed_at = now
        probation.save(update_fields=["reviewed_at"])
        return "unchanged"
    until = now + timedelta(days=probation.policy.extension_days)
    _extend(probation, until=until, reasons=progress.failed_reasons(), figures=progress.figures(), at=now)
    return "extended"


def probation_review(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily sweep: review every open probation (each in its own transaction)."""
    now = now or clock.now()
    if today is not None and now.astimezone(SHANGHAI).date() != today:  # a past or future day: as at 03:00 there
        now = dt.datetime.combine(today, dt.time(hour=3), tzinfo=SHANGHAI)
    done = {"ended": 0, "extended": 0, "unchanged": 0}
    open_ids = Probation.objects.exclude(status=ProbationStatus.ENDED).order_by("pk").values_list("pk", flat=True)
    for probation_id in list(open_ids):
        done[probation_review_one(probation_id=probation_id, now=now)] += 1
    return done


@transaction.atomic
def probation_extend(*, actor: Actor, probation_id: int, days: int, reason: str) -> Probation:
    """An operator extends an open probation by `days` (1–90) with a reason the merchant sees."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
    reason = " ".join(reason.split())
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(PROBATION_INVALID, _("延长天数须为 1–90 天"), details={"field": "days"})
    if not 4 <= len(reason) <= 300:
        raise InvalidInput(PROBATION_INVALID, _("请写明延长原因（4–300 字），商家会看到"), details={"field": "reason"})
    probation = (
        Probation.objects.select_for_update(of=("self",))
        .select_related("organization", "policy")
        .filter(pk=probation_id)
        .exclude(status=ProbationStatus.ENDED)
        .first()
    )
    if probation is None:
        raise NotFound(PROBATION_NOT_FOUND, _("找不到该新手期，或它已结束"))
    now = clock.now()
    base = max(now, probation.extended_until or probation.started_at + timedelta(days=probation.policy.min_days))
    figures = progress_of(probation, now=now).figures()
    figures["by_operator"] = True
    _extend(probation, until=base + timedelta(days=days), reasons=[reason], figures=figures, at=now, by_user=actor.user)
    return probation


def probation_open_for(organization: Organization) -> Probation | None:
    """The organization's open probation, if any."""
    return (
        Probation.objects.select_related("policy")
        .filter(organization=organization)
        .exclude(status=ProbationStatus.ENDED)
        .first()
    )

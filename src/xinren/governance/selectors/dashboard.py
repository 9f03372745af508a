"""The operator's dashboard (/operator/): one read per panel, each also exported as CSV (docs/governance.md).

Panels: applications and their time in queue, the probation cohort, the risk distribution, interceptions over
time, and suspended listings (with the restrictions in force). Every function checks that the actor is a platform
member and returns plain rows; the web layer draws the charts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, Role
from xinren.accounts.models import Interception, MerchantRestriction, Organization
from xinren.catalog.models import ListingSuspension
from xinren.core import clock

from ..choices import ApplicationStatus
from ..models import MerchantApplication, Probation, RiskRuleSet
from ..models.probation import ProbationStatus
from ..risk.selectors import latest_evaluations
from .applications import review_hours


def _operator(actor: Actor) -> None:
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])


@dataclass(frozen=True)
class ApplicationsPanel:
    by_status: dict[str, int]
    waiting: list[tuple[str, str, float, bool]]  # (public id, company, hours waiting, overdue), oldest first
    median_hours: float | None
    overdue: int
    limit_hours: int


def applications_panel(*, actor: Actor) -> ApplicationsPanel:
    _operator(actor)
    counts = dict(MerchantApplication.objects.values_list("status").annotate(n=Count("id")).order_by())
    now, limit = clock.now(), review_hours()
    waiting = [
        (a.public_id, a.company_name, (now - a.submitted_at).total_seconds() / 3600)
        for a in MerchantApplication.objects.filter(status=ApplicationStatus.SUBMITTED, submitted_at__isnull=False)
        .only("public_id", "company_name", "submitted_at")
        .order_by("submitted_at", "id")
        if a.submitted_at is not None
    ]
    hours = [h for _id, _name, h in waiting]
    return ApplicationsPanel(
        by_status={status: counts.get(status, 0) for status in ApplicationStatus.values},
        waiting=[(pid, name, round(h, 1), h > limit) for pid, name, h in waiting],
        median_hours=round(median(hours), 1) if hours else None,
        overdue=sum(1 for h in hours if h > limit),
        limit_hours=limit,
    )


@dataclass(frozen=True)
class ProbationRow:
    organization: str
    slug: str
    status: str
    days_in: int
    extended_until: dt.date | None


def probation_cohort(*, actor: Actor) -> list[ProbationRow]:
    """Merchants on probation now (active or extended), longest in first."""
    _operator(actor)
    now = clock.now()
    rows = (
        Probation.objects.filter(status__in=[ProbationStatus.ACTIVE, ProbationStatus.EXTENDED])
        .select_related("organization")
        .order_by("started_at", "id")
    )
    return [
        ProbationRow(
            organization=p.organization.name,
            slug=p.organization.slug,
            status=str(ProbationStatus(p.status).label),
            days_in=(now - p.started_at).days,
            extended_until=timezone.localdate(p.extended_until) if p.extended_until else None,
        )
        for p in rows
    ]


@dataclass(frozen=True)
class RiskPanel:
    scores: list[tuple[str, str, float, str]]  # (merchant, slug, score, band) highest first
    bands: dict[str, int]
    thresholds: dict[str, int]
    rule_set_version: int | None


def risk_panel(*, actor: Actor) -> RiskPanel:
    _operator(actor)
    rule_set = RiskRuleSet.objects.filter(status="active").first()
    rows = sorted(
        ((e.organization.name, e.organization.slug, float(e.score), e.band) for e in latest_evaluations()),
        key=lambda row: -row[2],
    )
    thresholds = (
        {
            "review": rule_set.review_threshold,
            "restrict": rule_set.restrict_threshold,
            "suspend": rule_set.suspend_threshold,
        }
        if rule_set
        else {}
    )
    return RiskPanel(
        scores=rows,
        bands=dict(Counter(band for *_rest, band in rows)),
        thresholds=thresholds,
        rule_set_version=rule_set.version if rule_set else None,
    )


@dataclass(frozen=True)
class InterceptionsPanel:
    days: list[dt.date]
    by_stage: dict[str, list[int]]  # stage -> count per day, aligned with `days`
    rows: list[tuple[dt.date, str, int]] = field(default_factory=list)  # (day, stage, count) for the CSV


def interceptions_panel(*, actor: Actor, days: int = 30) -> InterceptionsPanel:
    _operator(actor)
    today = timezone.localdate(clock.now())
    first = today - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    # Counted by the database, per day in the platform's time zone: interceptions run to millions a year.
    rows = (
        Interception.objects.filter(at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: Counter[tuple[dt.date, str]] = Counter({(day, stage): n for day, stage, n in rows})
    span = [first + dt.timedelta(days=n) for n in range(days)]
    stages = sorted({stage for _day, stage in counts})
    return InterceptionsPanel(
        days=span,
        by_stage={stage: [counts[(day, stage)] for day in span] for stage in stages},
        rows=[(day, stage, counts[(day, stage)]) for day in span for stage in stages if counts[(day, stage)]],
    )


@dataclass(frozen=True)
class SuspensionRow:
    merchant: str
    product: str
    gtin: str
    reason: str
    since: dt.datetime


@dataclass(frozen=True)
class SuspensionsPanel:
    listings: list[SuspensionRow]
    by_reason: dict[str, int]
    organizations_suspended: int
    restrictions: dict[str, int]  # restriction kind -> merchants under it now


def suspensions_panel(*, actor: Actor) -> SuspensionsPanel:
    _operator(actor)
    open_rows = (
        ListingSuspension.objects.filter(lifted_at__isnull=True)
        .select_related("product__merchant")
        .order_by("-created_at", "-id")
    )
    listings = [
        SuspensionRow(s.product.merchant.name, s.product.name, s.product.gtin, s.reason, s.created_at)
        for s in open_rows
    ]
    now = clock.now()
    in_force = MerchantRestriction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True, starts_at__lte=now
    )
    restrictions = Counter(kind for kind, _org in set(in_force.values_list("kind", "organization_id")))
    return SuspensionsPanel(
        listings=listings,
        by_reason=dict(Counter(s.reason_code for s in open_rows)),
        organizations_suspended=Organization.objects.filter(
            status=OrganizationStatus.SUSPENDED, kind__in=[OrganizationKind.MERCHANT, OrganizationKind.SUPPLIER]
        ).count(),
        restrictions=dict(restrictions),
    )

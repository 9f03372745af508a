"""The probation policy in force and the exit criteria measured for one probation (docs/governance.md, Probation).

Criteria of the published policy (ProbationPolicy, version 1 seeded by migration 0004):
at least `min_days` days, at least `min_delivered_orders` orders delivered since probation started, a claim rate
(claims opened / orders delivered, since the start) of at most `max_claim_rate_bp` basis points, no claim still
open after `max_open_claim_hours`, and the latest risk evaluation in the "ok" band (skipped, and said so, while the
merchant has not been scored yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from xinren.accounts.choices import RestrictionKind
from xinren.accounts.models import Organization
from xinren.aftersales.choices import CLAIM_KINDS, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order

from .models import Probation, ProbationPolicy, RiskEvaluation
from .models.risk import Band

# Claims still waiting for someone: the merchant, the consumer, evidence, the platform, or the rules.
OPEN_CLAIM_STATUSES = frozenset(
    {
        Status.DECIDING,
        Status.WAITING_PLATFORM,
        Status.WAITING_MERCHANT,
        Status.WAITING_CONSUMER,
        Status.WAITING_EVIDENCE,
        Status.ESCALATED,
    }
)


# Version 1 as published (the same figures as governance migration 0004 seeds).
POLICY_V1: dict[str, Any] = {
    "published_at": datetime(2026, 12, 7, tzinfo=UTC),
    "daily_order_limit": 30,
    "listing_limit": 20,
    "payout_hold_days": 14,
    "claim_escalation_hours": 12,
    "min_days": 30,
    "min_delivered_orders": 20,
    "max_claim_rate_bp": 500,
    "max_open_claim_hours": 48,
    "extension_days": 30,
}


def policy_current() -> ProbationPolicy:
    """The newest published policy. Version 1 is seeded by the migration, and written again here if a database was
    emptied after migrating (a test database flushed between transactional tests)."""
    policy = ProbationPolicy.objects.order_by("-version").first()
    if policy is None:
        policy, _created = ProbationPolicy.objects.get_or_create(version=1, defaults=POLICY_V1)
    return policy


def policy_limits(policy: ProbationPolicy) -> dict[str, int]:
    """The restrictions probation imposes (kind -> value)."""
    return {
        RestrictionKind.DAILY_ORDER_LIMIT: policy.daily_order_limit,
        RestrictionKind.LISTING_LIMIT: policy.listing_limit,
        RestrictionKind.PAYOUT_HOLD_DAYS: policy.payout_hold_days,
        RestrictionKind.CLAIM_ESCALATION_HOURS: policy.claim_escalation_hours,
    }


@dataclass(frozen=True)
class Criterion:
    """One exit criterion: its id, what it asks, the measured value and whether it holds."""

    id: str
    label: str
    required: str
    value: str
    met: bool
    skipped: bool = False


@dataclass(frozen=True)
class Progress:
    """Where a probation stands against its policy's criteria."""

    days: int
    delivered: int
    claims: int
    claim_rate_bp: int
    open_claims_overdue: int
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(c.met for c in self.criteria)

    @property
    def minimum_period_over(self) -> bool:
        return next(c.met for c in self.criteria if c.id == "min_days")

    def figures(self) -> dict[str, Any]:
        """What the signed statement and the event row record (numbers only; no personal data)."""
        return {
            "days": self.days,
            "delivered_orders": self.delivered,
            "claims": self.claims,
            "claim_rate_bp": self.claim_rate_bp,
            "open_claims_overdue": self.open_claims_overdue,
            "unmet": [c.id for c in self.criteria if not c.met],
        }

    def failed_reasons(self) -> list[str]:
        return [f"{c.label}：{c.value}（要求 {c.required}）" for c in self.criteria if not c.met]


def _percent(bp: int) -> str:
    return f"{bp / 100:.2f}%"


def _risk_criterion(organization: Organization) -> Criterion:
    """The latest risk evaluation must be in the "ok" band; not scored yet is skipped, and says so."""
    latest = RiskEvaluation.objects.filter(organization=organization).order_by("-evaluated_at", "-id").first()
    required = _("风险等级为“%(band)s”") % {"band": Band.OK.label}
    if latest is None:
        return Criterion("risk_band", _("风险评估"), required, _("暂无风险评估，跳过"), True, skipped=True)
    label = Band(latest.band).label
    value = _("%(band)s（%(score)s 分）") % {"band": label, "score": latest.score}
    return Criterion("risk_band", _("风险评估"), required, value, latest.band == Band.OK)


def progress_of(probation: Probation, *, now: datetime) -> Progress:
    """Measure every criterion of the probation's policy now (four queries)."""
    policy, org, since = probation.policy, probation.organization, probation.started_at
    days = (now - since).days
    delivered = Order.objects.filter(merchant=org, status=OrderStatus.DELIVERED, delivered_at__gte=since).count()
    claims_qs = AfterSaleRequest.objects.filter(merchant=org, kind__in=CLAIM_KINDS, created_at__gte=since)
    claims = claims_qs.count()
    overdue = claims_qs.filter(
        status__in=OPEN_CLAIM_STATUSES, created_at__lt=now - timedelta(hours=policy.max_open_claim_hours)
    ).count()
    rate_bp = (claims * 10_000 + delivered - 1) // delivered if delivered else (10_000 if claims else 0)
    criteria = [
        Criterion(
            "min_days",
            _("新手期天数"),
            _("≥ %(n)s 天") % {"n": policy.min_days},
            _("%(n)s 天") % {"n": days},
            days >= policy.min_days,
        ),
        Criterion(
            "delivered_orders",
            _("已签收订单"),
            _("≥ %(n)s 单") % {"n": policy.min_delivered_orders},
            _("%(n)s 单") % {"n": delivered},
            delivered >= policy.min_delivered_orders,
        ),
        Criterion(
            "claim_rate",
            _("索赔率"),
            "≤ " + _percent(policy.max_claim_rate_bp),
            f"{_percent(rate_bp)}（{claims}/{delivered}）",
            rate_bp <= policy.max_claim_rate_bp,
        ),
        Criterion(
            "open_claims",
            _("超时未结索赔"),
            _("超过 %(h)s 小时的未结索赔为 0") % {"h": policy.max_open_claim_hours},
            _("%(n)s 件") % {"n": overdue},
            overdue == 0,
        ),
        _risk_criterion(org),
    ]
    return Progress(
        days=days,
        delivered=delivered,
        claims=claims,
        claim_rate_bp=rate_bp,
        open_claims_overdue=overdue,
        criteria=criteria,
    )


@dataclass(frozen=True)
class CohortRow:
    """One open probation as the operator's list shows it."""

    probation: Probation
    progress: Progress


def probation_cohort(*, now: datetime) -> list[CohortRow]:
    """Every open probation with its progress, longest in first (four queries per merchant: a cohort is small)."""
    from .models.probation import ProbationStatus

    open_ = (
        Probation.objects.exclude(status=ProbationStatus.ENDED)
        .select_related("organization", "policy")
        .order_by("started_at", "pk")
    )
    return [CohortRow(probation=p, progress=progress_of(p, now=now)) for p in open_[:500]]

"""Limits governance places on a merchant, and the strictest set in force (docs/governance.md).

Governance (probation, the risk score, licence expiry, the blacklist, operators) imposes and lifts restrictions;
the contexts that sell read them here and refuse with the restriction's reason. Several restrictions of one kind
may be in force at once (probation and a risk action, say): the strictest wins — the lowest limit, the longest
hold, the shortest escalation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet

from xinren.core import clock

from .choices import VALUED_RESTRICTIONS, RestrictionKind, RestrictionSource
from .models import MerchantRestriction, Organization


@dataclass(frozen=True)
class MerchantLimits:
    """The strictest restrictions in force for one organization at one moment, with the reasons behind them."""

    listing_limit: int | None = None
    daily_order_limit: int | None = None
    no_new_listings: bool = False
    payout_hold_days: int | None = None
    payouts_held: bool = False
    claim_escalation_hours: int | None = None
    reasons: dict[str, str] = field(default_factory=dict)  # kind -> the reason of the restriction that decided

    @property
    def any(self) -> bool:
        return bool(self.reasons)


def restrictions_in_force(
    organization: Organization, *, at: dt.datetime | None = None
) -> QuerySet[MerchantRestriction]:
    at = at or clock.now()
    return MerchantRestriction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at),
        organization=organization,
        lifted_at__isnull=True,
        starts_at__lte=at,
    )


def limits_for(organization: Organization, *, at: dt.datetime | None = None) -> MerchantLimits:
    """The strictest limits in force (one query)."""
    values: dict[str, int | bool] = {}
    reasons: dict[str, str] = {}
    for row in restrictions_in_force(organization, at=at).order_by("starts_at", "id"):
        kind = RestrictionKind(row.kind)
        if kind in VALUED_RESTRICTIONS:
            assert row.value is not None
            current = values.get(kind)
            if current is None:
                stricter = True
            elif kind == RestrictionKind.PAYOUT_HOLD_DAYS:
                stricter = row.value > current
            else:
                stricter = row.value < current
            if stricter:
                values[kind], reasons[kind] = row.value, row.reason
        elif kind not in values:
            values[kind], reasons[kind] = True, row.reason
    return MerchantLimits(**values, reasons=reasons)  # type: ignore[arg-type]


def restriction_impose(
    *,
    organization: Organization,
    kind: str,
    source: str,
    reason: str,
    value: int | None = None,
    reference: str = "",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> MerchantRestriction:
    """Place one restriction. Callers are governance services, which check who may act and record why."""
    kind, source = RestrictionKind(kind), RestrictionSource(source)
    if (kind in VALUED_RESTRICTIONS) != (value is not None):
        raise ValueError("a valued restriction needs a value; the others take none")
    starts_at = starts_at or clock.now()
    if ends_at is not None and ends_at <= starts_at:
        raise ValueError("a restriction must end after it starts")
    return MerchantRestriction.objects.create(
        organization=organization,
        kind=kind,
        value=value,
        source=source,
        reference=reference,
        reason=reason[:255],
        starts_at=starts_at,
        ends_at=ends_at,
    )


@transaction.atomic
def restrictions_lift(
    *, organization: Organization, source: str, reference: str = "", kinds: list[str] | None = None
) -> int:
    """Lift the open restrictions a source (and, if given, a reference) placed. Returns how many were lifted."""
    rows = MerchantRestriction.objects.filter(organization=organization, source=source, lifted_at__isnull=True)
    if reference:
        rows = rows.filter(reference=reference)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return rows.update(lifted_at=clock.now())

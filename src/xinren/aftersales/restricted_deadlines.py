"""The merchant's deadline on a claim when governance restricts the merchant (`claim_escalation_hours`, ADR 0044).

A merchant under such a restriction (probation, a risk action) gets at most N hours to answer a claim; past it the
claim leaves the merchant's hands and the platform's silence rule decides it (超时未处理视为同意), instead of after
the normal period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from xinren.accounts.models import Organization
from xinren.accounts.restrictions import limits_for


def claim_merchant_window(*, merchant: Organization, normal: timedelta, at: datetime | None = None) -> timedelta:
    """The time the merchant has to answer a claim: `normal`, or the restriction's hours when shorter."""
    hours = limits_for(merchant, at=at).claim_escalation_hours
    return normal if hours is None else min(normal, timedelta(hours=hours))

"""The strictest restriction in force wins; lifted and ended ones do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import OrganizationFactory
from xinren.accounts.choices import RestrictionKind, RestrictionSource
from xinren.accounts.restrictions import limits_for, restriction_impose, restrictions_lift
from xinren.core import clock

pytestmark = pytest.mark.django_db


def test_strictest_limits_win_and_reasons_follow() -> None:
    org = OrganizationFactory()
    restriction_impose(
        organization=org,
        kind=RestrictionKind.LISTING_LIMIT,
        value=20,
        source=RestrictionSource.PROBATION,
        reason="新手期",
        reference="probation:1",
    )
    restriction_impose(
        organization=org, kind=RestrictionKind.LISTING_LIMIT, value=5, source=RestrictionSource.RISK, reason="风险评估"
    )
    restriction_impose(
        organization=org,
        kind=RestrictionKind.PAYOUT_HOLD_DAYS,
        value=7,
        source=RestrictionSource.PROBATION,
        reason="新手期",
        reference="probation:1",
    )
    restriction_impose(
        organization=org,
        kind=RestrictionKind.PAYOUT_HOLD_DAYS,
        value=15,
        source=RestrictionSource.RISK,
        reason="风险评估",
    )
    restriction_impose(
        organization=org, kind=RestrictionKind.NO_NEW_LISTINGS, source=RestrictionSource.OPERATOR, reason="人工"
    )
    limits = limits_for(org)
    assert (limits.listing_limit, limits.payout_hold_days, limits.no_new_listings) == (5, 15, True)
    assert limits.reasons[RestrictionKind.LISTING_LIMIT] == "风险评估"
    assert limits.daily_order_limit is None and not limits.payouts_held


def test_lifted_and_ended_restrictions_do_not_count() -> None:
    org = OrganizationFactory()
    restriction_impose(
        organization=org,
        kind=RestrictionKind.DAILY_ORDER_LIMIT,
        value=50,
        source=RestrictionSource.PROBATION,
        reason="新手期",
        reference="probation:1",
    )
    restriction_impose(
        organization=org,
        kind=RestrictionKind.PAYOUTS_HELD,
        source=RestrictionSource.RISK,
        reason="r",
        ends_at=clock.now() + dt.timedelta(hours=1),
    )
    assert limits_for(org).daily_order_limit == 50
    assert limits_for(org, at=clock.now() + dt.timedelta(hours=2)).payouts_held is False
    assert restrictions_lift(organization=org, source=RestrictionSource.PROBATION, reference="probation:1") == 1
    assert limits_for(org).daily_order_limit is None
    assert limits_for(org).payouts_held is True


def test_a_valued_restriction_needs_its_value() -> None:
    org = OrganizationFactory()
    with pytest.raises(ValueError):
        restriction_impose(
            organization=org, kind=RestrictionKind.LISTING_LIMIT, source=RestrictionSource.RISK, reason="r"
        )

"""A merchant's daily order limit (governance's `daily_order_limit` restriction, accounts/restrictions.py).

Checked after the orders are written and the stock taken, in the same transaction, so the locks stay in the
context's order (consumer, offers, then merchants by ascending id: services/payments.py). The merchant's row is
locked and its orders of the day (Asia/Shanghai) counted under that lock, the new ones included: of two orders
racing for the last slot, the second counts the first once it commits and is refused, rolling back everything.
With no limit in force it costs one query per merchant (`limits_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.accounts.restrictions import limits_for
from xinren.core.errors import Conflict

from . import errors
from .models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The start and end of `now`'s day in Asia/Shanghai."""
    day = now.astimezone(SHANGHAI).date()
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def orders_today(*, merchant: Organization, now: datetime) -> int:
    start, end = day_bounds(now)
    return Order.objects.filter(merchant=merchant, placed_at__gte=start, placed_at__lt=end).count()


def daily_orders_check(*, merchants: Iterable[Organization], now: datetime) -> None:
    """Refuse (Conflict) when an order just written takes a merchant past its daily order limit."""
    for merchant in sorted(merchants, key=lambda org: org.pk):
        limit = limits_for(merchant, at=now).daily_order_limit
        if limit is None:
            continue
        Organization.objects.select_for_update().filter(pk=merchant.pk).first()
        if orders_today(merchant=merchant, now=now) > limit:
            raise Conflict(
                errors.ORDER_MERCHANT_DAILY_LIMIT,
                _("%(merchant)s 今日接单已满（每日上限 %(limit)s 单），请明天再下单或选择其他商家。")
                % {"merchant": merchant.name, "limit": limit},
                details={"field": "lines", "merchant": merchant.slug, "limit": limit},
            )

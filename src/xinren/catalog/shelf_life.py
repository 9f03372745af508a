"""Shelf life (保质期): the one place that says whether a lot is fresh, expiring or expired, and until when its
items may still be sold (docs/shelf-life.md, ADR 0020).

Days are calendar days in Asia/Shanghai, whatever the server's or the reader's zone: a lot whose label says
"保质期至 12-05" is good through 12-05 and expired from 00:00 on 12-06 Beijing time. Each product category has a
rule (`ShelfLifeRule`): how many whole days must be left on the day the parcel arrives, and from how many days
left the lot is shown as 即将过期. `settings.XINREN_SHELF_LIFE` overrides rules per category;
`settings.XINREN_SHIPPING_DAYS` is the delivery allowance when a product has no promise of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .choices import ProductCategory, ShelfState
from .models import Batch

SHELF_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_SHIPPING_DAYS = 2


@dataclass(frozen=True)
class ShelfLifeRule:
    """A category's rule: `min_remaining_days` whole days left on the day of delivery (0: the expiry day itself
    will do); `expiring_days`: shown as 即将过期 when fewer days than this are left."""

    min_remaining_days: int
    expiring_days: int


DEFAULT_RULES: dict[str, ShelfLifeRule] = {
    ProductCategory.WILD_MUSHROOM: ShelfLifeRule(min_remaining_days=1, expiring_days=3),
    ProductCategory.FRESH_FLOWERS: ShelfLifeRule(min_remaining_days=1, expiring_days=2),
    ProductCategory.FRUIT: ShelfLifeRule(min_remaining_days=1, expiring_days=3),
    ProductCategory.VEGETABLES: ShelfLifeRule(min_remaining_days=1, expiring_days=3),
    ProductCategory.MEAT_EGGS: ShelfLifeRule(min_remaining_days=1, expiring_days=3),
    ProductCategory.BAKED_GOODS: ShelfLifeRule(min_remaining_days=3, expiring_days=5),
    ProductCategory.COFFEE: ShelfLifeRule(min_remaining_days=30, expiring_days=60),
    ProductCategory.GRAIN_OIL: ShelfLifeRule(min_remaining_days=30, expiring_days=60),
    ProductCategory.HONEY: ShelfLifeRule(min_remaining_days=90, expiring_days=180),
    ProductCategory.TEA: ShelfLifeRule(min_remaining_days=180, expiring_days=365),
    ProductCategory.HANDICRAFT: ShelfLifeRule(min_remaining_days=0, expiring_days=0),
    ProductCategory.OTHER: ShelfLifeRule(min_remaining_days=1, expiring_days=3),
}


def rule_for(category: str) -> ShelfLifeRule:
    """The category's rule: settings.XINREN_SHELF_LIFE[category] (a dict of the two fields) over the default."""
    override = getattr(settings, "XINREN_SHELF_LIFE", {}).get(str(category))
    if override is not None:
        return ShelfLifeRule(
            min_remaining_days=int(override["min_remaining_days"]), expiring_days=int(override["expiring_days"])
        )
    return DEFAULT_RULES.get(category, DEFAULT_RULES[ProductCategory.OTHER])


def shipping_days_default() -> int:
    return int(getattr(settings, "XINREN_SHIPPING_DAYS", DEFAULT_SHIPPING_DAYS))


def local_date(at: datetime) -> date:
    """The calendar day of `at` in Beijing time."""
    return at.astimezone(SHELF_ZONE).date()


def state_on(*, expiry_date: date | None, category: str, on: date) -> ShelfState:
    """The state of a lot with this expiry date on day `on` (a lot without one never expires)."""
    if expiry_date is None:
        return ShelfState.FRESH
    left = (expiry_date - on).days
    if left < 0:
        return ShelfState.EXPIRED
    if left < rule_for(category).expiring_days:
        return ShelfState.EXPIRING
    return ShelfState.FRESH


def shelf_state(batch: Batch, *, at: datetime) -> ShelfState:
    """fresh, expiring or expired at the moment `at`."""
    return state_on(expiry_date=batch.expiry_date, category=batch.product.category, on=local_date(at))


def expiry_floor(*, category: str, at: datetime, shipping_days: int) -> date:
    """The earliest expiry date an item sold or shipped at `at` may have: it arrives `shipping_days` later with
    at least the category's minimum left. Lots expiring before this day are not sold."""
    return local_date(at) + timedelta(days=shipping_days + rule_for(category).min_remaining_days)


def sellable_until(*, expiry_date: date | None, category: str, shipping_days: int) -> date | None:
    """The last day (Beijing time) on which an item of the lot may be sold or shipped; None: no limit."""
    if expiry_date is None:
        return None
    return expiry_date - timedelta(days=shipping_days + rule_for(category).min_remaining_days)


def is_sellable(batch: Batch, *, at: datetime, shipping_days: int) -> bool:
    """Whether an item of the lot sold or shipped at `at` still arrives within the category's minimum."""
    last = sellable_until(
        expiry_date=batch.expiry_date, category=batch.product.category, shipping_days=shipping_days
    )
    return last is None or local_date(at) <= last

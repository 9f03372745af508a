"""What can be sold now: the one count the shop shows, order placement checks and the console explains.

A product with serialized items can be sold only as far as it has items to ship: unsold (no shipment took them),
not promised to an open order, not held (a recall, `holds.py`), and in lots that still arrive with the category's
minimum shelf life left (catalog/shelf_life.py). The quantity for sale is min(offer.stock, those items). A product
with no serialized items at all is counted by `offer.stock` alone: nothing of it can ship until items are minted,
and then this rule applies (docs/shelf-life.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from xinren.catalog.choices import ShelfState
from xinren.catalog.models import Item
from xinren.catalog.shelf_life import (
    expiry_floor,
    local_date,
    shipping_days_default,
    state_on,
)
from xinren.coldchain.choices import PromiseKind
from xinren.coldchain.models import Promise
from xinren.core import clock
from xinren.core.errors import Conflict

from . import errors
from .choices import OrderStatus
from .holds import held_q
from .models import Offer, OrderLine

# Orders whose units are promised but not yet shipped: their items are still "unsold" rows.
RESERVING = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


@dataclass(frozen=True)
class Availability:
    """An offer's stock as the shop shows it, and why it is what it is."""

    stock: int  # offer.stock: what the merchant entered, less open orders
    tracked: bool  # the product has serialized items, so shelf life and items count
    sellable: int  # what may be ordered now
    expired: int = 0  # unsold items in lots past their expiry date
    expiring: int = 0  # unsold items in lots shown as 即将过期
    stopped: str = ""  # "expired" / "too_short" / "held": nothing is for sale because of shelf life or a recall
    held: int = 0  # unsold items kept out of sale (a recall)

    @property
    def stop_label(self) -> str:
        if self.stopped == "expired":
            return str(_("已过保质期，停止销售"))
        if self.stopped == "too_short":
            return str(_("临近保质期，停止销售"))
        if self.stopped == "held":
            return str(_("已召回，停止销售"))
        return ""


def shipping_days_for(product_ids: Iterable[int]) -> dict[int, int]:
    """Days a parcel of each product is allowed on the road: the merchant's promise (hours, rounded up to whole
    days) or settings.XINREN_SHIPPING_DAYS."""
    ids = list(product_ids)
    days = dict.fromkeys(ids, shipping_days_default())
    promises = Promise.objects.filter(
        product_id__in=ids, kind=PromiseKind.ORIGIN_TO_TABLE_HOURS, active=True
    ).values_list("product_id", "hours")
    for product_id, hours in promises:
        days[product_id] = max(1, math.ceil(hours / 24))
    return days


def availability_for(
    offers: Iterable[Offer], *, at: datetime | None = None, written: Mapping[int, int] | None = None
) -> dict[int, Availability]:
    """Each offer's availability, by offer id: three queries whatever the number of offers. `written`: units per
    product of the purchase being checked that are already written as order lines (the cart checkout writes its
    orders before it takes the stock), which the reserved count therefore includes."""
    offers = list(offers)
    at = at or clock.now()
    today = local_date(at)
    product_ids = {offer.product_id for offer in offers}
    shipping = shipping_days_for(product_ids)
    lots: dict[int, list[tuple[date | None, str, int]]] = defaultdict(list)
    held: dict[int, int] = defaultdict(int)
    held_items = held_q()
    rows = (
        Item.objects.filter(product_id__in=product_ids)
        .values("product_id", "batch_id", "batch__expiry_date", "product__category")
        .annotate(
            unsold=Count("id", filter=Q(shipment_items__isnull=True) & ~held_items),
            held=Count("id", filter=Q(shipment_items__isnull=True) & held_items),
        )
        .order_by()
    )
    for row in rows:
        lots[row["product_id"]].append((row["batch__expiry_date"], row["product__category"], row["unsold"]))
        held[row["product_id"]] += row["held"]
    reserved = dict(
        OrderLine.objects.filter(product_id__in=product_ids, order__status__in=RESERVING)
        .values("product_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
        .values_list("product_id", "quantity")
    )
    result: dict[int, Availability] = {}
    for offer in offers:
        product_lots = lots.get(offer.product_id)
        if not product_lots:
            result[offer.pk] = Availability(stock=offer.stock, tracked=False, sellable=offer.stock)
            continue
        good = expired = expiring = unsold = 0
        for expiry_date, category, count in product_lots:
            unsold += count
            state = state_on(expiry_date=expiry_date, category=category, on=today)
            if state == ShelfState.EXPIRED:
                expired += count
            elif state == ShelfState.EXPIRING:
                expiring += count
            floor = expiry_floor(category=category, at=at, shipping_days=shipping[offer.product_id])
            if expiry_date is None or expiry_date >= floor:
                good += count
        free = good - reserved.get(offer.product_id, 0) + (written or {}).get(offer.product_id, 0)
        stopped = ""
        if good == 0 and unsold > 0:
            stopped = "expired" if expired == unsold else "too_short"
        elif unsold == 0 and held[offer.product_id] > 0:
            stopped = "held"
        result[offer.pk] = Availability(
            stock=offer.stock, tracked=True, sellable=max(0, min(offer.stock, free)),
            expired=expired, expiring=expiring, stopped=stopped, held=held[offer.product_id],
        )
    return result


def availability_of(offer: Offer, *, at: datetime | None = None, written: int = 0) -> Availability:
    return availability_for([offer], at=at, written={offer.product_id: written})[offer.pk]


def stock_require(*, offer: Offer, quantity: int, at: datetime, written: bool = False) -> Availability:
    """Refuse an order of `quantity` units the offer cannot supply now (see the module docstring); the caller holds
    the offer's row lock, so the count cannot change before the order is written. `written`: the order lines of
    these units are already written (the cart checkout), so they are not counted twice."""
    available = availability_of(offer, at=at, written=quantity if written else 0)
    if available.stopped:
        raise Conflict(
            errors.OFFER_HELD if available.stopped == "held" else errors.OFFER_EXPIRED,
            _("“%(name)s”%(reason)s") % {"name": offer.product.name, "reason": available.stop_label},
            details={"field": "quantity", "product_id": offer.product_id, "available": 0,
                     "reason": available.stopped},
        )
    if available.sellable < quantity:
        raise Conflict(
            errors.OUT_OF_STOCK,
            _("库存不足：%(name)s 仅剩 %(stock)d 件") % {"name": offer.product.name, "stock": available.sellable},
            details={"field": "quantity", "product_id": offer.product_id, "available": available.sellable},
        )
    return available

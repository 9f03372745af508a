"""Keeping the published product pages' offer fresh: their JSON-LD says InStock or OutOfStock (and the price) as of
publishing (reviews/section.py `offer_jsonld`), so a change that flips what can be sold queues the product page in the
page outbox (core/outbox.py, drained by web/publishing.py), in the transaction that makes the change.

The triggers, cheapest first (docs/shelf-life.md, "The published offer"):

- taking stock (an order placed, a cart checked out): only when it takes the last units that could be sold;
- stock coming back (an order cancelled or expired unpaid): only when the product had nothing left to sell;
- the merchant saving the offer (restock, price, on/off sale), and items minted (catalog): always, they are rare;
- the date: a lot passing its expiry date or the category's minimum shelf life stops its units being sold without any
  write. A daily job just after local midnight compares each offer's availability today with yesterday's and queues
  the pages that flipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from xinren.core import clock
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.orders.models import Offer
from xinren.orders.stock import availability_for

CHUNK = 500  # offers compared per round of the daily job (three queries each)


def offer_pages_mark_stale(*, product_ids: Iterable[int]) -> None:
    """Queue the product pages (the page only: its lots and items show no offer) of these products."""
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT_PAGE, object_ids=product_ids)


def offer_pages_after_take(*, offer: Offer, sellable_before: int, quantity: int) -> None:
    """After `quantity` units were taken from an offer that could sell `sellable_before`: queue its product page when
    nothing is left to sell (the page said InStock)."""
    if sellable_before - quantity <= 0:
        offer_pages_mark_stale(product_ids=[offer.product_id])


def offer_pages_after_return(*, returned: Mapping[int, int]) -> None:
    """After units came back to offers (`returned`: units by offer id, already counted as sellable): queue the pages
    of products that had nothing to sell before (the page said OutOfStock)."""
    offers = list(Offer.objects.filter(pk__in=list(returned)))
    available = availability_for(offers)
    offer_pages_mark_stale(product_ids=[
        offer.product_id for offer in offers if 0 < available[offer.pk].sellable <= returned[offer.pk]
    ])


def offer_pages_refresh_for_date(*, at: datetime | None = None) -> int:
    """Queue the product pages whose offer could be sold yesterday and not today, or the other way round (shelf life
    counts whole local days); returns how many. Run daily just after local midnight (xinren/schedule.py)."""
    at = at or clock.now()
    flipped: list[int] = []
    last = 0
    while True:
        offers = list(Offer.objects.filter(active=True, pk__gt=last).order_by("pk")[:CHUNK])
        if not offers:
            break
        today = availability_for(offers, at=at)
        yesterday = availability_for(offers, at=at - timedelta(days=1))
        flipped += [offer.product_id for offer in offers
                    if (today[offer.pk].sellable > 0) != (yesterday[offer.pk].sellable > 0)]
        last = offers[-1].pk
    offer_pages_mark_stale(product_ids=flipped)
    return len(set(flipped))

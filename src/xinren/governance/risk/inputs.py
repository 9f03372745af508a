"""A merchant's figures for the risk rules, gathered from what the platform already records, in a few queries.

Sources: orders (paid, shipped: punctuality against the promise in hours), aftersales (claims, requests escalated
to the platform and those the platform decided for the consumer), reviews (integrity flags not dismissed),
support (first-response figures), verification (failed and expired credentials), catalog (new listings in
categories new for the merchant), the audit rows of offers (prices: there is no price history table, ADR 0035
republishes pages but keeps no history), and the blacklist (shared keyed-hash entities).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from xinren.accounts import blacklist
from xinren.accounts.models import Organization
from xinren.aftersales.choices import CLAIM_KINDS, DecidedBy, Outcome
from xinren.aftersales.models import AfterSaleDecision, AfterSaleRequest
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.models import AuditEntry
from xinren.orders.models import Offer, Order
from xinren.reviews.choices import FlagReason
from xinren.reviews.models import Flag
from xinren.support.selectors import merchant_response_stats
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential

from .rules import MerchantFigures

WINDOW = timedelta(days=90)
REPLY_WINDOW = timedelta(days=30)
LISTING_WINDOW = timedelta(days=30)
PRICE_WINDOW = timedelta(days=7)


def merchant_figures(
    organization: Organization, *, params: Mapping[str, Mapping[str, Any]] | None = None, at: datetime | None = None
) -> MerchantFigures:
    """Everything the rules read about one merchant at `at`; `params` (rule id -> parameters) sets the shipping
    promise and the price-jump share."""
    at = at or clock.now()
    since = at - WINDOW
    params = params or {}
    promise = timedelta(hours=float(params.get("shipping_punctuality", {}).get("promise_hours", 48)))
    jump_share = float(params.get("price_change", {}).get("jump_share", 0.5))

    paid = Order.objects.filter(merchant=organization, paid_at__gte=since, paid_at__lt=at)
    orders = paid.aggregate(
        orders=Count("id"),
        due=Count("id", filter=Q(shipped_at__isnull=False) | Q(paid_at__lt=at - promise)),
    )
    due_rows = paid.filter(Q(shipped_at__isnull=False) | Q(paid_at__lt=at - promise))
    shipped_late = 0
    for paid_at, shipped_at in due_rows.values_list("paid_at", "shipped_at"):
        if paid_at is not None and (shipped_at is None or shipped_at - paid_at > promise):
            shipped_late += 1

    requests = AfterSaleRequest.objects.filter(merchant=organization, created_at__gte=since, created_at__lt=at)
    aftersales = requests.aggregate(
        claims=Count("id", filter=Q(kind__in=sorted(CLAIM_KINDS))),
        escalations=Count("id", filter=Q(escalated_at__isnull=False)),
    )
    disputes_lost = (
        AfterSaleDecision.objects.filter(
            request__merchant=organization,
            request__escalated_at__isnull=False,
            decided_by=DecidedBy.OPERATOR,
            outcome__in=[Outcome.APPROVE, Outcome.PARTIAL],
            at__gte=since,
            at__lt=at,
        )
        .values("request")
        .distinct()
        .count()
    )

    flags = (
        Flag.objects.filter(
            Q(merchant=organization) | Q(review__merchant=organization), created_at__gte=since, created_at__lt=at
        )
        .exclude(upheld=False)
        .aggregate(
            brushing=Count("id", filter=Q(reason=FlagReason.BRUSHING)),
            reviews=Count("id", filter=~Q(reason=FlagReason.BRUSHING)),
        )
    )

    replies = merchant_response_stats(merchant=organization, since=at - REPLY_WINDOW, until=at)

    credentials = (
        Credential.objects.filter(organization=organization)
        .exclude(status=CredentialStatus.WITHDRAWN)
        .aggregate(
            failed=Count("id", filter=Q(status=CredentialStatus.FAILED)),
            expired=Count("id", filter=Q(status=CredentialStatus.VERIFIED, valid_until__lt=at.date())),
        )
    )

    listing_since = at - LISTING_WINDOW
    categories_before = set(
        Product.objects.filter(merchant=organization, created_at__lt=listing_since).values_list("category", flat=True)
    )
    new_categories = list(
        Product.objects.filter(merchant=organization, created_at__gte=listing_since, created_at__lt=at).values_list(
            "category", flat=True
        )
    )

    repriced, jumped = offer_price_moves(organization, at=at, jump_share=jump_share)

    proximity = blacklist.proximity(organization)

    return MerchantFigures(
        orders=orders["orders"],
        claims=aftersales["claims"],
        escalations=aftersales["escalations"],
        disputes_lost=disputes_lost,
        brushing_flags=flags["brushing"],
        review_flags=flags["reviews"],
        inquiries_decided=replies.decided,
        answered_within_24h=replies.answered_within_24h,
        shipments_due=orders["due"],
        shipped_late=shipped_late,
        credentials_failed=credentials["failed"],
        credentials_expired=credentials["expired"],
        new_listings=len(new_categories),
        new_listings_new_category=sum(1 for category in new_categories if category not in categories_before),
        offers_repriced=repriced,
        offers_price_jumped=jumped,
        blacklist_links=int(proximity),
    )


def offer_price_moves(organization: Organization, *, at: datetime, jump_share: float) -> tuple[int, int]:
    """Offers whose price was set in the last 7 days, and those among them that moved by more than `jump_share`
    from the price before the window (or, for an offer created inside it, its first price), from the audit rows
    `offer.create` / `offer.update` (orders.services.offers)."""
    offer_ids = [str(pk) for pk in Offer.objects.filter(merchant=organization).values_list("pk", flat=True)]
    if not offer_ids:
        return 0, 0
    rows = (
        AuditEntry.objects.filter(
            target_type="orders.offer",
            target_id__in=offer_ids,
            action__in=["offer.create", "offer.update"],
            at__lt=at,
        )
        .order_by("at", "id")
        .values_list("target_id", "at", "data")
    )
    before: dict[str, int] = {}
    inside: dict[str, list[int]] = defaultdict(list)
    since = at - PRICE_WINDOW
    for target_id, created_at, data in rows:
        price = (data or {}).get("price_fen")
        if not isinstance(price, int) or price <= 0:
            continue
        if created_at < since:
            before[target_id] = price
        else:
            inside[target_id].append(price)
    jumped = 0
    for target_id, prices in inside.items():
        base = before.get(target_id, prices[0])
        if any(abs(price - base) / base > jump_share for price in prices):
            jumped += 1
    return len(inside), jumped

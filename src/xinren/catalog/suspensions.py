"""Listing suspensions: products taken off sale until a cause is cured (docs/governance.md, ADR 0043).

The catalog holds the rows and answers "is this product suspended, and why" for the pages and for orders; the
context that decides (governance, above) places and lifts them through the two services here, inside its own
transaction, and signs the public record. A suspended product keeps its status (it is still "active", its pages
stay published): the suspension is a separate fact, so lifting it restores exactly what was there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from xinren.core import clock
from xinren.core.audit import audit_record_many
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale

from .choices import ProductStatus
from .events import SUSPENSIONS_CHANGED
from .models import ListingSuspension, Product
from .shelf_life import local_date

LICENCE_EXPIRED = "licence_expired"


def suspension_open(product_ref: str = "pk") -> Exists:
    """A query expression: the product named by `product_ref` has an open suspension (one subquery, no join)."""
    return Exists(ListingSuspension.objects.filter(product=OuterRef(product_ref), lifted_at__isnull=True))


def reason_text(*, reason_code: str, details: Mapping[str, Any], fallback: str = "") -> str:
    """The plain sentence a shopper reads, in the active language (no personal data: a kind and a date)."""
    if reason_code == LICENCE_EXPIRED and details.get("kind_label") and details.get("valid_until"):
        return _("商家的%(licence)s已于 %(date)s 到期，该商品暂停销售，待新证核验通过后恢复") % {
            "licence": _(str(details["kind_label"])), "date": details["valid_until"],
        }
    return fallback or _("该商品暂停销售")


def listing_suspend(
    *,
    products: Sequence[Product],
    reason_code: str,
    reason: str,
    details: Mapping[str, Any],
    source: str,
) -> list[ListingSuspension]:
    """Suspend each product that has no open suspension for `reason_code` yet; returns the new rows only.

    Call inside the deciding service's transaction (it signs the public record); the products' pages are queued
    for re-publication in the same transaction."""
    if not products:
        return []
    already = set(
        ListingSuspension.objects.filter(
            product__in=products, reason_code=reason_code, lifted_at__isnull=True
        ).values_list("product_id", flat=True)
    )
    rows = [
        ListingSuspension(product=product, reason_code=reason_code, reason=reason[:255], details=dict(details),
                          source=source[:64])
        for product in products
        if product.pk not in already
    ]
    ListingSuspension.objects.bulk_create(rows)
    if rows:
        pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[row.product_id for row in rows])
        SUSPENSIONS_CHANGED.announce(product_ids=sorted({row.product_id for row in rows}))
        audit_record_many([
            (None, row.product.merchant, "listing.suspend", row,
             {"reason_code": reason_code, "source": row.source, "gtin": row.product.gtin})
            for row in rows
        ])
    return rows


def listing_suspensions_lift(
    *, suspensions: Iterable[ListingSuspension], at: dt.datetime | None = None
) -> list[ListingSuspension]:
    """Lift these open suspensions (the deciding context found their cause cured); returns those lifted."""
    now = at or clock.now()
    rows = [row for row in suspensions if row.lifted_at is None]
    if not rows:
        return []
    ListingSuspension.objects.filter(pk__in=[row.pk for row in rows], lifted_at__isnull=True).update(
        lifted_at=now, updated_at=now
    )
    for row in rows:
        row.lifted_at = now
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[row.product_id for row in rows])
    SUSPENSIONS_CHANGED.announce(product_ids=sorted({row.product_id for row in rows}))
    audit_record_many([
        (None, row.product.merchant, "listing.lift", row, {"reason_code": row.reason_code, "source": row.source})
        for row in rows
    ])
    return rows


# -- reads --------------------------------------------------------------------------------------------------------


def suspensions_open_for(*, product_ids: Iterable[int]) -> dict[int, list[ListingSuspension]]:
    """The open suspensions of these products, by product id (products without one are absent)."""
    found: dict[int, list[ListingSuspension]] = {}
    for row in ListingSuspension.objects.filter(product_id__in=list(product_ids), lifted_at__isnull=True).order_by(
        "created_at", "pk"
    ):
        found.setdefault(row.product_id, []).append(row)
    return found


def product_is_suspended(*, product_id: int) -> bool:
    return ListingSuspension.objects.filter(product_id=product_id, lifted_at__isnull=True).exists()


class SuspensionReason(TypedDict, closed=True):
    """One cause, as data the page's partial turns into a sentence in the reader's language."""

    code: str
    text: str  # the sentence as recorded, in the platform's language (shown for causes the partial cannot word)
    licence_label: str  # for licence_expired: the licence's name (zh-hans, translated when drawn), else ""
    until: str  # for licence_expired: the ISO date the licence expired, else ""
    since: str  # the ISO date (Beijing) the sale stopped


class SuspensionSection(TypedDict, closed=True):
    """Why a product cannot be bought now: drawn at the top of its scan page."""

    reasons: list[SuspensionReason]


def suspension_reasons(rows: Iterable[ListingSuspension]) -> list[SuspensionReason]:
    return [
        {"code": row.reason_code, "text": row.reason,
         "licence_label": str(row.details.get("kind_label", "")), "until": str(row.details.get("valid_until", "")),
         "since": local_date(row.created_at).isoformat()}
        for row in rows
    ]


def suspension_section_for(*, product: Product) -> SuspensionSection | None:
    """The product's open suspensions, for its scan page; None when it is on sale."""
    rows = suspensions_open_for(product_ids=[product.pk]).get(product.pk)
    return {"reasons": suspension_reasons(rows)} if rows else None


def suspended_listing_get(*, product_id: int) -> tuple[Product, SuspensionSection] | None:
    """A published product that is suspended, with why (the shop shows this instead of "not found")."""
    product = (
        Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE)
        .filter(suspension_open())
        .select_related("merchant")
        .first()
    )
    if product is None:
        return None
    section = suspension_section_for(product=product)
    return (product, section) if section is not None else None

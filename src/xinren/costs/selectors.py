"""Reading published cost breakdowns back (成本透明): the current version of a product, as chart-ready data, with
how its price compares with the price the product sells at now (handed in by the interface, ADR 0035)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product
from xinren.core.errors import NotFound
from xinren.core.money import fen_to_yuan

from .errors import COST_NOT_FOUND
from .models import COST_LINES, CostBreakdown
from .prices import OfferPrice, PriceState, lines_for_price, price_state

COST_LINE_LABELS = {
    "raw_material": _("原料"),
    "processing": _("加工"),
    "packaging": _("包装"),
    "logistics": _("物流"),
    "platform_fees": _("平台费用"),
    "profit": _("利润"),
}


class CostLine(TypedDict):
    """One line of a breakdown: fen, yuan and share of the price in percent (one decimal, as text)."""

    line: str  # a COST_LINES name
    label: str
    fen: int
    yuan: str
    percent: str


class CostBreakdownFields(TypedDict):
    """A breakdown's keys other than its lines (the consumer section extends those).

    `price_fen` is the price it was published against (for breakdowns from before ADR 0035, its lines' total);
    `current_price_fen` the price the product sells at now (None when it is not for sale), and `price_state` how the
    two compare: a stale breakdown is shown as such ("与现价不符，商家尚未更新"), never as the product's price.
    """

    product_id: int
    version: int
    price_fen: int
    price_yuan: str
    offer_id: int | None
    supersedes_version: int | None
    price_state: PriceState
    current_price_fen: int | None
    current_price_yuan: str | None
    published_at: str
    leaf_hash: str


class CostBreakdownData(CostBreakdownFields, closed=True):
    """A published breakdown (成本透明), chart-ready."""

    lines: list[CostLine]


def _percent(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def cost_breakdown_as_dict(*, breakdown: CostBreakdown, current_price_fen: int | None) -> CostBreakdownData:
    """A breakdown for a bar chart: each line's fen, yuan and share of the price it was published against (one
    decimal, so the shares may add up to 99.9 or 100.1), and how that price compares with `current_price_fen`."""
    superseded = breakdown.supersedes
    return {
        "product_id": breakdown.product_id,
        "version": breakdown.version,
        "price_fen": breakdown.price_fen,
        "price_yuan": fen_to_yuan(breakdown.price_fen),
        "offer_id": breakdown.offer_id,
        "supersedes_version": None if superseded is None else superseded.version,
        "price_state": price_state(price_fen=breakdown.price_fen, current_price_fen=current_price_fen),
        "current_price_fen": current_price_fen,
        "current_price_yuan": None if current_price_fen is None else fen_to_yuan(current_price_fen),
        "lines": [
            {
                "line": name,
                "label": str(COST_LINE_LABELS[name]),
                "fen": getattr(breakdown, name),
                "yuan": fen_to_yuan(getattr(breakdown, name)),
                "percent": _percent(getattr(breakdown, name), breakdown.price_fen),
            }
            for name in COST_LINES
        ],
        "published_at": breakdown.published_at.isoformat(),
        "leaf_hash": breakdown.ledger_leaf_hash,
    }


def cost_breakdown_current(*, product: Product, current_price_fen: int | None) -> CostBreakdownData | None:
    """The latest published breakdown of a product as a chart-ready dict, compared with the price the product sells
    at now (None: not for sale); None when none was published."""
    breakdown = CostBreakdown.objects.filter(product=product).select_related("supersedes").order_by("-version").first()
    return None if breakdown is None else cost_breakdown_as_dict(breakdown=breakdown,
                                                                 current_price_fen=current_price_fen)


def cost_public_product(*, product_id: int) -> Product:
    """A published product whose breakdown anyone may read (drafts and products without one: not found)."""
    product = Product.objects.filter(
        pk=product_id, status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED], cost_breakdowns__isnull=False
    ).distinct().first()
    if product is None:
        raise NotFound(COST_NOT_FOUND, _("该商品尚未公开成本构成"))
    return product


def cost_breakdown_history(*, actor: Actor, product_id: int) -> list[CostBreakdown]:
    """Every published version of one of the actor's products, newest first."""
    return list(CostBreakdown.objects.filter(product_id=product_id, product__merchant=actor.organization)
                .select_related("supersedes", "published_by").order_by("-version"))


@dataclass(frozen=True)
class CostOverviewRow:
    """One of the merchant's products with its latest breakdown and how it compares with the product's price now;
    for a stale one, the lines to start re-publishing from (`lines_for_price`)."""

    product: Product
    breakdown: CostBreakdown | None
    offer: OfferPrice | None
    state: PriceState | None  # None: no breakdown published
    suggested_fen: dict[str, int] | None


def cost_overview(*, actor: Actor, products: list[Product], offers: Mapping[int, OfferPrice]) -> list[CostOverviewRow]:
    """The actor's products (as given, already scoped) with their latest breakdowns against their offers' prices
    (`offers` by product id): stale ones first, then current, then not for sale, then those without a breakdown."""
    mine = [product for product in products if product.merchant_id == actor.organization.pk]
    latest: dict[int, CostBreakdown] = {}
    for row in CostBreakdown.objects.filter(product__in=mine).order_by("product_id", "version"):
        latest[row.product_id] = row  # the highest version wins
    rows = []
    for product in mine:
        breakdown, offer = latest.get(product.pk), offers.get(product.pk)
        state = None if breakdown is None else price_state(
            price_fen=breakdown.price_fen, current_price_fen=None if offer is None else offer.price_fen
        )
        suggested = None
        if breakdown is not None and offer is not None and state == "stale":
            suggested = lines_for_price(lines={name: getattr(breakdown, name) for name in COST_LINES},
                                        price_fen=offer.price_fen)
        rows.append(CostOverviewRow(product=product, breakdown=breakdown, offer=offer, state=state,
                                    suggested_fen=suggested))
    order = {"stale": 0, "current": 1, "not_for_sale": 2, None: 3}
    return sorted(rows, key=lambda row: order[row.state])

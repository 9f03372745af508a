"""Reading published cost breakdowns back (成本透明): the current version of a product, as chart-ready data."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product
from xinren.core.errors import NotFound
from xinren.core.money import fen_to_yuan

from .errors import COST_NOT_FOUND
from .models import COST_LINES, CostBreakdown

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
    """A breakdown's keys other than its lines (the consumer section extends those)."""

    product_id: int
    version: int
    price_fen: int
    price_yuan: str
    published_at: str
    leaf_hash: str


class CostBreakdownData(CostBreakdownFields, closed=True):
    """A published breakdown (成本透明), chart-ready."""

    lines: list[CostLine]


def _percent(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def cost_breakdown_as_dict(*, breakdown: CostBreakdown) -> CostBreakdownData:
    """A breakdown for a bar chart: each line's fen, yuan and share of the price (one decimal, so the shares
    may add up to 99.9 or 100.1)."""
    return {
        "product_id": breakdown.product_id,
        "version": breakdown.version,
        "price_fen": breakdown.price_fen,
        "price_yuan": fen_to_yuan(breakdown.price_fen),
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


def cost_breakdown_current(*, product: Product) -> CostBreakdownData | None:
    """The latest published breakdown of a product as a chart-ready dict, or None when none was published."""
    breakdown = CostBreakdown.objects.filter(product=product).order_by("-version").first()
    return None if breakdown is None else cost_breakdown_as_dict(breakdown=breakdown)


def cost_breakdown_public(*, product_id: int) -> CostBreakdownData:
    """The current breakdown of a published product, for anyone (drafts and products without one: not found)."""
    product = Product.objects.filter(pk=product_id, status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED]).first()
    current = None if product is None else cost_breakdown_current(product=product)
    if current is None:
        raise NotFound(COST_NOT_FOUND, _("该商品尚未公开成本构成"))
    return current

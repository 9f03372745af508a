"""Cost transparency (成本透明): publishing how a product's price splits into cost lines, and reading it back.

A publication is never edited: each is a new version, signed as a `cost.breakdown` statement with the
merchant's custodial key in the same transaction, so that a consumer can check the figures the merchant
stood behind at any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xinren.accounts import keys
from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.money import fen_to_yuan, yuan_to_fen
from xinren.core.outbox import pages_mark_stale

from .choices import ProductStatus
from .cost_models import COST_LINES, CostBreakdown
from .models import Product
from .selectors import product_get

STATEMENT_TYPE = "cost.breakdown"
COST_LINE_LABELS = {
    "raw_material": _("原料"),
    "processing": _("加工"),
    "packaging": _("包装"),
    "logistics": _("物流"),
    "platform_fees": _("平台费用"),
    "profit": _("利润"),
}
LINES_INVALID = "cost_breakdown.lines_invalid"
SUM_MISMATCH = "cost_breakdown.sum_mismatch"
PRICE_INVALID = "cost_breakdown.price_invalid"
COST_NOT_FOUND = "cost_breakdown.not_found"


def _lines_fen(lines: Mapping[str, str | int | Decimal]) -> dict[str, int]:
    unknown = sorted(set(lines) - set(COST_LINES))
    missing = [name for name in COST_LINES if name not in lines]
    if unknown or missing:
        raise InvalidInput(
            LINES_INVALID,
            _("成本构成必须且只能包含：原料、加工、包装、物流、平台费用、利润"),
            details={"unknown": unknown, "missing": missing, "expected": list(COST_LINES)},
        )
    out = {name: yuan_to_fen(lines[name]) for name in COST_LINES}
    negative = [name for name, fen in out.items() if fen < 0]
    if negative:
        raise InvalidInput(LINES_INVALID, _("成本项不能为负数"), details={"negative": negative})
    return out


@transaction.atomic
def cost_breakdown_publish(
    *, actor: Actor, product_id: int, price: str, lines: Mapping[str, str | int | Decimal]
) -> CostBreakdown:
    """Publish a new version of a product's cost breakdown; the lines (yuan) must add up to the price exactly."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = product_get(actor=actor, product_id=product_id)
    price_fen = yuan_to_fen(price)
    if price_fen <= 0:
        raise InvalidInput(PRICE_INVALID, _("售价必须大于 0"), details={"price": str(price)})
    fen = _lines_fen(lines)
    total = sum(fen.values())
    if total != price_fen:
        raise InvalidInput(
            SUM_MISMATCH,
            _("各项成本之和与售价不一致，相差 %(difference)s 元") % {"difference": fen_to_yuan(total - price_fen)},
            details={"price_fen": price_fen, "sum_fen": total, "difference_fen": total - price_fen},
        )
    # The product row lock orders concurrent publications, so versions count up without gaps or clashes.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    version = (CostBreakdown.objects.filter(product=product).aggregate(v=Max("version"))["v"] or 0) + 1
    published_at = clock.now()
    statement = {
        "type": STATEMENT_TYPE,
        "subject": product.digital_link.uri(settings.XINREN_RESOLVER),
        "merchant": keys.owner_of(actor.organization),
        "gtin": product.gtin,
        "version": version,
        "currency": "CNY",
        "price_fen": price_fen,
        "lines_fen": fen,
        "time": published_at.isoformat(),
    }
    ref = keys.statement_sign_and_append(organization=actor.organization, statement=statement)
    breakdown = CostBreakdown.objects.create(
        product=product, version=version, price_fen=price_fen, published_at=published_at, published_by=actor.user,
        ledger_leaf_hash=ref.leaf_hash, **fen,
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    audit_record(actor=actor.user, organization=actor.organization, action="cost_breakdown.publish",
                 target=breakdown, data={"version": version, "price_fen": price_fen, "leaf_hash": ref.leaf_hash})
    return breakdown


def _percent(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def cost_breakdown_as_dict(*, breakdown: CostBreakdown) -> dict[str, Any]:
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


def cost_breakdown_current(*, product: Product) -> dict[str, Any] | None:
    """The latest published breakdown of a product as a chart-ready dict, or None when none was published."""
    breakdown = CostBreakdown.objects.filter(product=product).order_by("-version").first()
    return None if breakdown is None else cost_breakdown_as_dict(breakdown=breakdown)


def cost_breakdown_public(*, product_id: int) -> dict[str, Any]:
    """The current breakdown of a published product, for anyone (drafts and products without one: not found)."""
    product = Product.objects.filter(pk=product_id, status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED]).first()
    current = None if product is None else cost_breakdown_current(product=product)
    if current is None:
        raise NotFound(COST_NOT_FOUND, _("该商品尚未公开成本构成"))
    return current

"""Cost transparency (成本透明): publishing how a product's price splits into cost lines.

A publication is never edited: each is a new version, signed as a `cost.breakdown` statement with the
merchant's custodial key in the same transaction, so that a consumer can check the figures the merchant
stood behind at any time.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.attest import keys, signing
from xinren.catalog.models import Product
from xinren.catalog.selectors import product_get
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput
from xinren.core.models import PageRefresh
from xinren.core.money import fen_to_yuan, yuan_to_fen
from xinren.core.outbox import pages_mark_stale

from .errors import LINES_INVALID, PRICE_INVALID, SUM_MISMATCH
from .models import COST_LINES, CostBreakdown
from .statements import COST_BREAKDOWN


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
        "type": COST_BREAKDOWN.name,
        "subject": product.digital_link.uri(settings.XINREN_RESOLVER),
        "merchant": keys.owner_of(actor.organization),
        "gtin": product.gtin,
        "version": version,
        "currency": "CNY",
        "price_fen": price_fen,
        "lines_fen": fen,
        "time": published_at.isoformat(),
    }
    ref = signing.statement_sign_and_append(organization=actor.organization, statement=statement)
    breakdown = CostBreakdown.objects.create(
        product=product, version=version, price_fen=price_fen, published_at=published_at, published_by=actor.user,
        ledger_leaf_hash=ref.leaf_hash, **fen,
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    audit_record(actor=actor.user, organization=actor.organization, action="cost_breakdown.publish",
                 target=breakdown, data={"version": version, "price_fen": price_fen, "leaf_hash": ref.leaf_hash})
    return breakdown

"""Cost transparency (成本透明): publishing how a product's price splits into cost lines.

A publication is never edited: each is a new version, signed as a `cost.breakdown` statement with the
merchant's custodial key in the same transaction, so that a consumer can check the figures the merchant
stood behind at any time. A breakdown is published against the price the product sells at (its offer, read by
the interface and handed in, ADR 0035) and names the version it supersedes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.attest import keys, signing
from xinren.catalog.models import Product
from xinren.catalog.selectors import product_get
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput
from xinren.core.models import PageRefresh
from xinren.core.money import fen_to_yuan, yuan_to_fen
from xinren.core.outbox import pages_mark_stale

from .errors import LINES_INVALID, NO_OFFER, PRICE_CHANGED, PRICE_INVALID, SUM_MISMATCH
from .models import COST_LINES, CostBreakdown
from .prices import OfferPrice
from .statements import COST_BREAKDOWN, offer_ref


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


def _expected_price(price: str | None) -> int | None:
    if price is None:
        return None
    price_fen = yuan_to_fen(price)
    if price_fen <= 0:
        raise InvalidInput(PRICE_INVALID, _("售价必须大于 0"), details={"price": str(price)})
    return price_fen


def _offer_check(*, offer: OfferPrice | None, product: Product, fen: Mapping[str, int], expected: int | None) -> int:
    """The price to publish against: the offer's. Refuses a product without one, lines that do not add up to it, and
    a form filled in against a price that has changed since."""
    if offer is None:
        raise InvalidInput(NO_OFFER, _("该商品还没有售价：请先设置售价，再按售价公布成本构成"))
    if offer.product_id != product.pk:
        raise ValueError(f"offer {offer.offer_id} is not product {product.pk}'s")
    total = sum(fen.values())
    if total != offer.price_fen:
        raise InvalidInput(
            SUM_MISMATCH,
            _("各项成本合计 ¥%(total)s，与售价 ¥%(price)s 不符")
            % {"total": fen_to_yuan(total), "price": fen_to_yuan(offer.price_fen)},
            details={"price_fen": offer.price_fen, "sum_fen": total, "difference_fen": total - offer.price_fen,
                     "offer": offer_ref(offer.offer_id)},
        )
    if expected is not None and expected != offer.price_fen:
        raise Conflict(
            PRICE_CHANGED,
            _("售价已变为 ¥%(price)s（表单按 ¥%(given)s 填写），请按现价核对各项成本")
            % {"price": fen_to_yuan(offer.price_fen), "given": fen_to_yuan(expected)},
            details={"price_fen": offer.price_fen, "given_fen": expected, "offer": offer_ref(offer.offer_id)},
        )
    return offer.price_fen


@transaction.atomic
def cost_breakdown_publish(
    *, actor: Actor, product_id: int, offer: OfferPrice | None, lines: Mapping[str, str | int | Decimal],
    price: str | None = None,
) -> CostBreakdown:
    """Publish a new version of a product's cost breakdown against its offer's price: the lines (yuan) must add up
    to that price exactly. `price` (yuan), when given, is the price the merchant saw: refused if it is not the
    offer's any more. The new version names the one it supersedes."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = product_get(actor=actor, product_id=product_id)
    expected = _expected_price(price)
    fen = _lines_fen(lines)
    price_fen = _offer_check(offer=offer, product=product, fen=fen, expected=expected)
    assert offer is not None
    # The product row lock orders concurrent publications, so versions count up without gaps or clashes.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    previous = CostBreakdown.objects.filter(product=product).order_by("-version").first()
    version = (previous.version if previous else 0) + 1
    published_at = clock.now()
    statement = {
        "type": COST_BREAKDOWN.name,
        "subject": product.digital_link.uri(settings.XINREN_RESOLVER),
        "merchant": keys.owner_of(actor.organization),
        "gtin": product.gtin,
        "version": version,
        "currency": "CNY",
        "price_fen": price_fen,
        "offer": offer_ref(offer.offer_id),
        "lines_fen": fen,
        "time": published_at.isoformat(),
    }
    if previous is not None and previous.ledger_leaf_hash:
        statement["corrects"] = previous.ledger_leaf_hash
    ref = signing.statement_sign_and_append(organization=actor.organization, statement=statement)
    breakdown = CostBreakdown.objects.create(
        product=product, version=version, price_fen=price_fen, offer_id=offer.offer_id, supersedes=previous,
        published_at=published_at, published_by=actor.user, ledger_leaf_hash=ref.leaf_hash, **fen,
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    audit_record(actor=actor.user, organization=actor.organization, action="cost_breakdown.publish",
                 target=breakdown, data={"version": version, "price_fen": price_fen, "offer_id": offer.offer_id,
                                         "supersedes": previous.version if previous else None,
                                         "leaf_hash": ref.leaf_hash})
    return breakdown


def cost_pages_after_offer_change(*, product_ids: Iterable[int]) -> None:
    """Queue every page that shows these products' breakdowns (the product's, its lots' and items': the cost
    section is on all of them) after their offer's price or availability changed, so that no published page keeps
    saying a breakdown matches a price that is gone. Called by orders in the transaction that changes the offer."""
    with_costs = CostBreakdown.objects.filter(product_id__in=list(product_ids)).values_list("product_id", flat=True)
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=set(with_costs))

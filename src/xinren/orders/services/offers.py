"""Offers: a merchant's price and stock for one of its products."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog.models import Product
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput, NotFound
from xinren.costs.services import cost_pages_after_offer_change
from xinren.orders import errors
from xinren.orders.models import Offer

from .offer_pages import offer_pages_mark_stale

MAX_PRICE_FEN = 100_000_000  # one million yuan: anything above is a typo
MAX_STOCK = 1_000_000


@transaction.atomic
def offer_save(*, actor: Actor, product_id: int, price_fen: int, stock: int, active: bool = True) -> Offer:
    """Set the price, the units for sale and whether the product is for sale; one offer per product.

    The stock given is what the merchant now has for sale: it replaces the count under the offer's row lock,
    so an order placed meanwhile is either before (and counted) or after (and sees the new stock).
    """
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = Product.objects.filter(merchant=actor.organization, pk=product_id).first()
    if product is None:
        raise NotFound(errors.OFFER_NOT_FOUND, _("找不到该商品"))
    if not 0 < price_fen <= MAX_PRICE_FEN:
        raise InvalidInput(
            errors.OFFER_INVALID, _("价格必须大于 0 且不超过 100 万元"), details={"field": "price_fen"}
        )
    if not 0 <= stock <= MAX_STOCK:
        raise InvalidInput(errors.OFFER_INVALID, _("库存必须在 0 到 1000000 之间"), details={"field": "stock"})
    offer = Offer.objects.select_for_update().filter(product=product).order_by("-active", "-id").first()
    before = None if offer is None else (offer.price_fen, offer.active)
    if offer is None:
        offer = Offer.objects.create(
            merchant=actor.organization, product=product, price_fen=price_fen, stock=stock, active=active
        )
        action = "offer.create"
    else:
        offer.price_fen, offer.stock, offer.active = price_fen, stock, active
        offer.save(update_fields=["price_fen", "stock", "active", "updated_at"])
        action = "offer.update"
    audit_record(
        actor=actor.user, organization=actor.organization, action=action, target=offer,
        data={"price_fen": price_fen, "stock": stock, "active": active},
    )
    offer_pages_mark_stale(product_ids=[product.pk])  # the published page's offer: price and availability
    if before != (price_fen, active):
        # Every page with the cost section compares the breakdown with this price (ADR 0035).
        cost_pages_after_offer_change(product_ids=[product.pk])
    return offer

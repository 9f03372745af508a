"""The consumer's cart: offers and quantities, at most one line per offer. Nothing is reserved until checkout
(services/checkout.py); the cart only refuses what could never be bought (an offer not for sale, a quantity
beyond what is in stock or beyond MAX_QUANTITY)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.catalog.suspensions import suspension_open
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.orders import errors
from xinren.orders.models import CartLine, Offer

from .orders import MAX_QUANTITY, consumer_lock, offer_available, offer_sellable

# Distinct offers one cart holds.
MAX_CART_LINES = 50


def _quantity_check(*, offer: Offer, quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(
            errors.CART_INVALID,
            _("每种商品的数量须为 1–%(max)d") % {"max": MAX_QUANTITY},
            details={"field": "quantity"},
        )
    available = offer_available(offer)
    if quantity > available:
        raise Conflict(
            errors.OUT_OF_STOCK,
            _("库存不足：%(name)s 仅剩 %(stock)d 件") % {"name": offer.product.name, "stock": available},
            details={"field": "quantity", "product_id": offer.product_id, "available": available},
        )


def _offer_for_sale(*, product_id: int) -> Offer:
    offer = (
        Offer.objects.filter(product_id=product_id, active=True).select_related("product", "merchant")
        .annotate(product_suspended=suspension_open("product")).first()
    )
    if offer is None or not offer_sellable(offer):
        raise Conflict(errors.OFFER_UNAVAILABLE, _("该商品暂不销售"), details={"field": "product"})
    return offer


@transaction.atomic
def cart_add(*, consumer: User, product_id: int, quantity: int = 1) -> CartLine:
    """Put a product in the cart, or add to the quantity already there."""
    consumer = consumer_require(consumer)
    consumer_lock(consumer=consumer)
    offer = _offer_for_sale(product_id=product_id)
    line = CartLine.objects.filter(consumer=consumer, offer=offer).first()
    if line is None:
        if CartLine.objects.filter(consumer=consumer).count() >= MAX_CART_LINES:
            raise Conflict(
                errors.CART_FULL,
                _("购物车最多放 %(max)d 种商品") % {"max": MAX_CART_LINES},
                details={"field": "product"},
            )
        _quantity_check(offer=offer, quantity=quantity)
        return CartLine.objects.create(consumer=consumer, offer=offer, quantity=quantity)
    _quantity_check(offer=offer, quantity=line.quantity + quantity)
    line.quantity += quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


def _line_get(*, consumer: User, line_id: int) -> CartLine:
    line = CartLine.objects.filter(pk=line_id, consumer=consumer).select_related("offer__product").first()
    if line is None:
        raise NotFound(errors.CART_LINE_NOT_FOUND, _("购物车里没有这件商品"))
    return line


@transaction.atomic
def cart_line_update(*, consumer: User, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity (0 removes it)."""
    consumer = consumer_require(consumer)
    consumer_lock(consumer=consumer)
    line = _line_get(consumer=consumer, line_id=line_id)
    if quantity == 0:
        line.delete()
        return None
    _quantity_check(offer=line.offer, quantity=quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


@transaction.atomic
def cart_line_remove(*, consumer: User, line_id: int) -> None:
    consumer = consumer_require(consumer)
    consumer_lock(consumer=consumer)
    _line_get(consumer=consumer, line_id=line_id).delete()


def cart_count(*, consumer: User) -> int:
    """Units in the cart (the header's badge)."""
    total = CartLine.objects.filter(consumer=consumer).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)

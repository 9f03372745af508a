"""The price a cost breakdown is held against, read from orders for costs (ADR 0035).

Costs sits below orders (ADR 0001) and never reads an offer: the interfaces (the console, the API, the consumer
page, the demo) read it here, through orders' selectors, and hand it to costs.
"""

from __future__ import annotations

from xinren.accounts.actors import Actor
from xinren.catalog.models import Product
from xinren.costs.prices import OfferPrice
from xinren.orders.models import Offer
from xinren.orders.selectors import offer_for_product, product_list_with_offers, shop_offer_list


def offer_price(offer: Offer) -> OfferPrice:
    """An offer as costs sees it: its id, product and price."""
    return OfferPrice(offer_id=offer.pk, product_id=offer.product_id, price_fen=offer.price_fen)


def offer_price_for_merchant(*, actor: Actor, product_id: int) -> OfferPrice | None:
    """The price of one of the actor's products, as the console's price list shows it (the active offer, else the
    newest): what a breakdown is published against. None when the product has no offer yet."""
    offer = offer_for_product(actor=actor, product_id=product_id)
    return None if offer is None else offer_price(offer)


def offer_prices_for_merchant(*, actor: Actor) -> tuple[list[Product], dict[int, OfferPrice]]:
    """The actor's products and the prices of those that have an offer (by product id)."""
    pairs = product_list_with_offers(actor=actor)
    return [product for product, _offer in pairs], {
        product.pk: offer_price(offer) for product, offer in pairs if offer is not None
    }


def public_price_fen(*, product_id: int) -> int | None:
    """What a consumer can buy the product for now, in fen (None when it is not for sale)."""
    return shop_offer_list().filter(product_id=product_id).values_list("price_fen", flat=True).first()

"""A recall's world: a lot of five items, two buyers who received one each, one paid buyer waiting, and the
organizations that may and may not recall it."""

from __future__ import annotations

from dataclasses import dataclass

from xinren.accounts.actors import Actor
from xinren.accounts.models import Organization, User
from xinren.catalog.models import Batch, Item, Product
from xinren.orders.models import Order
from xinren.orders.services import order_delivery_confirm

from ..factories import OrganizationFactory
from ..fixtures.accounts import consumer_new
from ..orders.flows import order_paid, order_placed, order_shipped


@dataclass
class Sold:
    """Items SN0001 and SN0002 went to two buyers (the first confirmed delivery); SN0003–SN0005 are unsold."""

    delivered: Order
    in_transit: Order
    buyer: User
    second_buyer: User


def sold_two(*, merchant_actor: Actor, consumer: User, product: Product, items: list[Item]) -> Sold:
    second = consumer_new()
    first = order_placed(consumer, product, 1)
    order_paid(consumer, first)
    order_shipped(merchant_actor, first, [items[0]])
    order_delivery_confirm(consumer=consumer, order_number=first.number)
    other = order_placed(second, product, 1)
    order_paid(second, other)
    order_shipped(merchant_actor, other, [items[1]], tracking_number="SF0000000002")
    return Sold(delivered=Order.objects.get(pk=first.pk), in_transit=Order.objects.get(pk=other.pk), buyer=consumer,
                second_buyer=second)


def lot_of(batch: Batch) -> dict[str, str]:
    return {"gtin": batch.product.gtin, "lot": batch.lot}


def regulator_org() -> Organization:
    return OrganizationFactory(kind="regulator", name="楚雄州市场监督管理局")

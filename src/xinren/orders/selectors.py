"""Reads for offers, orders and shipments, each scoped to who asks: a consumer sees only their own orders, a
merchant only its own, a logistics organization only the shipments it may confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationStatus
from xinren.accounts.models import Organization, User
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Item, Product
from xinren.catalog.selectors import owners_trusting
from xinren.catalog.shelf_life import expiry_floor, local_date
from xinren.catalog.suspensions import suspension_open
from xinren.core import clock
from xinren.core.errors import Conflict, NotFound

from . import errors
from .choices import OrderStatus, ShipmentStatus
from .holds import held_q
from .models import Address, CartLine, Offer, Order, OrderLine, PaymentGroup, Shipment, ShipmentItem
from .stock import shipping_days_for

# What an order page needs in one go.
_ORDER_RELATED = ("merchant", "consumer", "shipment", "shipment__carrier_organization")


def _order_prefetch(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related(*_ORDER_RELATED).prefetch_related(
        "lines",
        "payments__refunds",
        "status_changes",
        Prefetch(
            "shipment__items",
            queryset=ShipmentItem.objects.select_related("item__batch", "item__product", "line").order_by("id"),
        ),
    )


# -- offers ------------------------------------------------------------------------------------------------------------


def offer_list(*, actor: Actor) -> QuerySet[Offer]:
    """The actor's organization's offers."""
    return Offer.objects.filter(merchant=actor.organization).select_related("product").order_by("product__name", "id")


def offer_for_product(*, actor: Actor, product_id: int) -> Offer | None:
    """The current offer of one of the actor's products (None when it has none yet)."""
    return offer_list(actor=actor).filter(product_id=product_id).order_by("-active", "-id").first()


def product_list_with_offers(*, actor: Actor) -> list[tuple[Product, Offer | None]]:
    """The actor's products, each with its current offer, for the console's price list."""
    offers: dict[int, Offer] = {}
    for offer in offer_list(actor=actor).order_by("active", "id"):
        offers[offer.product_id] = offer  # the active (or newest) one wins
    products = Product.objects.filter(merchant=actor.organization).order_by("name", "id")
    return [(product, offers.get(product.pk)) for product in products]


def shop_offer_list() -> QuerySet[Offer]:
    """Public: what is for sale now (published products of active merchants with an active offer, not suspended
    by governance: catalog/suspensions.py)."""
    return (
        Offer.objects.filter(
            ~suspension_open("product"),
            active=True, product__status=ProductStatus.ACTIVE, merchant__status=OrganizationStatus.ACTIVE,
        )
        .select_related("product", "merchant")
        .prefetch_related("product__images")
        .order_by("product__name", "id")
    )


def shop_offer_get(*, product_id: int) -> Offer:
    offer = shop_offer_list().filter(product_id=product_id).first()
    if offer is None:
        raise NotFound(errors.OFFER_NOT_FOUND, _("该商品不存在或暂不销售"))
    return offer


# -- a consumer's orders -------------------------------------------------------------------------------------------


def consumer_order_list(*, consumer: User, search: OrderSearch | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(consumer=consumer).select_related("merchant").prefetch_related("lines")
    return order_search(orders, search) if search is not None else orders


@dataclass(frozen=True)
class OrderSearch:
    """Filters of an order list: words (an order number, or part of a product name), a status, and a range of
    days (local dates, Asia/Shanghai; both ends included)."""

    q: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.date_from or self.date_to)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def order_search(orders: QuerySet[Order], search: OrderSearch) -> QuerySet[Order]:
    """Narrow an order list. A run of 6+ digits matches the order number's prefix or suffix; other words match
    product names (all words must match)."""
    q = search.q.strip()[:64]
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit() and len(digits) >= 6:
            orders = orders.filter(Q(number__startswith=digits) | Q(number__endswith=digits))
        else:
            for word in q.split()[:5]:
                named = OrderLine.objects.filter(order=OuterRef("pk"), product_name__icontains=word)
                orders = orders.filter(Exists(named))
    if search.status in OrderStatus.values:
        orders = orders.filter(status=search.status)
    if search.date_from is not None:
        orders = orders.filter(placed_at__gte=_local_midnight(search.date_from))
    if search.date_to is not None:
        orders = orders.filter(placed_at__lt=_local_midnight(search.date_to + timedelta(days=1)))
    return orders


def consumer_order_get(*, consumer: User, order_number: str) -> Order:
    order = _order_prefetch(Order.objects.filter(consumer=consumer, number=order_number)).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    return order


def item_purchase_for_user(*, user: object, item: Item) -> OrderLine | None:
    """The order line under which `user` bought this very item (shipped or delivered), or None.

    For the consumer's scan page: "this is the item you bought". Anonymous users and other buyers get None.
    """
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    row = (
        ShipmentItem.objects.filter(
            item=item,
            shipment__order__consumer=user,
            shipment__order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED],
        )
        .select_related("line__order", "shipment")
        .first()
    )
    return row.line if row is not None else None


def item_sold_on(*, item: Item) -> date | None:
    """The day (Beijing time) this item's order was delivered, or None while it is unsold or on its way.

    Public on the item's page, to anyone but its buyer: "此码对应的商品已于 X 售出并签收". Only the date: never the
    order, the buyer or the place (docs/shelf-life.md).
    """
    delivered_at = (
        ShipmentItem.objects.filter(item=item, shipment__order__status=OrderStatus.DELIVERED)
        .values_list("shipment__order__delivered_at", flat=True)
        .first()
    )
    return local_date(delivered_at) if delivered_at is not None else None


def line_reviewable_get(*, consumer: User, line_id: int) -> OrderLine:
    """One of the consumer's order lines whose order was delivered: the one thing a review may attach to."""
    line = OrderLine.objects.filter(pk=line_id, order__consumer=consumer).select_related("order", "product").first()
    if line is None:
        raise NotFound(errors.LINE_NOT_FOUND, _("找不到该订单商品"))
    if line.order.status != OrderStatus.DELIVERED:
        raise Conflict(errors.LINE_NOT_DELIVERED, _("签收后才能评价"), details={"status": line.order.status})
    return line


# -- a merchant's orders -------------------------------------------------------------------------------------------


def merchant_order_list(*, actor: Actor, status: str = "", search: OrderSearch | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(merchant=actor.organization).select_related("consumer").prefetch_related("lines")
    if status:
        orders = orders.filter(status=status)
    if search is not None:
        orders = order_search(orders, search)
    return orders.order_by("-placed_at", "-id")


def merchant_order_get(*, actor: Actor, order_number: str) -> Order:
    order = _order_prefetch(Order.objects.filter(merchant=actor.organization, number=order_number)).first()
    if order is None:
        raise NotFound(errors.ORDER_NOT_FOUND, _("找不到该订单"))
    return order


def items_available_for_line(*, actor: Actor, line: OrderLine) -> QuerySet[Item]:
    """The merchant's items of the line's product that no shipment has taken yet and that would still arrive within
    their shelf life if shipped now (catalog/shelf_life.py), and that no recall holds (holds.py), oldest lot first."""
    shipped = ShipmentItem.objects.filter(item=OuterRef("pk"))
    shipping_days = shipping_days_for([line.product_id])[line.product_id]
    floor = expiry_floor(category=line.product.category, at=clock.now(), shipping_days=shipping_days)
    return (
        Item.objects.filter(product_id=line.product_id, product__merchant=actor.organization)
        .filter(Q(batch__expiry_date__isnull=True) | Q(batch__expiry_date__gte=floor))
        .exclude(Exists(shipped))
        .exclude(held_q())
        .select_related("batch", "product")
        .order_by("batch__production_date", "batch__lot", "id")
    )


# -- a logistics organization's deliveries --------------------------------------------------------------------------


def partner_shipments(*, organization: Organization) -> Q:
    """Shipments a logistics organization may confirm: of merchants that granted it, and carried by it if named."""
    return Q(order__merchant__in=owners_trusting(partner=organization)) & (
        Q(carrier_organization__isnull=True) | Q(carrier_organization=organization)
    )


def partner_shipment_list(*, actor: Actor, status: str = ShipmentStatus.IN_TRANSIT) -> QuerySet[Shipment]:
    """Shipments the actor's (logistics) organization may confirm, oldest first."""
    shipments = Shipment.objects.filter(partner_shipments(organization=actor.organization)).select_related(
        "order", "order__merchant", "carrier_organization"
    )
    if status:
        shipments = shipments.filter(status=status)
    return shipments.order_by("shipped_at", "id")


def partner_shipment_get(*, actor: Actor, shipment_id: int) -> Shipment:
    shipment = partner_shipment_list(actor=actor, status="").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(errors.SHIPMENT_NOT_FOUND, _("找不到该发货单"))
    return shipment


# -- a consumer's cart, addresses and combined payments ---------------------------------------------------------------


@dataclass(frozen=True)
class CartGroup:
    """The cart lines of one merchant, with their subtotal."""

    merchant: Organization
    lines: list[CartLine]
    subtotal_fen: int


def cart_groups(*, consumer: User) -> list[CartGroup]:
    """The consumer's cart, grouped by merchant (oldest line first within each)."""
    lines = (
        CartLine.objects.filter(consumer=consumer)
        .select_related("offer__product", "offer__merchant")
        .prefetch_related("offer__product__images")
        .order_by("offer__merchant_id", "id")
    )
    groups: dict[int, list[CartLine]] = {}
    for line in lines:
        groups.setdefault(line.offer.merchant_id, []).append(line)
    return [
        CartGroup(
            merchant=rows[0].offer.merchant,
            lines=rows,
            subtotal_fen=sum(line.offer.price_fen * line.quantity for line in rows),
        )
        for rows in groups.values()
    ]


def cart_units(*, consumer: User) -> int:
    """Units in the consumer's cart (the header's badge)."""
    return int(CartLine.objects.filter(consumer=consumer).aggregate(total=Sum("quantity"))["total"] or 0)


def address_list(*, consumer: User) -> QuerySet[Address]:
    """The consumer's saved addresses, the default first."""
    addresses = Address.objects.filter(consumer=consumer, deleted_at__isnull=True)
    return addresses.order_by("-is_default", "-updated_at", "-id")


def payment_group_get(*, consumer: User, reference: str) -> PaymentGroup:
    group = (
        PaymentGroup.objects.filter(consumer=consumer, reference=reference)
        .prefetch_related("orders__lines", "orders__merchant")
        .first()
    )
    if group is None:
        raise NotFound(errors.PAYMENT_GROUP_NOT_FOUND, _("找不到该合并支付"))
    return group

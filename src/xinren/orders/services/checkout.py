"""Cart checkout: the consumer's cart lines become one order per merchant and one combined payment, in one
transaction — every order and the payment, or nothing.

Locks are taken in the context's order (services/payments.py): the consumer's row, then the offers by ascending
id, so two checkouts sharing offers wait for each other instead of deadlocking, and the stock check (the same
`stock_take` as `order_place`) sees what the other one took. The offers are locked last, after the orders are
written, so that concurrent checkouts wait for each other only for the stock updates and the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.blacklist import interceptions_kept
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.catalog.suspensions import suspension_open
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput
from xinren.orders import errors
from xinren.orders.daily_limit import daily_orders_check
from xinren.orders.models import Address, CartLine, Offer, Payment, PaymentGroup
from xinren.orders.payments import provider_get

from .orders import (
    MAX_QUANTITY,
    consumer_lock,
    offer_sellable,
    offers_lock,
    order_create,
    order_screen,
    orders_rate_check,
    stock_take,
)


@interceptions_kept
@transaction.atomic
def cart_checkout(
    *,
    consumer: User,
    address_id: int,
    client_token: str,
    line_ids: Sequence[int] | None = None,
    note: str = "",
    return_exclusion_confirmed: bool = False,
    device: str = "",
) -> PaymentGroup:
    """Buy the cart (or the chosen `line_ids` of it): reserve the stock, place one order per merchant delivering
    to the saved address, open one combined payment for them all, and empty the bought lines.

    A repeated `client_token` returns the payment group the first submission made. Refuses, changing nothing: a
    deleted address, an empty cart, an offer no longer for sale, a quantity beyond stock (naming the product and
    what is left), more orders than the hourly limit allows, an identifier on the blacklist (`order_screen`).
    `return_exclusion_confirmed` and `device` as in `order_place`.
    """
    consumer = consumer_require(consumer)
    client_token = client_token.strip()[:64]
    note = " ".join(note.split())
    if len(note) > 200:
        raise InvalidInput(errors.ORDER_INVALID, _("备注不能超过 200 字"), details={"field": "note"})
    consumer_lock(consumer=consumer)
    if client_token:
        existing = PaymentGroup.objects.filter(consumer=consumer, client_token=client_token).first()
        if existing is not None:
            return existing
    address = Address.objects.filter(pk=address_id, consumer=consumer, deleted_at__isnull=True).first()
    if address is None:
        raise Conflict(
            errors.ADDRESS_NOT_FOUND, _("该收货地址不存在或已删除，请重新选择"), details={"field": "address"}
        )
    cart = CartLine.objects.filter(consumer=consumer)
    if line_ids is not None:
        cart = cart.filter(pk__in=list(line_ids))
    cart_lines = list(cart.order_by("offer_id"))
    if not cart_lines:
        raise InvalidInput(errors.CART_EMPTY, _("购物车是空的，先去挑选商品吧"), details={"field": "lines"})

    # Read now, locked last (below): the offer rows are what every concurrent checkout waits for, so they are
    # held only for the stock updates and the commit, not while the orders are written.
    offers: dict[int, Offer] = {
        offer.pk: offer
        for offer in Offer.objects.filter(pk__in=[line.offer_id for line in cart_lines]).select_related(
            "product", "merchant"
        ).annotate(product_suspended=suspension_open("product"))
    }
    by_merchant: dict[int, list[tuple[Offer, int]]] = {}
    for line in cart_lines:
        offer = offers[line.offer_id]
        if not offer_sellable(offer):
            raise Conflict(
                errors.OFFER_UNAVAILABLE,
                _("%(name)s 已下架或暂不销售，请从购物车移除") % {"name": offer.product.name},
                details={"field": "lines", "product_id": offer.product_id},
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise InvalidInput(
                errors.CART_INVALID, _("每种商品的数量须为 1–99"), details={"field": "quantity"}
            )
        by_merchant.setdefault(offer.merchant_id, []).append((offer, line.quantity))
    now = clock.now()
    orders_rate_check(consumer=consumer, now=now, adding=len(by_merchant))
    order_screen(
        consumer=consumer,
        merchants=[lines[0][0].merchant for _id, lines in sorted(by_merchant.items())],
        device=device,
        recipient_phones=[address.recipient_phone],
    )

    provider = provider_get().name
    reference = f"grp_{secrets.token_hex(10)}"
    group = PaymentGroup.objects.create(
        consumer=consumer,
        provider=provider,
        reference=reference,
        idempotency_key=f"checkout:{reference}",
        amount_fen=sum(offer.price_fen * quantity for lines in by_merchant.values() for offer, quantity in lines),
        client_token=client_token,
    )
    merchants: dict[int, Organization] = {}
    for index, merchant_id in enumerate(sorted(by_merchant), start=1):
        lines = by_merchant[merchant_id]
        merchants[merchant_id] = lines[0][0].merchant
        order = order_create(
            consumer=consumer,
            merchant=merchants[merchant_id],
            lines=lines,
            recipient_name=address.recipient_name,
            recipient_phone=address.recipient_phone,
            shipping_address=address.full_address[:200],
            note=note,
            client_token="",
            now=now,
            payment_group=group,
            return_exclusion_confirmed=return_exclusion_confirmed,
            device=device,
        )
        # The order's share of the combined payment: it mirrors the group and carries the order's refunds.
        Payment.objects.create(
            order=order,
            group=group,
            provider=provider,
            reference=f"{reference}_{index}",
            idempotency_key=f"share:{reference}_{index}",
            amount_fen=order.total_fen,
            currency=order.currency,
        )
    _stock_take_locked(cart_lines=cart_lines, seen=offers)
    daily_orders_check(merchants=merchants.values(), now=now)
    CartLine.objects.filter(pk__in=[line.pk for line in cart_lines]).delete()
    audit_record(
        actor=consumer, organization=None, action="cart.checkout", target=group,
        data={"orders": len(by_merchant), "amount_fen": group.amount_fen},
    )
    return group


def _stock_take_locked(*, cart_lines: list[CartLine], seen: dict[int, Offer]) -> None:
    """Lock the offers by ascending id, check they are still what the orders were written with, and take the
    stock with the same check as `order_place`. Raising here rolls the whole checkout back."""
    locked = {offer.pk: offer for offer in offers_lock(Q(pk__in=list(seen)))}
    for line in cart_lines:  # ascending offer id, the order they are locked in
        offer = locked[line.offer_id]
        if not offer_sellable(offer) or offer.price_fen != seen[offer.pk].price_fen:
            raise Conflict(
                errors.CART_INVALID,
                _("%(name)s 的价格或状态刚刚变化，请回到购物车确认") % {"name": offer.product.name},
                details={"field": "lines", "product_id": offer.product_id},
            )
        stock_take(offer=offer, quantity=line.quantity, written=True)  # its order lines are written above

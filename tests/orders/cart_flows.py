"""Filling a cart, saving an address and checking out through the services, for the cart tests and pages."""

from __future__ import annotations

from xinren.accounts.models import User
from xinren.catalog.models import Product
from xinren.orders.models import Address, PaymentGroup
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import address_create, cart_add, cart_checkout, payment_group_refresh, payment_group_start


def address_saved(consumer: User, **fields: str) -> Address:
    return address_create(
        consumer=consumer,
        recipient_name=fields.get("recipient_name", "王小明"),
        recipient_phone=fields.get("recipient_phone", "13900001111"),
        region=fields.get("region", "上海市 浦东新区"),
        detail=fields.get("detail", "张杨路 500 号 12 楼"),
    )


def cart_checked_out(
    consumer: User, *products: tuple[Product, int], token: str = "", address: Address | None = None
) -> PaymentGroup:
    for product, quantity in products:
        cart_add(consumer=consumer, product_id=product.pk, quantity=quantity)
    address = address or address_saved(consumer)
    return cart_checkout(consumer=consumer, address_id=address.pk, client_token=token)


def group_paid(consumer: User, group: PaymentGroup, token: str = Token.SUCCESS) -> PaymentGroup:
    """Pay the combined payment on the sandbox's hosted page, then come back (which captures)."""
    group = payment_group_start(consumer=consumer, reference=group.reference, return_url="/shop/orders/")
    SandboxPaymentProvider().checkout_complete(provider_ref=group.provider_ref, payment_token=token)
    return payment_group_refresh(group_id=group.pk)

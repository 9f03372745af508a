"""Cart checkouts racing on PostgreSQL, where row locks are real: each buyer on its own connection."""

from __future__ import annotations

import pytest

from xinren.core.errors import DomainError
from xinren.orders.models import CartLine, Offer, Order, OrderLine, Payment, PaymentGroup
from xinren.orders.services import cart_add, cart_checkout

from ..concurrency import race
from ..fixtures.accounts import consumer_with_phone
from .cart_flows import address_saved

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_sixteen_buyers_of_two_merchants_never_oversell_the_last_units(
    require_postgres, product_on_sale, other_product_on_sale
):
    # given a hot product with 5 left, and each buyer's cart holding one of it and one of the other merchant's tea
    hot = Offer.objects.get(product=product_on_sale)
    Offer.objects.filter(pk=hot.pk).update(stock=5)
    buyers = [consumer_with_phone(f"139000001{n:02d}") for n in range(16)]
    addresses = {}
    for buyer in buyers:
        addresses[buyer.pk] = address_saved(buyer)
        cart_add(consumer=buyer, product_id=other_product_on_sale.pk, quantity=1)
        cart_add(consumer=buyer, product_id=product_on_sale.pk, quantity=1)
    # when
    results = race(
        *(
            lambda buyer=buyer: cart_checkout(
                consumer=buyer, address_id=addresses[buyer.pk].pk, client_token=f"t{buyer.pk}"
            )
            for buyer in buyers
        )
    )
    # then exactly five checkouts went through, each with both orders; the others wrote nothing
    refused = [result for result in results if isinstance(result, DomainError)]
    assert sorted({error.code for error in refused}) == ["order.out_of_stock"]
    assert len(refused) == 11
    assert Offer.objects.get(pk=hot.pk).stock == 0
    assert Offer.objects.get(product=other_product_on_sale).stock == 1000 - 5
    assert PaymentGroup.objects.count() == 5
    assert Order.objects.count() == 10
    assert Payment.objects.count() == 10
    assert OrderLine.objects.filter(product=product_on_sale).count() == 5
    assert CartLine.objects.count() == 11 * 2


def test_a_checkout_submitted_four_times_at_once_makes_one_set_of_orders(
    require_postgres, consumer, product_on_sale, other_product_on_sale
):
    address = address_saved(consumer)
    cart_add(consumer=consumer, product_id=product_on_sale.pk, quantity=2)
    cart_add(consumer=consumer, product_id=other_product_on_sale.pk, quantity=1)
    results = race(
        *(lambda: cart_checkout(consumer=consumer, address_id=address.pk, client_token="form-1") for _ in range(4))
    )
    assert len({group.pk for group in results}) == 1
    assert Order.objects.count() == 2
    assert Offer.objects.get(product=product_on_sale).stock == 998


def test_adding_to_carts_while_others_check_out_neither_waits_nor_deadlocks(
    require_postgres, product_on_sale, other_product_on_sale
):
    # given 6 buyers ready to check out both products and 6 shoppers about to add them to their carts
    buyers = [consumer_with_phone(f"139000002{n:02d}") for n in range(6)]
    shoppers = [consumer_with_phone(f"139000003{n:02d}") for n in range(6)]
    addresses = {}
    for buyer in buyers:
        addresses[buyer.pk] = address_saved(buyer)
        cart_add(consumer=buyer, product_id=other_product_on_sale.pk, quantity=1)
        cart_add(consumer=buyer, product_id=product_on_sale.pk, quantity=1)

    def shop(shopper):  # type: ignore[no-untyped-def]
        cart_add(consumer=shopper, product_id=product_on_sale.pk, quantity=1)
        return cart_add(consumer=shopper, product_id=other_product_on_sale.pk, quantity=1)

    # when
    results = race(
        *(lambda buyer=buyer: cart_checkout(consumer=buyer, address_id=addresses[buyer.pk].pk, client_token="t")
          for buyer in buyers),
        *(lambda shopper=shopper: shop(shopper) for shopper in shoppers),
    )
    # then every call went through
    assert not [result for result in results if isinstance(result, DomainError)]
    assert PaymentGroup.objects.count() == 6
    assert CartLine.objects.filter(consumer__in=shoppers).count() == 12
    assert Offer.objects.get(product=product_on_sale).stock == 1000 - 6

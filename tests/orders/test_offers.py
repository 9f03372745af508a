"""Offers: one per product, set by the merchant's staff."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from xinren.accounts.choices import Role
from xinren.core.audit import AuditEntry
from xinren.core.errors import InvalidInput, NotFound, PermissionDenied
from xinren.orders.models import Offer
from xinren.orders.selectors import product_list_with_offers, shop_offer_list
from xinren.orders.services import offer_save

from ..factories import ProductFactory, actor_for

pytestmark = pytest.mark.django_db


def test_offer_save_creates_then_updates_the_one_offer(merchant_actor, product):
    # when
    first = offer_save(actor=merchant_actor, product_id=product.pk, price_fen=12800, stock=40)
    second = offer_save(actor=merchant_actor, product_id=product.pk, price_fen=11800, stock=35, active=False)
    # then
    assert first.pk == second.pk
    offer = Offer.objects.get()
    assert (offer.merchant, offer.product, offer.price_fen, offer.stock, offer.active) == (
        merchant_actor.organization, product, 11800, 35, False
    )
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["offer.create", "offer.update"]


@pytest.mark.parametrize(
    ("price_fen", "stock", "field"), [(0, 1, "price_fen"), (-5, 1, "price_fen"), (100_000_001, 1, "price_fen"),
                                      (100, -1, "stock"), (100, 1_000_001, "stock")]
)
def test_offer_save_refuses_bad_numbers(merchant_actor, product, price_fen, stock, field):
    with pytest.raises(InvalidInput) as caught:
        offer_save(actor=merchant_actor, product_id=product.pk, price_fen=price_fen, stock=stock)
    assert (caught.value.code, caught.value.details) == ("offer.invalid", {"field": field})
    assert Offer.objects.count() == 0


def test_another_merchants_product_is_not_found(other_actor, product):
    with pytest.raises(NotFound):
        offer_save(actor=other_actor, product_id=product.pk, price_fen=100, stock=1)
    assert Offer.objects.count() == 0


def test_viewers_and_logistics_cannot_set_offers(merchant, logistics_actor, product):
    for actor in (actor_for(merchant, Role.VIEWER), logistics_actor):
        with pytest.raises(PermissionDenied):
            offer_save(actor=actor, product_id=product.pk, price_fen=100, stock=1)
    assert Offer.objects.count() == 0


def test_the_database_allows_one_active_offer_per_product(merchant, product, offer):
    with pytest.raises(IntegrityError):
        Offer.objects.create(merchant=merchant, product=product, price_fen=1, stock=1)


def test_shop_lists_only_published_products_with_an_active_offer(merchant, product, offer):
    # given
    draft = ProductFactory(merchant=merchant, status="draft")
    Offer.objects.create(merchant=merchant, product=draft, price_fen=100, stock=3)
    paused = ProductFactory(merchant=merchant)
    Offer.objects.create(merchant=merchant, product=paused, price_fen=100, stock=3, active=False)
    # then
    assert list(shop_offer_list()) == [offer]


def test_console_list_pairs_each_product_with_its_offer(merchant_actor, product, offer):
    # given
    unpriced = ProductFactory(merchant=merchant_actor.organization, name="香格里拉松茸")
    # then
    assert dict(product_list_with_offers(actor=merchant_actor)) == {product: offer, unpriced: None}

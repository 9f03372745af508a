"""Listing suspensions in the catalog: one open per reason, lifted once, and a suspended product cannot be bought
(the shop's list, order placement, the cart)."""

from __future__ import annotations

import pytest

from xinren.catalog.models import ListingSuspension
from xinren.catalog.suspensions import (
    listing_suspend,
    listing_suspensions_lift,
    product_is_suspended,
    suspension_section_for,
)
from xinren.core.errors import Conflict
from xinren.orders.models import Offer, Order
from xinren.orders.selectors import shop_offer_list
from xinren.orders.services import LineRequest, cart_add, order_place

pytestmark = pytest.mark.django_db

DETAILS = {"kind": "food_business", "kind_label": "食品经营许可证", "valid_until": "2026-12-01"}
REASON = "商家的食品经营许可证已于 2026-12-01 到期，该商品暂停销售，待新证核验通过后恢复"


def _suspend(product):  # type: ignore[no-untyped-def]
    return listing_suspend(products=[product], reason_code="licence_expired", reason=REASON, details=DETAILS,
                           source="credential:7")


def test_a_product_has_one_open_suspension_per_reason(product):
    # when
    first = _suspend(product)
    second = _suspend(product)
    # then
    assert (len(first), len(second)) == (1, 0)
    assert ListingSuspension.objects.filter(product=product).count() == 1
    assert product_is_suspended(product_id=product.pk)


def test_lifting_ends_the_suspension_and_a_new_one_can_follow(product):
    # given
    [row] = _suspend(product)
    # when
    lifted = listing_suspensions_lift(suspensions=[row])
    again = listing_suspensions_lift(suspensions=[ListingSuspension.objects.get(pk=row.pk)])
    # then
    assert (len(lifted), len(again)) == (1, 0)
    assert not product_is_suspended(product_id=product.pk)
    assert len(_suspend(product)) == 1


def test_the_section_says_why_in_data_the_page_words(product):
    # given
    _suspend(product)
    # when
    section = suspension_section_for(product=product)
    # then
    assert section is not None
    [reason] = section["reasons"]
    assert {k: reason[k] for k in ("code", "text", "licence_label", "until")} == {
        "code": "licence_expired", "text": REASON, "licence_label": "食品经营许可证", "until": "2026-12-01",
    }


def test_a_suspended_product_is_not_on_the_shop_list(product, offer):
    # given
    _suspend(product)
    # then
    assert list(shop_offer_list()) == []


def test_a_suspended_product_cannot_be_ordered_and_nothing_changes(consumer, product, offer):
    # given
    _suspend(product)
    # when
    with pytest.raises(Conflict) as caught:
        order_place(consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)],
                    recipient_name="王小明", recipient_phone="13900001111",
                    shipping_address="上海市浦东新区张杨路 500 号")
    # then
    assert caught.value.code == "offer.suspended"
    assert str(caught.value.message) == "该商品暂停销售（商家的资质待更新），暂时不能下单"
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert Order.objects.count() == 0


def test_a_suspended_product_cannot_go_in_the_cart(consumer, product, offer):
    # given
    _suspend(product)
    # when / then
    with pytest.raises(Conflict) as caught:
        cart_add(consumer=consumer, product_id=product.pk)
    assert caught.value.code == "offer.unavailable"


def test_a_lifted_suspension_sells_again(consumer, product, offer):
    # given
    listing_suspensions_lift(suspensions=_suspend(product))
    # when
    order = order_place(consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)],
                        recipient_name="王小明", recipient_phone="13900001111",
                        shipping_address="上海市浦东新区张杨路 500 号")
    # then
    assert order.lines.count() == 1

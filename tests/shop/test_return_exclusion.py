"""Perishable goods are excluded from seven-day no-reason returns only where the consumer confirmed it at purchase
(the 2017 measures): the buy and checkout forms ask, the order line records it, and the after-sale rules read it."""

from __future__ import annotations

from django.test import Client

from xinren.catalog.models import Product
from xinren.orders.models import Offer, OrderLine

from ..factories import ProductFactory
from .test_pages import BUY


def test_a_perishable_product_asks_and_records_the_confirmation(shopper: Client, product: Product, offer) -> None:
    # given a wild-mushroom product (perishable): the buy form asks
    page = shopper.get(f"/shop/products/{product.pk}/").content.decode()
    assert "不适用七天无理由退货" in page
    # when the consumer ticks it and orders
    shopper.post(f"/shop/products/{product.pk}/", {**BUY, "return_exclusion": "on"})
    # then the line records when they confirmed
    assert OrderLine.objects.get().return_exclusion_confirmed_at is not None


def test_without_the_tick_the_line_keeps_the_right(shopper: Client, product: Product, offer) -> None:
    shopper.post(f"/shop/products/{product.pk}/", BUY)
    assert OrderLine.objects.get().return_exclusion_confirmed_at is None


def test_other_goods_are_not_asked_and_a_forged_tick_records_nothing(shopper: Client, merchant) -> None:
    tea = ProductFactory(merchant=merchant, gtin="06901234567809", name="普洱茶饼 357g", category="tea")
    Offer.objects.create(merchant=merchant, product=tea, price_fen=12800, stock=5, active=True)
    page = shopper.get(f"/shop/products/{tea.pk}/").content.decode()
    assert "不适用七天无理由退货" not in page
    shopper.post(f"/shop/products/{tea.pk}/", {**BUY, "return_exclusion": "on"})
    assert OrderLine.objects.get().return_exclusion_confirmed_at is None

"""看分下单: the shop sorted by trust score (products without enough data last) and filtered by a minimum score."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from xinren.catalog.choices import ProductStatus
from xinren.core import clock
from xinren.orders.models import Offer
from xinren.trust.models import ProductScore
from xinren.trust.scores.formula import CURRENT_VERSION

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(merchant):  # type: ignore[no-untyped-def]
    for name, score, price in (("甲 普洱", "2.90", 300), ("乙 松茸", "4.20", 100), ("丙 鲜花饼", None, 200)):
        product = ProductFactory(merchant=merchant, name=name, status=ProductStatus.ACTIVE)
        Offer.objects.create(merchant=merchant, product=product, price_fen=price, stock=5)
        ProductScore.objects.create(product=product, version=CURRENT_VERSION, computed_at=clock.now(),
                                    score=Decimal(score) if score else None)


def _names(page: str) -> list[str]:
    return [name for name in ("甲 普洱", "乙 松茸", "丙 鲜花饼") if name in page and page.index(name) >= 0]


def _order(page: str) -> list[str]:
    return sorted(("甲 普洱", "乙 松茸", "丙 鲜花饼"), key=lambda name: page.find(name) if name in page else 10**9)


def test_sorted_by_score_highest_first_and_without_data_last(shop) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/shop/?sort=score").content.decode()
    assert _order(page) == ["乙 松茸", "甲 普洱", "丙 鲜花饼"]
    assert f"信任分按公式 {CURRENT_VERSION} 计算" in page


def test_a_minimum_score_leaves_out_lower_and_unscored_products(shop) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/shop/?min=4").content.decode()
    assert _names(page) == ["乙 松茸"]
    assert "没有达到这个信任分的商品" in Client().get("/shop/?min=4.5").content.decode()


def test_prices_sort_and_unknown_values_fall_back_to_the_default(shop) -> None:  # type: ignore[no-untyped-def]
    assert _order(Client().get("/shop/?sort=price").content.decode()) == ["乙 松茸", "丙 鲜花饼", "甲 普洱"]
    assert _order(Client().get("/shop/?sort=-price").content.decode()) == ["甲 普洱", "丙 鲜花饼", "乙 松茸"]
    fallback = Client().get("/shop/?sort=<script>&min=9")
    assert fallback.status_code == 200 and "<script>" not in fallback.content.decode()
    assert _order(fallback.content.decode()) == ["丙 鲜花饼", "乙 松茸", "甲 普洱"]  # by name

"""The shop page's 信任指数 section: an inline SVG radar (viewBox, no fixed width, no script) above the licences,
each axis opening its inputs and the median, the detailed seller ratings with 高于/低于同行, escaped text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.test import Client

from xinren.accounts.models import User
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.orders.models import Offer
from xinren.reviews.models import Review
from xinren.trust.radar import radar_svg
from xinren.trust.store_index import store_index_for

from ..factories import OrganizationFactory, ProductFactory
from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db


def _shop(name: str = "云岭菌业") -> Product:
    merchant = OrganizationFactory(name=name)
    product = ProductFactory(merchant=merchant)
    Offer.objects.create(merchant=merchant, product=product, price_fen=1000, stock=1000)
    return product


def _reviewed(product: Product, consumer: User, count: int, ratings: tuple[int, int, int]) -> None:
    for _ in range(count):
        line = line_delivered(consumer, product, delivered_at=clock.now() - dt.timedelta(days=3))
        Review.objects.create(
            line=line,
            consumer=consumer,
            product=product,
            merchant=product.merchant,
            reviewer="r",
            stars=5,
            text="好",
            created_at=clock.now() - dt.timedelta(days=1),
            rating_description=ratings[0],
            rating_service=ratings[1],
            rating_logistics=ratings[2],
        )


def _section(html: str) -> str:
    match = re.search(r'<section class="card" id="trust-index".*?</section>', html, re.S)
    assert match is not None
    return match.group(0)


def test_the_radar_shows_above_the_licences_with_each_axis_and_the_ratings() -> None:
    # given
    consumer = consumer_new()
    good, plain = _shop(), _shop("菌山小铺")
    _reviewed(good, consumer, 6, (5, 5, 5))
    _reviewed(plain, consumer, 5, (4, 4, 4))
    # when
    response = Client().get(f"/shop/merchants/{good.merchant.slug}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("信任指数") < html.index("证照公示")
    section = _section(html)
    svg = re.search(r"<svg[^>]*>", section)
    assert svg is not None
    assert 'viewBox="0 0 540 310"' in svg.group(0) and "width=" not in svg.group(0) and "height=" not in svg.group(0)
    assert 'class="radar-median"' in section and "stroke-dasharray" in section and 'class="radar-merchant"' in section
    assert "<script" not in section.lower()
    assert section.count("<details>") == 6
    assert "同行中位数" in section and "评价数量" in section and "发货准时" in section
    # 6 reviews against the median of 6 and 5 (5.5): 100·6/11.5
    assert "52.2" in section
    assert "5.0" in section and "高于同行 11.1 %" in section
    assert "数据不足" in section  # reply speed: no replies anywhere
    assert len(response.content) < 150 * 1024


def test_the_peer_below_the_median_reads_lower_than_peers() -> None:
    # given
    consumer = consumer_new()
    good, plain = _shop(), _shop("菌山小铺")
    _reviewed(good, consumer, 6, (5, 5, 5))
    _reviewed(plain, consumer, 5, (4, 4, 4))
    # when
    section = _section(Client().get(f"/shop/merchants/{plain.merchant.slug}/").content.decode())
    # then: 4.0 against 4.5
    assert "4.0" in section and "低于同行 11.1 %" in section


def test_a_new_shop_shows_too_little_data_on_every_axis() -> None:
    # given
    product = _shop()
    # when
    section = _section(Client().get(f"/shop/merchants/{product.merchant.slug}/").content.decode())
    # then
    assert section.count("数据不足") >= 9  # six axes in the list, three ratings (and again in the drawing)
    assert "<svg" in section


def test_the_drawing_escapes_its_text() -> None:
    # given
    product = _shop("<b>菌</b>")
    index = store_index_for(merchant=product.merchant)
    axes = [dataclasses.replace(index.axes[0], label='<script>alert("x")</script>'), *index.axes[1:]]
    # when
    svg = str(radar_svg(axes))
    page = Client().get(f"/shop/merchants/{product.merchant.slug}/").content.decode()
    # then
    assert "<script>" not in svg and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "<b>菌</b>" not in page and "&lt;b&gt;菌&lt;/b&gt;" in page


def test_a_radar_needs_three_axes() -> None:
    index = store_index_for(merchant=_shop().merchant)
    with pytest.raises(ValueError):
        radar_svg(index.axes[:2])


def test_the_demo_shops_show_their_seller_ratings_and_radar(demo_world) -> None:  # type: ignore[no-untyped-def]
    # given: the demo world, whose reviews carry detailed seller ratings
    reviewed = Review.objects.values_list("merchant_id", flat=True).distinct()
    assert reviewed
    assert not Review.objects.filter(rating_description=None).exists()
    for merchant_id in reviewed:
        merchant = Review.objects.filter(merchant_id=merchant_id).first().merchant  # type: ignore[union-attr]
        # when
        response = Client().get(f"/shop/merchants/{merchant.slug}/")
        # then
        section = _section(response.content.decode())
        index = store_index_for(merchant=merchant)
        assert all(rating.average is not None for rating in index.ratings), merchant.name
        assert f"{index.ratings[0].average:.1f}" in section
        assert _axis_value_shown(index) in section
        assert len(response.content) < 150 * 1024


def _axis_value_shown(index) -> str:  # type: ignore[no-untyped-def]
    volume = next(axis for axis in index.axes if axis.key == "review_volume")
    assert volume.value is not None
    return str(volume.value)

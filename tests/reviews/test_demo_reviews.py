"""The demo grows believable reviews: delivered orders, varied stars, photos, diaries, replies and one fold."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from xinren.catalog.models import Product
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import DiaryEntry, Reply, Review, ReviewMedia

pytestmark = pytest.mark.django_db


def test_the_demo_reviews_are_believable_and_show_on_the_product_pages(demo_world):
    # given: the demo world, reviews included
    # then
    for product in Product.objects.filter(offers__isnull=False).distinct():
        reviews = Review.objects.filter(product=product)
        assert 6 <= reviews.count() <= 12, product.name
        assert len(set(reviews.values_list("stars", flat=True))) >= 3
        for review in reviews.select_related("line__order"):
            order = review.line.order
            assert order.delivered_at is not None and order.placed_at < order.delivered_at <= review.created_at
            shipped = order.shipment.items.select_related("item__batch").get().item
            assert shipped.batch.production_date <= order.placed_at.date()  # never sold before it was made
        html = Client().get(f"/01/{product.gtin}").content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert data["aggregateRating"]["reviewCount"] == reviews.filter(status=ReviewStatus.VISIBLE).count()
    assert ReviewMedia.objects.count() >= 20
    assert sorted(set(DiaryEntry.objects.values_list("milestone", flat=True))) == [7, 15, 30]
    assert Reply.objects.count() >= 10
    folded = Review.objects.get(status=ReviewStatus.FOLDED)
    assert folded.fold_reason == "含人身攻击，且未描述商品本身"
    assert not Review.objects.filter(reviewer__startswith="139").exists()


def test_the_busiest_demo_product_page_stays_small(demo_world):
    # given
    product = Product.objects.get(gtin="06975830100012")
    # when
    html = Client().get(f"/01/{product.gtin}").content
    # then
    assert len(html) < 150 * 1024

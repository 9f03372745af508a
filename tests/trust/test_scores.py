"""Stored product scores: the demo's, a refresh on a folded review, the recompute command, and the pages."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xinren.catalog.models import Product
from xinren.core.errors import InvalidInput
from xinren.reviews.events import REVIEW_CHANGED
from xinren.reviews.models import Review
from xinren.trust.models import ProductScore
from xinren.trust.scores import tasks
from xinren.trust.scores.formula import CURRENT_VERSION, product_score
from xinren.trust.scores.services import product_score_refresh, scores_recompute

pytestmark = pytest.mark.django_db


def test_every_demo_product_has_a_stored_score_that_its_inputs_recompute(demo_world):
    # then
    products = Product.objects.count()
    rows = list(ProductScore.objects.filter(version=CURRENT_VERSION))
    assert len(rows) == products > 0
    assert any(row.score is not None for row in rows)
    for row in rows:
        assert product_score(row.inputs, row.version)["score"] == row.score
        assert set(row.components) == {"quality", "reviews", "aftersales", "credit"}
        assert row.score is None or Decimal(0) <= row.score <= Decimal(5)


def test_a_folded_review_no_longer_counts_after_the_refresh(demo_world):
    # given a product with counted reviews
    review = Review.objects.filter(status="visible", verified_purchase=True).order_by("pk").first()
    assert review is not None
    before = product_score_refresh(review.product).inputs
    # when the review is folded (directly: the fold service is reviews' business) and the task runs
    Review.objects.filter(pk=review.pk).update(status="folded")
    tasks.score_after_review_task.call(review_id=review.pk)
    # then
    after = ProductScore.objects.get(product=review.product, version=CURRENT_VERSION).inputs
    assert len(after["reviews"]) == len(before["reviews"]) - 1


def test_the_refresh_is_subscribed_to_the_review_event():
    assert any(
        getattr(task, "module_path", "") == "xinren.trust.scores.tasks.score_after_review_task"
        for task in REVIEW_CHANGED.subscribers
    )


def test_the_recompute_command_writes_a_version_and_refuses_an_unknown_one(demo_world):
    # given
    ProductScore.objects.all().delete()
    out = StringIO()
    # when
    call_command("trust_scores_recompute", "--batch-size", "2", stdout=out)
    # then
    assert ProductScore.objects.count() == Product.objects.count()
    assert f"({CURRENT_VERSION})" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("trust_scores_recompute", "--version", "1999.1", stdout=StringIO())
    with pytest.raises(InvalidInput) as refused:
        scores_recompute(version="1999.1")
    assert refused.value.code == "trust_score_unknown_version"


def test_shop_cards_product_page_and_scan_page_show_the_score(demo_world, client: Client):
    # given a product with a number
    row = ProductScore.objects.filter(score__isnull=False).select_related("product").order_by("pk").first()
    assert row is not None
    # when
    listing = client.get("/shop/").content.decode()
    detail = client.get(f"/shop/products/{row.product_id}/").content.decode()
    scan = client.get(row.product.digital_link.path).content.decode()
    # then
    for page in (listing, detail, scan):
        assert 'class="tscore"' in page
        assert f"公式 {CURRENT_VERSION}" in page
    assert f"<strong>{row.score}</strong>" in detail
    assert "<details" in scan and "商家信用" in scan


def test_a_changed_score_queues_the_products_pages_and_an_unchanged_one_does_not(demo_world):
    # given a product whose stored score is current
    from xinren.core.models import PageRefresh

    review = Review.objects.filter(status="visible", verified_purchase=True).order_by("pk").first()
    assert review is not None
    product_score_refresh(review.product)
    PageRefresh.objects.all().delete()
    # when nothing changed
    product_score_refresh(review.product)
    # then
    assert not PageRefresh.objects.exists()
    # when a review stops counting
    Review.objects.filter(product=review.product, status="visible").update(status="folded")
    product_score_refresh(review.product)
    # then
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("product", review.product_id)]


def test_the_partial_draws_half_stars_and_says_when_data_is_too_thin():
    from django.template.loader import render_to_string

    from xinren.trust.scores.selectors import _stars

    # given
    section = {
        "version": "2026.1", "score": None, "half_stars": None, "stars": _stars(None), "computed_at": "",
        "components": [{"code": "reviews", "name": "评价", "value": "3.60", "weight": 30,
                        "inputs": [{"label": "计入的已验证评价", "value": "<b>2</b>"}], "raise_it": []}],
    }  # fmt: skip
    # when
    html = render_to_string("trust/_score.html", {"score": section})
    # then
    assert _stars(3.5) == ["full", "full", "full", "half", "empty"]
    assert "评分数据不足" in html and "3.60" in html
    assert "&lt;b&gt;2&lt;/b&gt;" in html  # escaped


def test_the_batch_gathers_the_same_inputs_as_one_product_at_a_time(demo_world):
    from xinren.core import clock
    from xinren.trust.scores.inputs import product_inputs, products_inputs

    # given
    now = clock.now()
    products = list(Product.objects.order_by("pk"))
    # when
    batch = products_inputs(products, now=now)
    # then
    assert batch == {product.pk: product_inputs(product, now=now) for product in products}


def test_each_subscribed_refresh_finds_the_products_its_event_names(demo_world):
    from xinren.aftersales.choices import CLAIM_KINDS
    from xinren.aftersales.models.requests import AfterSaleDecision, AfterSaleRequest
    from xinren.orders.models import Order, Refund

    # given a decision, a delivered order and a paid refund of the demo, and no stored scores
    decision = AfterSaleDecision.objects.select_related("request__line").order_by("pk").first()
    order = Order.objects.filter(status="delivered").order_by("pk").first()
    refund = Refund.objects.filter(status="succeeded").order_by("pk").first()
    assert decision is not None and order is not None and refund is not None
    ProductScore.objects.all().delete()
    # when
    tasks.score_after_decision_task.call(decision_id=decision.pk)
    tasks.score_after_order_task.call(order_id=order.pk)
    tasks.score_after_refund_task.call(refund_id=refund.pk)
    # then
    stored = set(ProductScore.objects.values_list("product_id", flat=True))
    assert decision.request.line.product_id in stored
    assert set(order.lines.values_list("product_id", flat=True)) <= stored
    # and only claims decided for the buyer count as upheld, not refund or return requests
    product_id = decision.request.line.product_id
    claims = AfterSaleRequest.objects.filter(line__product_id=product_id, decisions__outcome__in=["approve", "partial"])
    inputs = ProductScore.objects.get(product_id=product_id).inputs
    assert inputs["claims_upheld"] == claims.filter(kind__in=CLAIM_KINDS).values("order_id").distinct().count()

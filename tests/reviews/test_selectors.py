"""Public reads: a review as anyone sees it (with reply and diary) and a product's rating."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.nicknames import default_name
from xinren.core import clock
from xinren.reviews.selectors import product_rating, product_review_list, review_public
from xinren.reviews.services import diary_post, reply_post, review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db


def test_a_public_review_shows_the_pseudonym_reply_and_diary(platform, merchant_actor, product_on_sale):
    # given
    buyer = consumer_new()
    line = line_delivered(buyer, product_on_sale, delivered_at=clock.now() - dt.timedelta(days=8))
    review = review_post(consumer=buyer, line_id=line.pk, stars=4, text="不错", tags=["新鲜"])
    reply = reply_post(actor=merchant_actor, review_id=review.pk, text="谢谢支持")
    entry = diary_post(consumer=buyer, review_id=review.pk, milestone=7, text="一周后依旧很香")
    # when
    shown = review_public(product_review_list(product_id=product_on_sale.pk).get())
    # then
    assert shown == {
        "id": review.pk, "reviewer": review.reviewer, "reviewer_name": default_name(review.reviewer),
        "stars": 4, "text": "不错", "tags": ["新鲜"], "seller_ratings": None,
        "verified_purchase": True, "created_at": review.created_at, "folded": False, "fold_reason": "",
        "author_response": "", "ledger_leaf_hash": review.ledger_leaf_hash, "media": [],
        "diary": [{"milestone": 7, "text": "一周后依旧很香", "created_at": entry.created_at,
                   "ledger_leaf_hash": entry.ledger_leaf_hash}],
        "reply": {"text": "谢谢支持", "replied_at": reply.replied_at, "ledger_leaf_hash": reply.ledger_leaf_hash},
    }
    assert buyer.phone not in str(shown)


def test_the_rating_counts_average_and_distribution(platform, product_on_sale, other_product_on_sale):
    # given
    for stars in (5, 5, 4, 1):
        buyer = consumer_new()
        review_post(consumer=buyer, line_id=line_delivered(buyer, product_on_sale).pk, stars=stars,
                    text=f"{stars} 星评价")
    buyer = consumer_new()
    review_post(consumer=buyer, line_id=line_delivered(buyer, other_product_on_sale).pk, stars=2, text="别的商品")
    # when
    rating = product_rating(product_id=product_on_sale.pk)
    # then
    assert rating == {"count": 4, "average": 3.75, "distribution": {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}, "folded": 0}


def test_a_product_without_reviews_has_no_average(product_on_sale):
    assert product_rating(product_id=product_on_sale.pk) == {
        "count": 0, "average": None, "distribution": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}, "folded": 0,
    }

"""The merchant console's reviews: read the reviews of one's own products and reply once; nothing touches stars or
text, and another merchant's reviews are out of reach."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.reviews.models import Reply, Review
from xinren.reviews.services import review_post

from ..factories import actor_for
from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db


def _console(actor) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actor.user)
    return client


def _review(product, text: str = "菌子很新鲜") -> Review:  # type: ignore[no-untyped-def]
    buyer = consumer_new()
    return review_post(consumer=buyer, line_id=line_delivered(buyer, product).pk, stars=3, text=text)


def test_the_merchant_lists_reviews_of_its_products_only(platform, merchant_actor, product_on_sale,
                                                         other_product_on_sale):
    # given
    _review(product_on_sale, "我们店的评价")
    _review(other_product_on_sale, "别家店的评价")
    # when
    html = _console(merchant_actor).get("/merchant/reviews/").content.decode()
    # then
    assert "我们店的评价" in html and "别家店的评价" not in html
    assert 'href="/merchant/reviews/"' in html  # the menu link


def test_the_merchant_replies_once_and_the_reply_time_is_recorded(platform, merchant_actor, product_on_sale):
    # given
    review = _review(product_on_sale)
    console = _console(merchant_actor)
    # when
    replied = console.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "感谢支持，欢迎再来"})
    twice = console.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "再回复一次"})
    # then
    assert replied.status_code == 302 and replied["Location"] == f"/merchant/reviews/#review-{review.pk}"
    reply = Reply.objects.get(review=review)
    assert (reply.text, reply.merchant_id, reply.replied_by_id) == (
        "感谢支持，欢迎再来", merchant_actor.organization.pk, merchant_actor.user.pk,
    )
    assert reply.replied_at >= review.created_at and reply.reply_seconds >= 0
    assert twice.status_code == 409 and "每条评价只能回复一次" in twice.content.decode()
    assert Reply.objects.count() == 1


def test_replying_to_another_merchants_review_is_not_found(platform, other_actor, product_on_sale):
    # given
    review = _review(product_on_sale)
    # when
    response = _console(other_actor).post(f"/merchant/reviews/{review.pk}/reply/", {"text": "插嘴"})
    # then
    assert response.status_code == 404
    assert Reply.objects.count() == 0


def test_a_viewer_cannot_reply(platform, merchant, product_on_sale):
    # given
    review = _review(product_on_sale)
    viewer = actor_for(merchant, Role.VIEWER)
    # when
    response = _console(viewer).post(f"/merchant/reviews/{review.pk}/reply/", {"text": "只读成员"})
    # then
    assert response.status_code == 403
    assert Reply.objects.count() == 0


def test_a_merchant_has_no_way_to_change_stars_or_text(platform, merchant_actor, product_on_sale):
    # given
    review = _review(product_on_sale, "原文不变")
    console = _console(merchant_actor)
    # when
    posted = console.post(f"/merchant/reviews/{review.pk}/reply/", {"text": "好评", "stars": "5"})
    edited = console.post("/merchant/reviews/", {"stars": "5", "text": "改写"})
    admin = console.get(f"/admin/reviews/review/{review.pk}/change/")
    # then
    assert posted.status_code == 302 and edited.status_code == 405
    assert admin.status_code == 302  # no admin access for a merchant
    review.refresh_from_db()
    assert (review.stars, review.text, review.status) == (3, "原文不变", "visible")

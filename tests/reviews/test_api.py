"""The reviews router, mounted on a test API with the project's authenticators and error handlers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from ninja import NinjaAPI
from ninja.testing import TestClient

from xinren.accounts.actors import Actor
from xinren.accounts.authentication import authenticators
from xinren.accounts.choices import Role
from xinren.api.errors import exception_handlers_install
from xinren.core import clock
from xinren.reviews.api import router
from xinren.reviews.models import Reply, Review
from xinren.reviews.services import review_fold, review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.api import bearer, key_for
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db

_api = NinjaAPI(urls_namespace="reviews-under-test", auth=authenticators())
exception_handlers_install(_api)
_api.add_router("", router)
SESSION = {settings.SESSION_COOKIE_NAME: "session"}


@pytest.fixture
def reviews_api() -> TestClient:
    return TestClient(_api)


def test_a_consumer_posts_a_review_with_the_session(reviews_api, platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    response = reviews_api.post("", json={"line_id": line.pk, "stars": 4, "text": "挺新鲜的。", "tags": ["新鲜"]},
                           user=consumer, COOKIES=SESSION)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    review = Review.objects.get()
    assert {k: body[k] for k in ("id", "stars", "text", "tags", "verified_purchase", "folded", "reply", "diary")} == {
        "id": review.pk, "stars": 4, "text": "挺新鲜的。", "tags": ["新鲜"], "verified_purchase": True,
        "folded": False, "reply": None, "diary": [],
    }
    assert body["reviewer"] == review.reviewer
    assert consumer.phone not in response.content.decode()


def test_posting_needs_a_consumer_session(reviews_api, platform, consumer, merchant, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    staff = key_for(merchant, Role.STAFF)
    # when
    anonymous = reviews_api.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"})
    with_a_key = reviews_api.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"}, headers=bearer(staff))
    # then
    assert anonymous.status_code == with_a_key.status_code == 401
    assert Review.objects.count() == 0


def test_a_refusal_has_the_error_shape(reviews_api, platform, consumer, other_consumer, product_on_sale):
    # given
    line = line_delivered(other_consumer, product_on_sale)
    # when
    response = reviews_api.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"}, user=consumer,
                                COOKIES=SESSION)
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "order_line.not_found"
    assert Review.objects.count() == 0


def test_anyone_reads_a_products_reviews_and_rating(reviews_api, platform, consumer, other_consumer, product_on_sale,
                                                    operator):
    # given
    first = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=5, text="很好吃")
    second = review_post(consumer=other_consumer, line_id=line_delivered(other_consumer, product_on_sale).pk, stars=1,
                         text="有虫")
    review_fold(actor=operator, review_id=second.pk, reason="含有辱骂内容")
    # when
    response = reviews_api.get(f"/products/{product_on_sale.pk}")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rating"] == {"count": 1, "average": 5.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
                              "folded": 1}
    assert [(item["id"], item["folded"], item["fold_reason"]) for item in body["items"]] == [
        (second.pk, True, "含有辱骂内容"), (first.pk, False, ""),
    ]


def test_the_merchant_replies_with_its_key_and_another_merchant_cannot(reviews_api, platform, consumer, product_on_sale,
                                                                        merchant, other_merchant):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=3,
                         text="一般般")
    # when
    other = reviews_api.post(f"/{review.pk}/reply", json={"text": "来蹭一下"}, headers=bearer(key_for(other_merchant)))
    own = reviews_api.post(f"/{review.pk}/reply", json={"text": "感谢反馈，我们会改进。"},
                           headers=bearer(key_for(merchant)))
    # then
    assert (other.status_code, other.json()["code"]) == (404, "review.not_found")
    assert own.status_code == 201, own.content
    assert own.json()["text"] == "感谢反馈，我们会改进。"
    assert list(Reply.objects.values_list("merchant_id", flat=True)) == [merchant.pk]


def _signed_in(actor: Actor) -> dict[str, Any]:
    """A console session (API keys are at most staff; folding needs an admin)."""
    return {"user": actor.user, "COOKIES": SESSION, "headers": {"X-Organization-Id": str(actor.organization.pk)}}


def test_only_operators_fold_and_see_flags(reviews_api, platform, consumer, product_on_sale, merchant_admin, operator):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    # when
    by_merchant = reviews_api.post(f"/{review.pk}/fold", json={"reason": "差评"}, **_signed_in(merchant_admin))
    by_operator = reviews_api.post(f"/{review.pk}/fold", json={"reason": "含有广告链接"}, **_signed_in(operator))
    flags = reviews_api.get("/flags", **_signed_in(operator))
    # then
    assert (by_merchant.status_code, by_merchant.json()["code"]) == (403, "permission.organization_kind")
    assert by_operator.status_code == 200, by_operator.content
    assert (by_operator.json()["folded"], by_operator.json()["fold_reason"]) == (True, "含有广告链接")
    assert (flags.status_code, flags.json()) == (200, [])


def test_the_author_responds_to_a_fold(reviews_api, platform, consumer, product_on_sale, operator):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    review_fold(actor=operator, review_id=review.pk, reason="疑似广告")
    # when
    response = reviews_api.post(f"/{review.pk}/response", json={"text": "我是真实买家。"}, user=consumer,
                                COOKIES=SESSION)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["author_response"] == "我是真实买家。"


def test_an_operator_dismisses_a_flag(reviews_api, platform, operator, product_on_sale):
    # given
    texts = ["这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会回购！",
             "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会再回购！！"]
    reviews = [review_post(consumer=buyer, line_id=line_delivered(buyer, product_on_sale).pk, stars=5, text=text)
               for buyer, text in ((consumer_new(), texts[0]), (consumer_new(), texts[1]))]
    flag = reviews_api.get("/flags", **_signed_in(operator)).json()[0]
    # when
    response = reviews_api.post(f"/flags/{flag['id']}/resolve", json={"upheld": False, "note": "核实为巧合"},
                           **_signed_in(operator))
    # then
    assert response.status_code == 200, response.content
    assert (flag["review_id"], response.json()["status"], response.json()["upheld"]) == (
        reviews[1].pk, "resolved", False,
    )
    assert Review.objects.get(pk=reviews[1].pk).status == "visible"


def test_the_merchant_lists_its_reviews_only(reviews_api, platform, consumer, product_on_sale, other_product_on_sale,
                                             merchant):
    # given
    own = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=4, text="不错")
    review_post(consumer=consumer, line_id=line_delivered(consumer, other_product_on_sale).pk, stars=5, text="好茶")
    # when
    response = reviews_api.get("/merchant", headers=bearer(key_for(merchant)))
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["count"], [item["id"] for item in response.json()["items"]]) == (1, [own.pk])


def test_the_author_writes_a_diary(reviews_api, platform, consumer, product_on_sale, operator):
    # given
    line = line_delivered(consumer, product_on_sale, delivered_at=clock.now() - dt.timedelta(days=8))
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好")
    review_fold(actor=operator, review_id=review.pk, reason="含有外链")
    # when
    diary = reviews_api.post(f"/{review.pk}/diary", json={"milestone": 7, "text": "一周后还是很香"}, user=consumer,
                        COOKIES=SESSION)
    # then
    assert diary.status_code == 201, diary.content
    assert (diary.json()["milestone"], diary.json()["text"]) == (7, "一周后还是很香")

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

from ..api.conftest import bearer, key_for
from .conftest import consumer_new, line_delivered

pytestmark = pytest.mark.django_db

_api = NinjaAPI(urls_namespace="reviews-under-test", auth=authenticators())
exception_handlers_install(_api)
_api.add_router("", router)
SESSION = {settings.SESSION_COOKIE_NAME: "session"}


@pytest.fixture
def client() -> TestClient:
    return TestClient(_api)


def test_a_consumer_posts_a_review_with_the_session(client, platform, consumer, product):
    # given
    line = line_delivered(consumer, product)
    # when
    response = client.post("", json={"line_id": line.pk, "stars": 4, "text": "挺新鲜的。", "tags": ["新鲜"]},
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


def test_posting_needs_a_consumer_session(client, platform, consumer, merchant, product):
    # given
    line = line_delivered(consumer, product)
    staff = key_for(merchant, Role.STAFF)
    # when
    anonymous = client.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"})
    with_a_key = client.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"}, headers=bearer(staff))
    # then
    assert anonymous.status_code == with_a_key.status_code == 401
    assert Review.objects.count() == 0


def test_a_refusal_has_the_error_shape(client, platform, consumer, other_consumer, product):
    # given
    line = line_delivered(other_consumer, product)
    # when
    response = client.post("", json={"line_id": line.pk, "stars": 5, "text": "好评"}, user=consumer, COOKIES=SESSION)
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "order_line.not_found"
    assert Review.objects.count() == 0


def test_anyone_reads_a_products_reviews_and_rating(client, platform, consumer, other_consumer, product, operator):
    # given
    first = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=5, text="很好吃")
    second = review_post(consumer=other_consumer, line_id=line_delivered(other_consumer, product).pk, stars=1,
                         text="有虫")
    review_fold(actor=operator, review_id=second.pk, reason="含有辱骂内容")
    # when
    response = client.get(f"/products/{product.pk}")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rating"] == {"count": 1, "average": 5.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
                              "folded": 1}
    assert [(item["id"], item["folded"], item["fold_reason"]) for item in body["items"]] == [
        (second.pk, True, "含有辱骂内容"), (first.pk, False, ""),
    ]


def test_the_merchant_replies_with_its_key_and_another_merchant_cannot(client, platform, consumer, product,
                                                                        merchant, other_merchant):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=3, text="一般般")
    # when
    other = client.post(f"/{review.pk}/reply", json={"text": "来蹭一下"}, headers=bearer(key_for(other_merchant)))
    own = client.post(f"/{review.pk}/reply", json={"text": "感谢反馈，我们会改进。"}, headers=bearer(key_for(merchant)))
    # then
    assert (other.status_code, other.json()["code"]) == (404, "review.not_found")
    assert own.status_code == 201, own.content
    assert own.json()["text"] == "感谢反馈，我们会改进。"
    assert list(Reply.objects.values_list("merchant_id", flat=True)) == [merchant.pk]


def _signed_in(actor: Actor) -> dict[str, Any]:
    """A console session (API keys are at most staff; folding needs an admin)."""
    return {"user": actor.user, "COOKIES": SESSION, "headers": {"X-Organization-Id": str(actor.organization.pk)}}


def test_only_operators_fold_and_see_flags(client, platform, consumer, product, merchant_admin, operator):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=1, text="太差了")
    # when
    by_merchant = client.post(f"/{review.pk}/fold", json={"reason": "差评"}, **_signed_in(merchant_admin))
    by_operator = client.post(f"/{review.pk}/fold", json={"reason": "含有广告链接"}, **_signed_in(operator))
    flags = client.get("/flags", **_signed_in(operator))
    # then
    assert (by_merchant.status_code, by_merchant.json()["code"]) == (403, "permission.organization_kind")
    assert by_operator.status_code == 200, by_operator.content
    assert (by_operator.json()["folded"], by_operator.json()["fold_reason"]) == (True, "含有广告链接")
    assert (flags.status_code, flags.json()) == (200, [])


def test_the_author_responds_to_a_fold(client, platform, consumer, product, operator):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=1, text="太差了")
    review_fold(actor=operator, review_id=review.pk, reason="疑似广告")
    # when
    response = client.post(f"/{review.pk}/response", json={"text": "我是真实买家。"}, user=consumer, COOKIES=SESSION)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["author_response"] == "我是真实买家。"


def test_an_operator_dismisses_a_flag(client, platform, operator, product):
    # given
    texts = ["这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会回购！",
             "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会再回购！！"]
    reviews = [review_post(consumer=buyer, line_id=line_delivered(buyer, product).pk, stars=5, text=text)
               for buyer, text in ((consumer_new(), texts[0]), (consumer_new(), texts[1]))]
    flag = client.get("/flags", **_signed_in(operator)).json()[0]
    # when
    response = client.post(f"/flags/{flag['id']}/resolve", json={"upheld": False, "note": "核实为巧合"},
                           **_signed_in(operator))
    # then
    assert response.status_code == 200, response.content
    assert (flag["review_id"], response.json()["status"], response.json()["upheld"]) == (
        reviews[1].pk, "resolved", False,
    )
    assert Review.objects.get(pk=reviews[1].pk).status == "visible"


def test_the_merchant_lists_its_reviews_only(client, platform, consumer, product, other_product, merchant):
    # given
    own = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=4, text="不错")
    review_post(consumer=consumer, line_id=line_delivered(consumer, other_product).pk, stars=5, text="好茶")
    # when
    response = client.get("/merchant", headers=bearer(key_for(merchant)))
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["count"], [item["id"] for item in response.json()["items"]]) == (1, [own.pk])


def test_the_author_writes_a_diary_and_reads_notifications(client, platform, consumer, product, operator):
    # given
    line = line_delivered(consumer, product, delivered_at=clock.now() - dt.timedelta(days=8))
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好")
    review_fold(actor=operator, review_id=review.pk, reason="含有外链")
    # when
    diary = client.post(f"/{review.pk}/diary", json={"milestone": 7, "text": "一周后还是很香"}, user=consumer,
                        COOKIES=SESSION)
    notices = client.get("/notifications", user=consumer, COOKIES=SESSION)
    # then
    assert diary.status_code == 201, diary.content
    assert (diary.json()["milestone"], diary.json()["text"]) == (7, "一周后还是很香")
    assert [(n["kind"], n["review_id"]) for n in notices.json()] == [("review_folded", review.pk)]

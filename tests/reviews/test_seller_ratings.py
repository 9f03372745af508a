"""The detailed seller ratings (描述相符 / 服务态度 / 物流服务): asked with every new review, 1–5 each, signed with
it and fixed afterwards; refused outside 1–5 with a translated message and nothing written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from ninja import NinjaAPI
from ninja.testing import TestClient

from xinren.accounts.authentication import authenticators
from xinren.api.errors import exception_handlers_install
from xinren.attest.registry import statement_type_get
from xinren.core.errors import DomainError
from xinren.reviews import errors
from xinren.reviews.api import router
from xinren.reviews.models import Review
from xinren.reviews.services import review_post
from xinren.reviews.statements import REVIEW_RECORD

from ..fixtures.accounts import browser_of
from ..fixtures.reviews import line_delivered, statement_of

pytestmark = pytest.mark.django_db

RATINGS = {"description": 5, "service": 4, "logistics": 3}
_api = NinjaAPI(urls_namespace="seller-ratings-under-test", auth=authenticators())
exception_handlers_install(_api)
_api.add_router("", router)


def test_the_ratings_are_stored_and_signed_with_the_review(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    review = review_post(consumer=consumer, line_id=line.pk, stars=4, text="很新鲜。", seller_ratings=RATINGS)
    # then
    review.refresh_from_db()
    assert (review.rating_description, review.rating_service, review.rating_logistics) == (5, 4, 3)
    statement = statement_of(review.ledger_leaf_hash)
    assert statement["seller_ratings"] == {"description": 5, "service": 4, "logistics": 3}
    statement_type_get("review").check(statement, signer_kind="platform")
    assert REVIEW_RECORD.matches(Review.objects.select_related("line").get(pk=review.pk), statement)


def test_a_review_without_ratings_signs_none_and_stays_valid(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好吃。")
    # then
    review.refresh_from_db()
    assert (review.rating_description, review.rating_service, review.rating_logistics) == (None, None, None)
    statement = statement_of(review.ledger_leaf_hash)
    assert "seller_ratings" not in statement
    assert REVIEW_RECORD.matches(Review.objects.select_related("line").get(pk=review.pk), statement)


@pytest.mark.parametrize(
    "bad",
    [
        {"description": 0, "service": 4, "logistics": 3},
        {"description": 5, "service": 6, "logistics": 3},
        {"description": 5, "service": 4},
        {"description": 5, "service": 4, "logistics": "5"},
        {"description": 5, "service": 4, "logistics": True},
    ],
)
def test_ratings_outside_one_to_five_are_refused_and_nothing_is_written(platform, consumer, product_on_sale, bad):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=4, text="很新鲜。", seller_ratings=bad)
    # then
    assert refused.value.code == errors.REVIEW_SELLER_RATING_INVALID
    assert "1–5" in str(refused.value.message)
    assert Review.objects.count() == 0


def test_the_english_message_is_translated(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    with translation.override("en"), pytest.raises(DomainError) as refused:
        review_post(
            consumer=consumer,
            line_id=line.pk,
            stars=4,
            text="很新鲜。",
            seller_ratings={"description": 9, "service": 4, "logistics": 3},
        )
    # then
    assert str(refused.value.message) == "Rate “Item as described” from 1 to 5"


def test_the_database_refuses_a_rating_outside_one_to_five(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    review = review_post(consumer=consumer, line_id=line.pk, stars=4, text="很新鲜。", seller_ratings=RATINGS)
    # when / then: a signed column, and checked
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(rating_service=2)
    review.refresh_from_db()
    assert review.rating_service == 4


def test_the_review_form_asks_for_the_three_ratings(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    browser = browser_of(consumer)
    # when
    html = browser.get(f"/shop/lines/{line.pk}/review/").content.decode()
    response = browser.post(
        f"/shop/lines/{line.pk}/review/",
        {
            "stars": "5",
            "text": "菌子很新鲜。",
            "tags": "",
            "rating_description": "5",
            "rating_service": "3",
            "rating_logistics": "4",
        },
    )
    # then
    assert "描述相符" in html and "服务态度" in html and "物流服务" in html
    assert 'name="rating_logistics"' in html
    assert response.status_code == 302
    review = Review.objects.get(line=line)
    assert (review.rating_description, review.rating_service, review.rating_logistics) == (5, 3, 4)
    detail = browser.get(response["Location"]).content.decode()
    assert "描述相符 5 · 服务态度 3 · 物流服务 4" in detail


@pytest.mark.parametrize("value", ["6", "0", ""])
def test_the_form_refuses_a_rating_outside_one_to_five_in_chinese(platform, consumer, product_on_sale, value):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    response = browser_of(consumer).post(
        f"/shop/lines/{line.pk}/review/",
        {
            "stars": "5",
            "text": "菌子很新鲜。",
            "tags": "",
            "rating_description": "5",
            "rating_service": value,
            "rating_logistics": "4",
        },
    )
    # then
    assert response.status_code == 422
    assert "请打 1–5 分" in response.content.decode()
    assert Review.objects.count() == 0


def test_the_api_takes_the_ratings_and_refuses_bad_ones(platform, consumer, product_on_sale):
    # given
    api = TestClient(_api)
    session = {settings.SESSION_COOKIE_NAME: "session"}
    first, second = line_delivered(consumer, product_on_sale), line_delivered(consumer, product_on_sale)
    # when
    created = api.post(
        "",
        json={"line_id": first.pk, "stars": 4, "text": "挺新鲜的。", "seller_ratings": RATINGS},
        user=consumer,
        COOKIES=session,
    )
    refused = api.post(
        "",
        json={"line_id": second.pk, "stars": 4, "text": "挺新鲜的。", "seller_ratings": {**RATINGS, "service": 7}},
        user=consumer,
        COOKIES=session,
    )
    # then
    assert created.status_code == 201, created.content
    assert Review.objects.get(line=first).rating_logistics == 3
    assert refused.status_code == 422 and refused.json()["code"] == errors.REVIEW_SELLER_RATING_INVALID
    assert not Review.objects.filter(line=second).exists()


def test_the_multipart_api_takes_the_ratings_as_three_fields(platform, consumer, product_on_sale):
    # given
    api = TestClient(_api)
    session = {settings.SESSION_COOKIE_NAME: "session"}
    line = line_delivered(consumer, product_on_sale)
    fields = {"line_id": str(line.pk), "stars": "5", "text": "实拍", "rating_description": "4",
              "rating_service": "5", "rating_logistics": "2"}  # fmt: skip
    # when
    response = api.post("/with-media", data=fields, user=consumer, COOKIES=session)
    # then
    assert response.status_code == 201, response.content
    review = Review.objects.get(line=line)
    assert (review.rating_description, review.rating_service, review.rating_logistics) == (4, 5, 2)
    assert statement_of(review.ledger_leaf_hash)["seller_ratings"] == {"description": 4, "service": 5, "logistics": 2}


def test_the_public_review_shows_the_ratings_as_signed(platform, consumer, product_on_sale):
    # given
    api = TestClient(_api)
    first, second = line_delivered(consumer, product_on_sale), line_delivered(consumer, product_on_sale)
    review_post(consumer=consumer, line_id=first.pk, stars=4, text="很新鲜。", seller_ratings=RATINGS)
    review_post(consumer=consumer, line_id=second.pk, stars=5, text="很好吃。")
    # when
    items = api.get(f"/products/{product_on_sale.pk}").json()["items"]
    # then
    assert [item["seller_ratings"] for item in items] == [None, {"description": 5, "service": 4, "logistics": 3}]

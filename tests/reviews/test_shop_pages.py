"""The consumer's review pages in the shop: write a review from a delivered line, see it, write diaries, answer a
fold, read notifications. Every refusal shows its message in the form and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from xinren.accounts.nicknames import default_name
from xinren.core import clock
from xinren.core.models import PageRefresh
from xinren.notify.models import Notification
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import DiaryEntry, Review
from xinren.reviews.services import diary_invitations_create, reply_post, review_fold, review_post

from ..fixtures.accounts import browser_of, consumer_new
from ..fixtures.reviews import line_delivered, line_through_flow

pytestmark = pytest.mark.django_db

REVIEW = {"stars": "4", "text": "菌子很新鲜，炒肉特别香。", "tags": "新鲜，包装好 下次还买",
          "rating_description": "5", "rating_service": "4", "rating_logistics": "4"}


def test_a_delivered_order_offers_to_write_a_review(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
    # when
    html = browser_of(consumer).get(f"/shop/orders/{line.order.number}/").content.decode()
    # then
    assert f'href="/shop/lines/{line.pk}/review/"' in html
    assert "写评价" in html


def test_the_consumer_writes_a_review_and_sees_it(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
    browser = browser_of(consumer)
    # when
    response = browser.post(f"/shop/lines/{line.pk}/review/", REVIEW)
    # then
    review = Review.objects.get(line=line)
    assert response.status_code == 302 and response["Location"] == f"/shop/reviews/{review.pk}/"
    assert (review.stars, review.text, review.tags, review.verified_purchase) == (
        4, "菌子很新鲜，炒肉特别香。", ["新鲜", "包装好", "下次还买"], True,
    )
    assert PageRefresh.objects.filter(kind=PageRefresh.Kind.PRODUCT_PAGE, object_id=product_on_sale.pk).exists()
    html = browser.get(response["Location"]).content.decode()
    assert "菌子很新鲜，炒肉特别香。" in html and default_name(review.reviewer) in html and "第7天" in html
    listing = browser.get("/shop/reviews/").content.decode()
    assert f'href="/shop/reviews/{review.pk}/"' in listing and product_on_sale.name in listing


def test_reviewing_a_line_not_yet_delivered_is_refused_in_the_form(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale, deliver=False)
    # when
    response = browser_of(consumer).post(f"/shop/lines/{line.pk}/review/", REVIEW)
    # then
    assert response.status_code == 409
    assert "签收后才能评价" in response.content.decode()
    assert Review.objects.count() == 0


def test_reviewing_the_same_line_twice_is_refused_in_the_form(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    review_post(consumer=consumer, line_id=line.pk, stars=5, text="第一次的评价")
    # when
    response = browser_of(consumer).post(f"/shop/lines/{line.pk}/review/", {**REVIEW, "stars": "1"})
    # then
    assert response.status_code == 409
    assert "该商品已评价过，评价发布后不能修改" in response.content.decode()
    assert list(Review.objects.values_list("stars", "text")) == [(5, "第一次的评价")]


def test_opening_the_form_of_a_reviewed_line_goes_to_the_review(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="第一次的评价")
    # when
    response = browser_of(consumer).get(f"/shop/lines/{line.pk}/review/")
    # then
    assert response.status_code == 302 and response["Location"] == f"/shop/reviews/{review.pk}/"


def test_someone_elses_order_line_is_not_found(platform, consumer, other_consumer, product_on_sale):
    # given
    line = line_delivered(other_consumer, product_on_sale)
    browser = browser_of(consumer)
    # when
    shown = browser.get(f"/shop/lines/{line.pk}/review/")
    posted = browser.post(f"/shop/lines/{line.pk}/review/", REVIEW)
    # then
    assert (shown.status_code, posted.status_code) == (404, 404)
    assert Review.objects.count() == 0


def test_someone_elses_review_is_not_found(platform, consumer, other_consumer, product_on_sale):
    # given
    review = review_post(consumer=other_consumer, line_id=line_delivered(other_consumer, product_on_sale).pk, stars=3,
                         text="别人的评价")
    browser = browser_of(consumer)
    # then
    assert browser.get(f"/shop/reviews/{review.pk}/").status_code == 404
    assert browser.post(f"/shop/reviews/{review.pk}/diary/7/", {"text": "冒充"}).status_code == 404
    assert browser.post(f"/shop/reviews/{review.pk}/respond/", {"text": "冒充"}).status_code == 404
    assert DiaryEntry.objects.count() == 0


def test_stars_out_of_range_are_refused_in_the_form(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    response = browser_of(consumer).post(f"/shop/lines/{line.pk}/review/", {**REVIEW, "stars": "6"})
    # then
    assert response.status_code == 422
    assert Review.objects.count() == 0


def test_there_is_no_page_to_edit_stars(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text="一般般")
    browser = browser_of(consumer)
    # when
    edit = browser.post(f"/shop/reviews/{review.pk}/", {"stars": "5"})
    again = browser.post(f"/shop/lines/{line.pk}/review/", {**REVIEW, "stars": "5"})
    # then
    assert edit.status_code == 405
    assert again.status_code == 409
    assert Review.objects.get(pk=review.pk).stars == 2


def test_a_signed_out_visitor_is_sent_to_sign_in(platform, consumer, product_on_sale):
    line = line_delivered(consumer, product_on_sale)
    response = Client().get(f"/shop/lines/{line.pk}/review/")
    assert response.status_code == 302 and response["Location"].startswith("/shop/signin/")


def test_a_diary_is_written_once_its_day_has_come(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale, delivered_at=clock.now() - dt.timedelta(days=8))
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好吃")
    browser = browser_of(consumer)
    # when
    written = browser.post(f"/shop/reviews/{review.pk}/diary/7/", {"text": "一周后依旧很香"})
    early = browser.post(f"/shop/reviews/{review.pk}/diary/15/", {"text": "还没到第十五天"})
    twice = browser.post(f"/shop/reviews/{review.pk}/diary/7/", {"text": "再写一次"})
    # then
    assert written.status_code == 302
    assert early.status_code == 409 and "还没到写这篇使用日记的时候" in early.content.decode()
    assert twice.status_code == 409
    assert list(DiaryEntry.objects.values_list("milestone", "text")) == [(7, "一周后依旧很香")]
    html = browser.get(f"/shop/reviews/{review.pk}/").content.decode()
    assert "一周后依旧很香" in html


def test_invitations_show_in_the_list_and_the_notifications(platform, consumer, product_on_sale, run_tasks):
    # given
    line = line_delivered(consumer, product_on_sale, delivered_at=clock.now() - dt.timedelta(days=16))
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好吃")
    diary_invitations_create()
    run_tasks()
    browser = browser_of(consumer)
    # when
    listing = browser.get("/shop/reviews/").content.decode()
    notices = browser.get("/shop/notifications/").content.decode()
    # then
    assert f'href="/shop/reviews/{review.pk}/diary/7/"' in listing
    assert f'href="/shop/reviews/{review.pk}/diary/15/"' in listing
    assert "收货第 15 天了，写一篇使用日记吧" in notices
    # and opening one marks it read and goes to its diary form
    notice = Notification.objects.get(user=consumer, params__days=15)
    opened = browser.get(f"/shop/notifications/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/shop/reviews/{review.pk}/diary/15/"
    assert list(Notification.objects.filter(user=consumer, read_at__isnull=True).values_list("params", flat=True)) == [
        {"days": 7}
    ]


def test_a_folded_review_tells_the_author_who_responds_once(platform, operator, consumer, product_on_sale,
                                                           run_tasks):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="骗子店铺")
    review_fold(actor=operator, review_id=review.pk, reason="含人身攻击")
    run_tasks()
    browser = browser_of(consumer)
    # when
    notices = browser.get("/shop/notifications/").content.decode()
    page = browser.get(f"/shop/reviews/{review.pk}/").content.decode()
    responded = browser.post(f"/shop/reviews/{review.pk}/respond/", {"text": "我只是如实描述收到的货"})
    twice = browser.post(f"/shop/reviews/{review.pk}/respond/", {"text": "再申辩一次"})
    # then
    assert "你的评价已被折叠，理由：含人身攻击。你可以提交一次申辩。" in notices
    assert "含人身攻击" in page and f'action="/shop/reviews/{review.pk}/respond/"' in page
    assert responded.status_code == 302
    assert twice.status_code == 409 and "每条评价只能申辩一次" in twice.content.decode()
    review.refresh_from_db()
    assert (review.status, review.author_response) == (ReviewStatus.FOLDED, "我只是如实描述收到的货")


def test_responding_to_a_review_that_is_not_folded_is_refused(platform, consumer, product_on_sale):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=5, text="很好")
    # when
    response = browser_of(consumer).post(f"/shop/reviews/{review.pk}/respond/", {"text": "申辩"})
    # then
    assert response.status_code == 409 and "只有被折叠的评价可以申辩" in response.content.decode()
    assert Review.objects.get(pk=review.pk).author_response == ""


def test_the_review_page_shows_the_merchant_reply(platform, merchant_actor, consumer, product_on_sale):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=4, text="不错")
    reply_post(actor=merchant_actor, review_id=review.pk, text="谢谢您的支持")
    # when
    html = browser_of(consumer).get(f"/shop/reviews/{review.pk}/").content.decode()
    # then
    assert "商家回复" in html and "谢谢您的支持" in html


def test_another_consumer_sees_no_review_of_someone_else_in_their_list(platform, consumer, product_on_sale):
    # given
    review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=4, text="我的评价内容")
    # when
    html = browser_of(consumer_new()).get("/shop/reviews/").content.decode()
    # then
    assert "我的评价内容" not in html and product_on_sale.name not in html


def test_the_shop_product_page_shows_the_rating_and_links_to_the_reviews(platform, product_on_sale):
    # given
    for stars in (5, 4):
        buyer = consumer_new()
        review_post(consumer=buyer, line_id=line_delivered(buyer, product_on_sale).pk, stars=stars,
                    text=f"{stars} 星，很好")
    # when
    html = Client().get(f"/shop/products/{product_on_sale.pk}/").content.decode()
    # then
    assert f'href="/01/{product_on_sale.gtin}#reviews"' in html
    assert "4.5 分 · 2 条已验证购买的评价" in html

"""Browsing a product's reviews: filters, chip counts, 大家都在说, keyset pages, and the pages that show them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from xinren.accounts.nicknames import default_name
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.core.origin import public_url
from xinren.orders.models import Offer
from xinren.reviews import browse
from xinren.reviews.browse import ReviewFilter
from xinren.reviews.models import Review, ReviewTag
from xinren.reviews.selectors import product_rating
from xinren.reviews.services import diary_post, review_fold, review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
START = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


def _review(product, stars: int, text: str, *, tags=(), at: dt.datetime | None = None, nickname: str = "",
            delivered_days_ago: int = 0) -> Review:  # type: ignore[no-untyped-def]
    buyer = consumer_new()
    if nickname:
        buyer.nickname = nickname
        buyer.save(update_fields=["nickname"])
    moment = at or clock.now()
    line = line_delivered(buyer, product, delivered_at=moment - dt.timedelta(days=delivered_days_ago))
    with clock.played_at(moment):
        return review_post(consumer=buyer, line_id=line.pk, stars=stars, text=text, tags=list(tags))


@pytest.fixture
def no_checks(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_REVIEW_CHECKS = False  # many similar texts on purpose


def _ids(page: browse.ReviewPage) -> list[int]:
    return [review.pk for review in page.reviews]


def test_pages_walk_every_review_newest_first_and_stay_stable_when_reviews_arrive(
    platform, product_on_sale, no_checks
):
    # given 7 reviews, two of them at the very same instant (the id breaks the tie)
    moments = [START + dt.timedelta(minutes=n) for n in (0, 1, 2, 3, 3, 4, 5)]
    reviews = [_review(product_on_sale, 5, f"第 {n} 条评价，很好吃", at=at) for n, at in enumerate(moments)]
    newest_first = sorted(reviews, key=lambda r: (r.created_at, r.pk), reverse=True)
    # when
    first = browse.product_review_page(product_id=product_on_sale.pk, limit=3)
    # a newer review arrives between the two page loads
    _review(product_on_sale, 5, "翻页时新来的评价", at=START + dt.timedelta(hours=1))
    second = browse.product_review_page(product_id=product_on_sale.pk, after=first.next_cursor, limit=3)
    third = browse.product_review_page(product_id=product_on_sale.pk, after=second.next_cursor, limit=3)
    # then: no repeat, no gap, the new one not pushed into the later pages
    assert _ids(first) + _ids(second) + _ids(third) == [r.pk for r in newest_first]
    assert third.next_cursor == "" and len(_ids(third)) == 1


def test_each_filter_selects_its_reviews_and_the_chips_count_them(platform, operator, product_on_sale, no_checks):
    # given
    bad = _review(product_on_sale, 1, "坏了一半，很失望", tags=["物流慢"], at=START)
    meh = _review(product_on_sale, 2, "个头偏小，一般般", at=START + dt.timedelta(minutes=1))
    three = _review(product_on_sale, 3, "还行吧，中规中矩", tags=["包装完好"], at=START + dt.timedelta(minutes=2))
    good = _review(product_on_sale, 4, "新鲜，包装好", tags=["新鲜", "包装完好"], at=START + dt.timedelta(minutes=3))
    best = _review(product_on_sale, 5, "太香了，会回购", tags=["新鲜"], delivered_days_ago=8,
                   at=clock.now() - dt.timedelta(minutes=5))
    Review.objects.filter(pk=good.pk).update(has_media=True)  # as if posted with a photo (not a signed column)
    diary_post(consumer=best.consumer, review_id=best.pk, milestone=7, text="一周后还是很香")
    folded = _review(product_on_sale, 1, "垃圾，骗子", tags=["新鲜"], at=START + dt.timedelta(minutes=4))
    review_fold(actor=operator, review_id=folded.pk, reason="含人身攻击")

    def ids(**kwargs) -> set[int]:  # type: ignore[no-untyped-def]
        review_filter = browse.review_filter_parse(**kwargs)
        return set(_ids(browse.product_review_page(product_id=product_on_sale.pk, review_filter=review_filter)))

    # then
    assert ids() == {bad.pk, meh.pk, three.pk, good.pk, best.pk}
    assert ids(kind="media") == {good.pk}
    assert ids(kind="diary") == {best.pk}
    assert ids(kind="bad") == {bad.pk, meh.pk}
    assert ids(kind="good") == {good.pk, best.pk}
    assert ids(kind="stars", stars="3") == {three.pk}
    assert ids(kind="tag", tag="新鲜") == {good.pk, best.pk}  # the folded one left out
    assert ids(kind="tag", tag="包装完好") == {three.pk, good.pk}
    assert ids(kind="folded") == {folded.pk}
    assert browse.product_review_counts(product_id=product_on_sale.pk) == {
        "all": 5, "media": 1, "diary": 1, "bad": 2, "good": 2, "folded": 1,
        "stars": {1: 1, 2: 1, 3: 1, 4: 1, 5: 1},
    }
    counts, rating = browse.product_review_summary(product_id=product_on_sale.pk)
    assert rating == product_rating(product_id=product_on_sale.pk)  # one GROUP BY says what the rating says
    assert counts == browse.product_review_counts(product_id=product_on_sale.pk)
    assert browse.product_top_tags(product_id=product_on_sale.pk) == [
        {"tag": "包装完好", "count": 2}, {"tag": "新鲜", "count": 2}, {"tag": "物流慢", "count": 1},
    ]
    assert ReviewTag.objects.get(review=folded, tag="新鲜").status == "folded"


def test_a_tag_page_keeps_its_place_too(platform, product_on_sale, no_checks):
    # given
    tagged = [_review(product_on_sale, 5, f"第 {n} 条，新鲜", tags=["新鲜"], at=START + dt.timedelta(minutes=n))
              for n in range(5)]
    _review(product_on_sale, 5, "没有标签", at=START + dt.timedelta(minutes=10))
    review_filter = ReviewFilter(kind=browse.TAG, tag="新鲜")
    # when
    first = browse.product_review_page(product_id=product_on_sale.pk, review_filter=review_filter, limit=2)
    rest = browse.product_review_page(product_id=product_on_sale.pk, review_filter=review_filter,
                                      after=first.next_cursor, limit=10)
    # then
    assert _ids(first) + _ids(rest) == [r.pk for r in reversed(tagged)]


@pytest.mark.parametrize(("params", "field"), [
    ({"kind": "cheap"}, "f"), ({"kind": "stars", "stars": "6"}, "stars"), ({"kind": "stars", "stars": "x"}, "stars"),
    ({"kind": "tag", "tag": "  "}, "tag"),
])
def test_a_bad_filter_is_refused(params, field):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        browse.review_filter_parse(**params)
    assert (caught.value.code, caught.value.details["field"]) == ("review.filter_invalid", field)


@pytest.mark.parametrize("cursor", ["abc", "1_", "_1", "1;2", "9" * 19 + "_1", "1_2_3"])
def test_a_bad_cursor_is_refused(cursor):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        browse.product_review_page(product_id=1, after=cursor)
    assert caught.value.code == "review.cursor_invalid"


def test_the_list_page_filters_pages_and_names_reviewers_masked(platform, product_on_sale, no_checks):
    # given
    for n in range(22):
        _review(product_on_sale, 5 if n % 2 else 1, f"第 {n} 条评价，味道正宗", tags=["口感好"],
                at=START + dt.timedelta(minutes=n), nickname="王小明" if n == 21 else "")
    client = Client()
    url = f"/shop/products/{product_on_sale.pk}/reviews/"
    # when
    first = client.get(url)
    html = first.content.decode()
    # then
    assert first.status_code == 200
    assert "王**" in html and "王小明" not in html
    assert not re.search(r"u[0-9a-f]{15}", html)  # no pseudonym anywhere
    assert html.count('<li id="review-') == 20
    assert "大家都在说" in html and "口感好 <small>22</small>" in html
    assert "差评 <small>11</small>" in html and "有图" not in html.split("大家都在说")[0].split("rv-chips")[1]
    next_url = re.search(r'<a class="rv-more" href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    second = client.get(next_url).content.decode()
    assert second.count('<li id="review-') == 2 and 'rel="next"' not in second
    bad = client.get(url, {"f": "bad"}).content.decode()
    assert bad.count('<li id="review-') == 11 and "味道正宗" in bad and 'aria-current="true">差评' in bad


def test_the_list_page_refuses_a_bad_filter_in_chinese(platform, product_on_sale):
    response = Client().get(f"/shop/products/{product_on_sale.pk}/reviews/", {"f": "stars", "stars": "9"})
    assert response.status_code == 422
    assert "请选择 1–5 星" in response.content.decode()


def test_nickname_and_tag_are_escaped_on_every_page(platform, product_on_sale, no_checks):
    # given
    _review(product_on_sale, 5, "好吃<b>真的</b>", tags=["<i>x</i>"], nickname="<script>x")
    client = Client()
    # when
    pages = [
        client.get(f"/shop/products/{product_on_sale.pk}/reviews/").content.decode(),
        client.get(f"/shop/products/{product_on_sale.pk}/").content.decode(),
        client.get(f"/01/{product_on_sale.gtin}").content.decode(),
    ]
    # then
    for html in pages:
        assert "<i>x</i>" not in html and "<b>真的</b>" not in html and "<script>x" not in html
        assert "&lt;**" in html  # the nickname's first character, escaped and masked
    assert "&lt;i&gt;x&lt;/i&gt;" in pages[0]  # the tag in 大家都在说 and on the review


def test_the_shop_product_page_shows_the_newest_reviews_chips_and_a_link_to_all(platform, product_on_sale, no_checks):
    # given
    for n in range(11):
        _review(product_on_sale, 4, f"第 {n} 条，包装完好", tags=["包装完好"], at=START + dt.timedelta(minutes=n))
    # when
    html = Client().get(f"/shop/products/{product_on_sale.pk}/").content.decode()
    # then
    assert html.count('<li id="review-') == 3
    assert f'href="/shop/products/{product_on_sale.pk}/reviews/"' in html and "查看全部 11 条评价" in html
    assert f'href="/shop/products/{product_on_sale.pk}/reviews/?f=good"' in html
    assert "包装完好 <small>11</small>" in html
    assert default_name(Review.objects.first().reviewer) in html


def test_json_ld_carries_the_offer_and_rating_on_the_shop_and_the_scan_page(platform, product_on_sale, no_checks):
    # given
    _review(product_on_sale, 5, "很好")
    _review(product_on_sale, 4, "不错")
    # when
    shop = JSONLD.findall(Client().get(f"/shop/products/{product_on_sale.pk}/").content.decode())
    scan = JSONLD.findall(Client().get(f"/01/{product_on_sale.gtin}").content.decode())
    # then
    for blocks in (shop, scan):
        assert len(blocks) == 1
        data = json.loads(blocks[0])
        assert data["@type"] == "Product"
        offer = data["offers"]
        assert (offer["@type"], offer["price"], offer["priceCurrency"], offer["availability"]) == (
            "Offer", "128.00", "CNY", "https://schema.org/InStock",
        )
        assert offer["url"].endswith(f"/shop/products/{product_on_sale.pk}/")
        assert offer["seller"] == {"@type": "Organization", "name": product_on_sale.merchant.name}
        assert data["aggregateRating"]["ratingValue"] == 4.5 and data["aggregateRating"]["reviewCount"] == 2
        assert all(not re.search(r"u[0-9a-f]{15}", r["author"]["name"]) for r in data["review"])
    assert json.loads(shop[0])["offers"]["url"] == public_url(f"/shop/products/{product_on_sale.pk}/")


def test_json_ld_says_out_of_stock_when_nothing_is_left(platform, product_on_sale):
    Offer.objects.filter(product=product_on_sale).update(stock=0)
    data = json.loads(JSONLD.findall(Client().get(f"/shop/products/{product_on_sale.pk}/").content.decode())[0])
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "aggregateRating" not in data  # no reviews yet


def test_the_scan_page_links_to_the_full_list(platform, product_on_sale):
    _review(product_on_sale, 5, "很好")
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    assert f'href="/shop/products/{product_on_sale.pk}/reviews/"' in html and "查看全部 1 条评价" in html


def test_the_signed_review_does_not_carry_the_nickname(platform, product_on_sale):
    from ..fixtures.reviews import statement_of

    review = _review(product_on_sale, 5, "很好吃的菌子", nickname="李雷雷")
    statement = statement_of(review.ledger_leaf_hash)
    assert "李雷雷" not in json.dumps(statement, ensure_ascii=False)
    assert statement["reviewer"] == review.reviewer


def test_the_review_form_offers_the_category_tags(platform, consumer, product_on_sale):
    from xinren.reviews.tags import suggested_tags

    line = line_delivered(consumer, product_on_sale)
    client = Client()
    client.force_login(consumer)
    html = client.get(f"/shop/lines/{line.pk}/review/").content.decode()
    offered = suggested_tags(product_on_sale.category)
    assert "物流快" in offered and all(f'<span class="chip muted">{tag}</span>' in html for tag in offered)

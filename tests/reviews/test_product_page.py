"""The reviews on the consumer pages: in full on the product page /01/<gtin14> with schema.org JSON-LD; batch and
item pages only link there (docs/adr/0008)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from xinren.accounts.nicknames import default_name
from xinren.catalog.models import Item
from xinren.core import clock
from xinren.core.models import PageRefresh
from xinren.reviews.models import Review
from xinren.reviews.selectors import reviews_section_for
from xinren.reviews.services import diary_post, reply_post, review_fold, review_post

from ..factories import BatchFactory
from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered, line_through_flow

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _review(product, stars: int, text: str, **kwargs) -> Review:  # type: ignore[no-untyped-def]
    buyer = consumer_new()
    line = line_delivered(buyer, product, **kwargs)
    return review_post(consumer=buyer, line_id=line.pk, stars=stars, text=text, tags=["新鲜"])


def test_the_product_page_shows_summary_histogram_reviews_diary_reply_and_fold(
    platform, operator, merchant_actor, product_on_sale
):
    # given
    diarist = _review(product_on_sale, 5, "菌子很新鲜，炒肉特别香。", delivered_at=clock.now() - dt.timedelta(days=8))
    _review(product_on_sale, 4, "包装很结实，冰袋还没化。")
    _review(product_on_sale, 2, "个头偏小，和图片不太一样。")
    folded = _review(product_on_sale, 1, "垃圾店铺，老板是骗子！")
    reply_post(actor=merchant_actor, review_id=diarist.pk, text="感谢支持，欢迎再来")
    diary_post(consumer=diarist.consumer, review_id=diarist.pk, milestone=7, text="一周后冷冻的还是很香")
    review_fold(actor=operator, review_id=folded.pk, reason="含人身攻击")
    # when
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    # then
    assert 'id="reviews"' in html
    assert "<b>3.7</b>" in html  # (5 + 4 + 2) / 3, the folded one left out
    assert html.count('<rect width="33"') == 3 and '<rect width="0"' in html
    assert "菌子很新鲜，炒肉特别香。" in html and default_name(diarist.reviewer) in html
    assert diarist.reviewer not in html  # the pseudonym is signed, never shown
    assert "第7天" in html and "一周后冷冻的还是很香" in html
    assert "商家回复" in html and "感谢支持，欢迎再来" in html
    assert '<details class="rv-fold"><summary>此评价已被折叠：含人身攻击</summary>' in html
    assert "已验证购买" in html


def test_the_product_page_carries_valid_schema_org_json_ld(platform, operator, product_on_sale, settings):
    # given (similar texts on purpose: the integrity checks are off, else they would fold them)
    settings.XINREN_REVIEW_CHECKS = False
    for n, stars in enumerate([5, 4, 4, 3, 5, 2, 5, 4, 5, 3, 4, 5]):
        _review(product_on_sale, stars, f"第 {n} 位买家的真实评价，口感不错。")
    folded = _review(product_on_sale, 1, "这条会被折叠")
    review_fold(actor=operator, review_id=folded.pk, reason="与商品无关")
    # when
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    # then
    blocks = JSONLD.findall(html)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert (data["@context"], data["@type"], data["gtin14"], data["name"]) == (
        "https://schema.org", "Product", product_on_sale.gtin, product_on_sale.name,
    )
    assert data["brand"] == {"@type": "Brand", "name": product_on_sale.merchant.name}
    assert data["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": 4.08, "reviewCount": 12, "bestRating": 5, "worstRating": 1,
    }
    assert len(data["review"]) == 9  # the latest ten, less the folded one
    assert {review["@type"] for review in data["review"]} == {"Review"}
    assert {review["reviewRating"]["@type"] for review in data["review"]} == {"Rating"}
    assert all(review["author"]["@type"] == "Person" for review in data["review"])
    assert "这条会被折叠" not in blocks[0]


def test_review_text_cannot_break_out_of_the_json_ld_script(platform, product_on_sale):
    # given
    _review(product_on_sale, 5, '好吃</script><script>alert("x")</script>&amp;<!--')
    # when
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    # then
    block = JSONLD.findall(html)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["review"][0]["reviewBody"] == '好吃</script><script>alert("x")</script>&amp;<!--'
    assert "<script>alert" not in html


def test_batch_and_item_pages_link_to_the_product_reviews_without_json_ld(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
    review_post(consumer=consumer, line_id=line.pk, stars=5, text="单品页不显示全文")
    item = Item.objects.get(shipment_items__line=line)
    # when
    batch_html = Client().get(f"/01/{product_on_sale.gtin}/10/{item.batch.lot}").content.decode()
    item_html = Client().get(item.digital_link.path).content.decode()
    # then
    for html in (batch_html, item_html):
        assert f'href="/01/{product_on_sale.gtin}#reviews"' in html
        assert "单品页不显示全文" not in html
        assert "application/ld+json" not in html
    assert reviews_section_for(product=product_on_sale, batch=item.batch) == {
        "link_only": True, "url": f"/01/{product_on_sale.gtin}#reviews",
    }


def test_before_any_review_the_product_page_says_who_may_review_and_item_pages_already_link(product_on_sale):
    # given
    batch = BatchFactory(product=product_on_sale)
    # when
    section = reviews_section_for(product=product_on_sale, batch=None)
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    # then
    assert (section["count"], section["reviews"]) == (0, [])
    assert "还没有买家评价。只有签收了订单的买家才能评价" in html
    data = json.loads(JSONLD.findall(html)[0])
    assert data["@type"] == "Product" and "aggregateRating" not in data and "review" not in data
    assert reviews_section_for(product=product_on_sale, batch=batch) == {
        "link_only": True, "url": f"/01/{product_on_sale.gtin}#reviews",
    }


def test_each_review_write_marks_only_the_product_page_stale(platform, operator, merchant_actor, product_on_sale):
    # given
    review = _review(product_on_sale, 4, "不错", delivered_at=clock.now() - dt.timedelta(days=8))
    PageRefresh.objects.all().delete()
    # when
    reply_post(actor=merchant_actor, review_id=review.pk, text="谢谢")
    diary_post(consumer=review.consumer, review_id=review.pk, milestone=7, text="依旧很好")
    review_fold(actor=operator, review_id=review.pk, reason="测试折叠")
    # then
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("page", product_on_sale.pk)] * 3

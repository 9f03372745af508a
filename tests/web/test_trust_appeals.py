"""The delisting pages (ADR 0052): the merchant's trust scores with an appeal, the operators' queue and decision,
the product's public history; each role sees only what it may."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.catalog.models import Product
from xinren.catalog.suspensions import product_is_suspended
from xinren.trust.delisting.services import appeal_submit
from xinren.trust.models import Delisting, DelistingAppeal, ProductScore
from xinren.trust.scores.formula import CURRENT_VERSION, product_score
from xinren.trust.scores.hooks import StoredScore, scores_stored

from ..factories import ProductFactory, actor_for
from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db

BAD = {"reviews": [{"buyer": str(i), "stars": 1, "age_days": 0, "quality": None} for i in range(20)],
       "orders_delivered": 40, "claims_upheld": 20, "credit": {}}  # fmt: skip
GOOD = {"reviews": [{"buyer": str(i), "stars": 5, "age_days": 0, "quality": None} for i in range(12)], "credit": {}}


def _store(product: Product, inputs: dict[str, Any]) -> None:
    result = product_score(inputs, CURRENT_VERSION)
    row, _ = ProductScore.objects.update_or_create(
        product=product,
        version=CURRENT_VERSION,
        defaults={
            "score": result["score"],
            "components": result["components"],
            "inputs": inputs,
            "computed_at": dt.datetime.fromisoformat("2026-12-07T08:00:00+08:00"),
        },
    )
    scores_stored([StoredScore(row=row, changed=True)])


@pytest.fixture
def delisted(merchant: Organization) -> Delisting:
    good = ProductFactory(merchant=merchant, name="好评松茸")
    _store(good, GOOD)
    bad = ProductFactory(merchant=merchant, name="差评牛肝菌")
    _store(bad, BAD)
    return Delisting.objects.get(product=bad)


def test_the_merchant_sees_the_delisted_product_first_with_its_bounds_and_appeals(delisted: Delisting):
    # given
    staff = actor_for(delisted.product.merchant, Role.STAFF)
    browser = browser_of(staff.user)
    # when
    page = browser.get("/merchant/trust-scores/").content.decode()
    # then
    assert page.index("差评牛肝菌") < page.index("好评松茸")
    assert "95% 上限" in page and "2.32" in page and 'class="tscore"' in page
    # when the merchant appeals
    response = browser.post(
        f"/merchant/trust-scores/delistings/{delisted.pk}/appeal/",
        {"reason": "已更换供应商并复检", "evidence_note": "报告 R-1"},
    )
    # then
    assert response.status_code == 302
    assert DelistingAppeal.objects.get().reason == "已更换供应商并复检"
    assert "等待平台处理" in browser.get("/merchant/trust-scores/").content.decode()


def test_an_empty_appeal_is_refused_with_the_form(delisted: Delisting):
    browser = browser_of(actor_for(delisted.product.merchant).user)
    response = browser.post(f"/merchant/trust-scores/delistings/{delisted.pk}/appeal/", {"reason": ""})
    assert response.status_code == 422
    assert not DelistingAppeal.objects.exists()


def test_another_merchant_cannot_appeal(delisted: Delisting, other_merchant: Organization):
    browser = browser_of(actor_for(other_merchant).user)
    response = browser.post(f"/merchant/trust-scores/delistings/{delisted.pk}/appeal/", {"reason": "不是我的"})
    assert response.status_code in (404, 422)
    assert not DelistingAppeal.objects.exists()


def test_the_operator_decides_from_the_queue_and_the_public_page_shows_every_step(
    delisted: Delisting, operator: Actor, client
):  # type: ignore[no-untyped-def]
    # given
    appeal = appeal_submit(actor=actor_for(delisted.product.merchant), delisting_id=delisted.pk, reason="复检合格")
    browser = browser_of(operator.user)
    # when
    queue = browser.get("/operator/trust-appeals/").content.decode()
    detail = browser.get(f"/operator/trust-appeals/{appeal.pk}/").content.decode()
    response = browser.post(
        f"/operator/trust-appeals/{appeal.pk}/decide/", {"outcome": "relist", "reason": "复检报告合格"}
    )
    # then
    assert "差评牛肝菌" in queue
    assert "复检合格" in detail and "下架时" in detail and "现在" in detail
    assert response.status_code == 302
    assert not product_is_suspended(product_id=delisted.product_id)
    scan = client.get(delisted.product.digital_link.path).content.decode()
    assert "信任分下架记录" in scan
    for text in (
        "自动下架：信任分 2.11",
        "商家提出申诉",
        "平台处理申诉：恢复销售",
        "复检报告合格",
        "申诉成立，恢复销售",
    ):
        assert text in scan


def test_merchants_and_viewers_cannot_decide(delisted: Delisting, platform: Organization):
    # given
    appeal = appeal_submit(actor=actor_for(delisted.product.merchant), delisting_id=delisted.pk, reason="复检合格")
    merchant_browser = browser_of(actor_for(delisted.product.merchant, Role.OWNER).user)
    viewer_browser = browser_of(actor_for(platform, Role.VIEWER).user)
    # when
    queue = merchant_browser.get("/operator/trust-appeals/")
    by_merchant = merchant_browser.post(
        f"/operator/trust-appeals/{appeal.pk}/decide/", {"outcome": "relist", "reason": "自己批准"}
    )
    by_viewer = viewer_browser.post(
        f"/operator/trust-appeals/{appeal.pk}/decide/", {"outcome": "relist", "reason": "只读"}
    )
    # then
    assert queue.status_code == 403 and by_merchant.status_code == 403 and by_viewer.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "open"
    assert product_is_suspended(product_id=delisted.product_id)


def test_the_shop_says_why_and_shows_the_history(delisted: Delisting, client):  # type: ignore[no-untyped-def]
    page = client.get(f"/shop/products/{delisted.product_id}/").content.decode()
    assert "此商品暂停销售" in page and "信任分下架记录" in page
    assert "信任分有 95% 的把握低于下架线，平台已自动下架；商家可以申诉" in page


def test_the_api_lists_only_the_merchants_own_delistings_and_takes_an_appeal(
    delisted: Delisting, other_merchant: Organization, client
):  # type: ignore[no-untyped-def]
    from ..fixtures.api import call, key_for

    # when
    own = call(client, "get", "/trust/delistings", key=key_for(delisted.product.merchant, Role.VIEWER))
    other = call(client, "get", "/trust/delistings", key=key_for(other_merchant, Role.VIEWER))
    appealed = call(
        client,
        "post",
        f"/trust/delistings/{delisted.pk}/appeals",
        key=key_for(delisted.product.merchant),
        body={"reason": "复检合格"},
    )
    stranger = call(
        client,
        "post",
        f"/trust/delistings/{delisted.pk}/appeals",
        key=key_for(other_merchant),
        body={"reason": "不是我的"},
    )
    # then
    assert own.status_code == 200
    assert [(d["gtin"], d["score"], d["upper"], d["status"]) for d in own.json()] == [
        (delisted.product.gtin, "2.11", "2.32", "delisted")
    ]
    assert other.json() == []
    assert appealed.status_code == 201 and appealed.json()["delisting"] == delisted.pk
    assert stranger.status_code == 404
    assert DelistingAppeal.objects.count() == 1

"""Cost transparency in the merchant console: stale breakdowns listed with a one-step "按现价重新发布" form, a
product's cost page, refusals shown in the form, and who may do what."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.costs.models import CostBreakdown
from xinren.costs.prices import OfferPrice
from xinren.costs.services import cost_breakdown_publish
from xinren.ledger.store.models import PendingEntry
from xinren.orders.services import offer_save

from ..factories import ProductFactory, actor_for
from ..merchant.conftest import signed_in

pytestmark = pytest.mark.django_db

LINES = {"raw_material": "52.00", "processing": "9.60", "packaging": "8.40", "logistics": "26.00",
         "platform_fees": "7.70", "profit": "24.30"}


@pytest.fixture
def stale(merchant_actor, product, offer):  # type: ignore[no-untyped-def]
    """A breakdown published at ¥128.00, then the price raised to ¥138.00."""
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, lines=LINES,
                           offer=OfferPrice(offer_id=offer.pk, product_id=product.pk, price_fen=12800))
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    return product


def _counts() -> tuple[int, int]:
    return CostBreakdown.objects.count(), PendingEntry.objects.count()


def test_the_list_shows_stale_breakdowns_first_with_a_prefilled_form(merchant_actor, stale, merchant):
    # given another product whose breakdown is current
    fresh = ProductFactory(merchant=merchant, name="鸡枞菌 250g")
    fresh_offer = offer_save(actor=merchant_actor, product_id=fresh.pk, price_fen=6800, stock=5)
    lines_68 = {"raw_material": "30.00", "processing": "8.50", "packaging": "4.50", "logistics": "10.00",
                "platform_fees": "3.00", "profit": "12.00"}
    cost_breakdown_publish(actor=merchant_actor, product_id=fresh.pk, lines=lines_68,
                           offer=OfferPrice(offer_id=fresh_offer.pk, product_id=fresh.pk, price_fen=6800))
    # when
    response = signed_in(merchant_actor).get("/merchant/costs/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 个商品的成本构成与现价不符" in html
    assert html.index(stale.name) < html.index("鸡枞菌 250g")
    assert html.count("<button type=\"submit\">按现价重新发布</button>") == 1
    assert 'name="profit" value="34.30"' in html and 'name="price" value="138.00"' in html


def test_one_step_re_publishing_signs_a_version_that_supersedes_the_stale_one(merchant_actor, stale):
    # given
    first = CostBreakdown.objects.get()
    form = {**LINES, "profit": "34.30", "price": "138.00", "next": "/merchant/costs/"}
    # when
    response = signed_in(merchant_actor).post(f"/merchant/products/{stale.pk}/costs/", form)
    # then
    assert (response.status_code, response["Location"]) == (302, "/merchant/costs/")
    second = CostBreakdown.objects.get(version=2)
    assert (second.price_fen, second.profit, second.supersedes_id) == (13800, 3430, first.pk)
    after = signed_in(merchant_actor).get("/merchant/costs/").content.decode()
    assert "status-delisted\">与现价不符" not in after and "status-active\">与现价一致" in after


def test_lines_that_miss_the_price_are_shown_in_the_form_and_nothing_is_signed(merchant_actor, stale):
    # given
    before = _counts()
    # when the lines still add up to the old ¥128.00
    response = signed_in(merchant_actor).post(f"/merchant/products/{stale.pk}/costs/", {**LINES, "price": "138.00"})
    # then
    assert response.status_code == 422
    assert "各项成本合计 ¥128.00，与售价 ¥138.00 不符" in response.content.decode()
    assert _counts() == before


def test_a_form_sent_after_another_price_change_is_refused(merchant_actor, stale):
    # given the form was filled in at ¥138.00, and the price is now ¥148.00
    offer_save(actor=merchant_actor, product_id=stale.pk, price_fen=14800, stock=5)
    before = _counts()
    # when
    response = signed_in(merchant_actor).post(f"/merchant/products/{stale.pk}/costs/",
                                              {**LINES, "profit": "44.30", "price": "138.00"})
    # then
    assert response.status_code == 409
    assert "售价已变为 ¥148.00" in response.content.decode()
    assert _counts() == before


def test_the_product_page_shows_the_state_and_every_version(merchant_actor, stale):
    # when
    html = signed_in(merchant_actor).get(f"/merchant/products/{stale.pk}/costs/").content.decode()
    # then
    assert "与现价不符，商家尚未更新" in html and "现价 ¥138.00" in html
    assert "第 1 版，按售价 ¥128.00 公布" in html
    assert 'name="profit" value="34.30"' in html


def test_a_viewer_sees_no_form_and_cannot_publish(merchant, stale):
    # given
    viewer = signed_in(actor_for(merchant, Role.VIEWER))
    before = _counts()
    # when
    page = viewer.get("/merchant/costs/").content.decode()
    response = viewer.post(f"/merchant/products/{stale.pk}/costs/", {**LINES, "profit": "34.30", "price": "138.00"})
    # then
    assert "<button type=\"submit\">按现价重新发布</button>" not in page
    assert response.status_code == 403
    assert _counts() == before


def test_another_merchant_finds_nothing(other_actor, stale):
    # given
    browser = signed_in(other_actor)
    before = _counts()
    # when
    page = browser.get(f"/merchant/products/{stale.pk}/costs/")
    sent = browser.post(f"/merchant/products/{stale.pk}/costs/", {**LINES, "profit": "34.30", "price": "138.00"})
    listed = browser.get("/merchant/costs/").content.decode()
    # then
    assert (page.status_code, sent.status_code) == (404, 404)
    assert stale.name not in listed
    assert _counts() == before


def test_a_lab_is_refused_the_page(lab, stale):
    # when
    response = signed_in(actor_for(lab, Role.ADMIN)).get("/merchant/costs/")
    # then
    assert response.status_code == 403


def test_changing_the_price_in_the_console_says_the_breakdown_is_now_stale(merchant_actor, product, offer):
    # given a breakdown at ¥128.00
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, lines=LINES,
                           offer=OfferPrice(offer_id=offer.pk, product_id=product.pk, price_fen=12800))
    browser = signed_in(merchant_actor)
    # when the merchant keeps the price, then raises it
    kept = browser.post(f"/merchant/offers/{product.pk}/", {"price": "128.00", "stock": "5", "active": "on"},
                        follow=True).content.decode()
    raised = browser.post(f"/merchant/offers/{product.pk}/", {"price": "138.00", "stock": "5", "active": "on"},
                          follow=True).content.decode()
    # then only the raise is flagged
    assert "与新售价" not in kept
    assert "成本构成按售价 ¥128.00 公布，与新售价 ¥138.00 不符" in raised

"""The cost section on the consumer pages (product, lot, item; rendered on demand and published as files) after the
price changes: "与现价不符，商家尚未更新" with both prices until the merchant re-signs, never the old price as the
price (ADR 0035)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from xinren.costs.models import CostBreakdown
from xinren.costs.prices import OfferPrice
from xinren.costs.services import cost_breakdown_publish
from xinren.orders.models import Offer
from xinren.orders.services import offer_save

from ..factories import BatchFactory, ItemFactory

pytestmark = pytest.mark.django_db

LINES = {"raw_material": "52.00", "processing": "9.60", "packaging": "8.40", "logistics": "26.00",
         "platform_fees": "7.70", "profit": "24.30"}
STALE = "与现价不符，商家尚未更新"


@pytest.fixture
def priced(merchant_actor, product, offer):  # type: ignore[no-untyped-def]
    """The product on sale at ¥128.00 with a lot, an item and a breakdown published against that price."""
    item = ItemFactory(batch=BatchFactory(product=product, lot="L20260801"), serial="SN0001")
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, lines=LINES,
                           offer=OfferPrice(offer_id=offer.pk, product_id=product.pk, price_fen=offer.price_fen))
    return item


def _paths(item) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.batch.product.digital_link.path, item.batch.digital_link.path, item.digital_link.path]


def _section(html: str) -> str:
    start = html.index('<section class="card costs"')
    return html[start:html.index("</section>", start)]


def test_a_fresh_breakdown_is_shown_as_the_price(priced):
    for path in _paths(priced):
        # when
        html = _section(Client().get(path + "?lang=zh-hans").content.decode())
        # then
        assert "售价 ¥128.00" in html, path
        assert STALE not in html


def test_after_a_price_change_every_page_says_stale_with_both_prices(merchant_actor, product, priced):
    # given the price goes from ¥128.00 to ¥138.00
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    for path in _paths(priced):
        # when
        html = _section(Client().get(path + "?lang=zh-hans").content.decode())
        data = Client().get(path, HTTP_ACCEPT="application/json").json()["sections"]["costs"]
        # then
        assert STALE in html, path
        assert "按售价 ¥128.00 公布，商品现价 ¥138.00" in html
        assert "售价 ¥128.00</span>" not in html  # the old price is never the heading's price
        assert (data["price_state"], data["price_fen"], data["current_price_fen"]) == ("stale", 12800, 13800)


def test_re_signing_at_the_new_price_makes_it_current_and_names_the_old_version(merchant_actor, product, priced):
    # given
    offer = offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    # when
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, lines={**LINES, "profit": "34.30"},
                           offer=OfferPrice(offer_id=offer.pk, product_id=product.pk, price_fen=13800))
    html = _section(Client().get(priced.digital_link.path + "?lang=zh-hans").content.decode())
    # then
    assert STALE not in html
    assert "售价 ¥138.00" in html and "取代第 1 版" in html


def test_the_published_files_turn_stale_when_the_price_changes(settings, merchant_actor, product, priced):
    # given every page published as files
    call_command("publish_pages", "--all")
    item_dir = Path(settings.XINREN_PUBLISH_DIR) / priced.digital_link.path.lstrip("/")
    assert STALE not in (item_dir / "index.html").read_text()
    # when the price changes and the outbox is drained
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    call_command("publish_pages")
    # then the item's published page and JSON say so (the offer's own refresh reaches the item page too)
    assert STALE in (item_dir / "index.html").read_text()
    assert json.loads((item_dir / "index.json").read_text())["sections"]["costs"]["price_state"] == "stale"
    lot_dir = Path(settings.XINREN_PUBLISH_DIR) / priced.batch.digital_link.path.lstrip("/")
    assert STALE in (lot_dir / "index.html").read_text()


def test_a_product_off_sale_shows_the_published_price_as_such(product, offer, priced):
    # given
    Offer.objects.filter(pk=offer.pk).update(active=False)
    # when
    html = _section(Client().get(priced.digital_link.path + "?lang=zh-hans").content.decode())
    # then
    assert "公布时售价 ¥128.00" in html and "该商品目前未在售" in html
    assert STALE not in html


def test_an_old_breakdown_with_another_total_shows_stale(product, offer):
    # given a breakdown stored before ADR 0035 at ¥68.00, on a product sold at ¥128.00
    CostBreakdown.objects.create(
        product=product, version=1, price_fen=6800, raw_material=3000, processing=850, packaging=450, logistics=1000,
        platform_fees=300, profit=1200, published_at="2026-08-01T00:00:00Z",
    )
    # when
    html = _section(Client().get(product.digital_link.path + "?lang=zh-hans").content.decode())
    # then
    assert STALE in html and "按售价 ¥68.00 公布，商品现价 ¥128.00" in html


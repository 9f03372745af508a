"""The lab scorecard and cost-bar sections on the consumer page: data, proof state, JSON, escaping."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductCategory, ProductStatus
from xinren.costs.prices import OfferPrice
from xinren.costs.services import cost_breakdown_publish
from xinren.lab.services import lab_report_issue
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.orders.models import Offer
from xinren.web.public.evidence_sections import costs_for, scorecard_for
from xinren.web.public.sections import sections_for

from ..factories import BatchFactory, actor_for, legacy_grant

SAMPLED = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LINES = {"raw_material": "30.00", "processing": "8.50", "packaging": "4.50", "logistics": "10.00",
         "platform_fees": "3.00", "profit": "12.00"}


@pytest.fixture
def markup_batch(merchant):  # type: ignore[no-untyped-def]
    """A lot of a product whose name holds markup, which the pages must escape."""
    return BatchFactory(
        product__merchant=merchant, product__category=ProductCategory.WILD_MUSHROOM,
        product__status=ProductStatus.ACTIVE, product__name="牛肝菌 <b>500g</b>", lot="L20260801",
    )


@pytest.fixture
def markup_offer(markup_batch) -> OfferPrice:  # type: ignore[no-untyped-def]
    """The lot's product on sale at ¥68.00, what LINES add up to."""
    offer = Offer.objects.create(merchant=markup_batch.product.merchant, product=markup_batch.product, price_fen=6800,
                                 stock=5)
    return OfferPrice(offer_id=offer.pk, product_id=offer.product_id, price_fen=offer.price_fen)


@pytest.fixture
def report(lab, merchant_admin, markup_batch):  # type: ignore[no-untyped-def]
    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    return lab_report_issue(
        actor=actor_for(lab, Role.STAFF), batch_id=markup_batch.pk, accreditation="CNAS L1234", sample_id="S-<1>",
        sampled_at=SAMPLED, method="GB 5009.12-2017",
        measurements=[
            {"indicator": "lead", "value": "0.15", "unit": "mg/kg"},
            {"indicator": "cadmium", "value": "ND", "unit": "mg/kg", "lod": "0.003"},
            {"indicator": "total_mercury", "value": "0.5", "unit": "mg/kg"},
        ],
    )


def test_scorecard_section_shows_each_indicator_against_its_limit(markup_batch, report):
    # given
    log_integrate_all()
    # when
    card = scorecard_for(product=markup_batch.product, batch=markup_batch)
    # then
    assert card is not None
    by_indicator = {row["indicator"]: row for row in card["indicators"]}
    assert by_indicator["lead"]["bar_percent"] == 50  # 0.15 of 0.3 mg/kg
    assert by_indicator["cadmium"]["bar_percent"] == 0  # not detected
    assert by_indicator["total_mercury"]["bar_percent"] == 100  # 0.5 over a 0.1 limit is capped
    assert card["exceeds"] is True
    assert card["overall_stars"] == 1
    assert card["proof"]["state"] == "verified"
    assert card["proof"]["signer"] == report.lab.name
    assert card["report_url"] == f"/api/v1/lab-reports/{report.pk}"
    assert {tip["name"] for tip in card["suggestions"]} >= {"总汞（以 Hg 计）"}


def test_scorecard_is_shown_on_lot_pages_only(markup_batch, report):
    # when / then
    assert scorecard_for(product=markup_batch.product, batch=None) is None
    assert scorecard_for(product=markup_batch.product, batch=BatchFactory(product=markup_batch.product,
                                                                          lot="OTHER")) is None


def test_cost_section_segments_add_up_to_the_price(merchant_actor, markup_batch, markup_offer):
    # given
    cost_breakdown_publish(actor=merchant_actor, product_id=markup_batch.product.pk, offer=markup_offer, lines=LINES)
    # when
    costs = costs_for(product=markup_batch.product, batch=None)
    # then
    assert costs is not None
    assert [line["fen"] for line in costs["lines"]] == [3000, 850, 450, 1000, 300, 1200]
    assert sum(line["fen"] for line in costs["lines"]) == costs["price_fen"] == 6800
    assert costs["proof"]["state"] == "pending"
    assert (costs["price_state"], costs["current_price_fen"]) == ("current", 6800)
    assert len({line["colour"] for line in costs["lines"]}) == 6


def test_no_sections_without_evidence(markup_batch):
    # when / then
    assert "scorecard" not in sections_for(product=markup_batch.product, batch=markup_batch)
    assert "costs" not in sections_for(product=markup_batch.product, batch=markup_batch)


def test_item_page_and_json_carry_the_sections_escaped(markup_batch, report, merchant_actor, markup_offer):
    # given
    cost_breakdown_publish(actor=merchant_actor, product_id=markup_batch.product.pk, offer=markup_offer, lines=LINES)
    log_integrate_all()
    path = f"/01/{markup_batch.product.gtin}/10/{markup_batch.lot}"
    # when
    page = Client().get(path + "?lang=zh-hans")
    data = Client().get(path, HTTP_ACCEPT="application/json").json()
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "检测报告专区" in html and "成本透明" in html
    assert "S-&lt;1&gt;" in html and "S-<1>" not in html
    assert data["sections"]["scorecard"]["sample_id"] == "S-<1>"
    assert data["sections"]["costs"]["price_fen"] == 6800
    json.dumps(data)

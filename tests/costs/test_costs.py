"""Publishing cost breakdowns against the offer's price: sums, refusals, versions that supersede, permissions,
signing, and the chart-ready current breakdown held against the price now (ADR 0035)."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.core.errors import DomainError
from xinren.core.models import PageRefresh
from xinren.costs.models import COST_LINES, CostBreakdown
from xinren.costs.prices import OfferPrice, lines_for_price
from xinren.costs.selectors import cost_breakdown_current, cost_public_product
from xinren.costs.services import cost_breakdown_publish
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.orders.models import Offer
from xinren.orders.services import offer_save

from ..factories import ProductFactory, actor_for

# The demo's ¥128.00 mushrooms: 52.00 + 9.60 + 8.40 + 26.00 + 7.70 + 24.30.
LINES = {"raw_material": "52.00", "processing": "9.60", "packaging": "8.40", "logistics": "26.00",
         "platform_fees": "7.70", "profit": "24.30"}
# What was accepted before: ¥68.00 of lines on a product sold at ¥128.00.
LINES_68 = {"raw_material": "30.00", "processing": "8.50", "packaging": "4.50", "logistics": "10.00",
            "platform_fees": "3.00", "profit": "12.00"}


def price_of(offer: Offer) -> OfferPrice:
    return OfferPrice(offer_id=offer.pk, product_id=offer.product_id, price_fen=offer.price_fen)


def _counts() -> tuple[int, int, int]:
    return CostBreakdown.objects.count(), PendingEntry.objects.count(), PageRefresh.objects.count()


def _statement(breakdown: CostBreakdown) -> dict:  # type: ignore[type-arg]
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(breakdown.ledger_leaf_hash))
    return json.loads(parse_envelope(bytes(pending.envelope)).payload)


def test_publish_signs_the_offer_and_the_price_it_is_published_against(merchant_actor, product, offer):
    # given the product on sale at ¥128.00
    PageRefresh.objects.all().delete()
    # when
    breakdown = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    # then
    assert (breakdown.version, breakdown.price_fen, breakdown.offer_id, breakdown.supersedes_id, breakdown.raw_material,
            breakdown.processing, breakdown.packaging, breakdown.logistics, breakdown.platform_fees,
            breakdown.profit) == (1, 12800, offer.pk, None, 5200, 960, 840, 2600, 770, 2430)
    assert _statement(breakdown) == {
        "type": "cost.breakdown",
        "subject": f"http://127.0.0.1:8000/01/{product.gtin}",
        "merchant": f"org:{merchant_actor.organization.pk}",
        "gtin": product.gtin,
        "version": 1,
        "currency": "CNY",
        "price_fen": 12800,
        "offer": f"offer:{offer.pk}",
        "lines_fen": {"raw_material": 5200, "processing": 960, "packaging": 840, "logistics": 2600,
                      "platform_fees": 770, "profit": 2430},
        "time": breakdown.published_at.isoformat(),
    }
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("product", product.pk)]


def test_lines_that_do_not_add_up_to_the_offer_price_are_refused_with_both_amounts(merchant_actor, product, offer):
    # given ¥68.00 of lines on a product sold at ¥128.00 (what was accepted and shown as "售价 ¥68.00")
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES_68)
    # then nothing is signed
    assert (caught.value.code, caught.value.status) == ("cost_breakdown.sum_mismatch", 422)
    assert str(caught.value.message) == "各项成本合计 ¥68.00，与售价 ¥128.00 不符"
    assert caught.value.details == {"price_fen": 12800, "sum_fen": 6800, "difference_fen": -6000,
                                    "offer": f"offer:{offer.pk}"}
    assert _counts() == before


def test_a_price_the_merchant_names_is_not_taken_over_the_offers(merchant_actor, product, offer):
    # given lines and a price of ¥68.00 that agree with each other but not with the offer's ¥128.00
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES_68,
                               price="68.00")
    # then
    assert caught.value.code == "cost_breakdown.sum_mismatch"
    assert str(caught.value.message) == "各项成本合计 ¥68.00，与售价 ¥128.00 不符"
    assert _counts() == before


def test_a_form_filled_in_against_an_old_price_is_refused(merchant_actor, product, offer):
    # given the form was shown at ¥120.00 and the price is ¥128.00 by the time it is sent
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES,
                               price="120.00")
    # then
    assert (caught.value.code, caught.value.status) == ("cost_breakdown.price_changed", 409)
    assert str(caught.value.message) == "售价已变为 ¥128.00（表单按 ¥120.00 填写），请按现价核对各项成本"
    assert _counts() == before


def test_a_product_without_a_price_has_nothing_to_publish_against(merchant_actor, product):
    # given no offer
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=None, lines=LINES)
    # then
    assert (caught.value.code, caught.value.status) == ("cost_breakdown.no_offer", 422)
    assert _counts() == before


@pytest.mark.parametrize(
    ("price", "lines", "code"),
    [
        (None, {**LINES, "profit": "-1.00", "raw_material": "77.30"}, "cost_breakdown.lines_invalid"),
        (None, {k: v for k, v in LINES.items() if k != "profit"}, "cost_breakdown.lines_invalid"),
        (None, {**LINES, "marketing": "0"}, "cost_breakdown.lines_invalid"),
        ("0", LINES, "cost_breakdown.price_invalid"),
        ("128.001", LINES, "money.sub_fen"),
        (None, {**LINES, "profit": "24.301"}, "money.sub_fen"),
        ("abc", LINES, "money.invalid"),
    ],
)
def test_invalid_breakdown_is_refused(merchant_actor, product, offer, price, lines, code):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=lines,
                               price=price)
    # then
    assert caught.value.code == code
    assert _counts() == before


def test_a_new_version_for_a_new_price_names_the_one_it_supersedes(merchant_actor, product, offer):
    # given v1 at ¥128.00, then the price goes up to ¥138.00
    first = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    offer = offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    # when the merchant re-signs at the new price
    second = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer),
                                    lines={**LINES, "profit": "34.30"}, price="138.00")
    # then v2 names v1, in the row and in the signed statement; v1 is unchanged
    first.refresh_from_db()
    assert (first.version, first.price_fen, first.profit) == (1, 12800, 2430)
    assert (second.version, second.price_fen, second.profit, second.supersedes_id) == (2, 13800, 3430, first.pk)
    statement = _statement(second)
    assert (statement["corrects"], statement["price_fen"], statement["offer"]) == (
        first.ledger_leaf_hash, 13800, f"offer:{offer.pk}"
    )
    current = cost_breakdown_current(product=product, current_price_fen=13800)
    assert current is not None
    assert (current["version"], current["supersedes_version"], current["price_state"]) == (2, 1, "current")


def test_a_version_is_superseded_once(merchant_actor, product, offer):
    # given v1 and v2 that supersedes it
    first = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    # when / then a second successor of v1 is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        CostBreakdown.objects.create(
            product=product, version=3, price_fen=100, raw_material=100, processing=0, packaging=0, logistics=0,
            platform_fees=0, profit=0, published_at="2026-08-01T00:00:00Z", supersedes=first,
        )


def test_other_merchant_is_refused(other_actor, product, offer):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=other_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    # then
    assert (caught.value.code, caught.value.status) == ("product.not_found", 404)
    assert _counts() == before


def test_viewer_and_lab_are_refused(merchant, lab, product, offer):
    # given
    before = _counts()
    # when / then
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=actor_for(merchant, Role.VIEWER), product_id=product.pk, offer=price_of(offer),
                               lines=LINES)
    assert caught.value.code == "permission.role"
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=actor_for(lab, Role.ADMIN), product_id=product.pk, offer=price_of(offer),
                               lines=LINES)
    assert caught.value.code == "permission.organization_kind"
    assert _counts() == before


def test_current_breakdown_gives_percentages_and_the_price_state(merchant_actor, product, offer):
    # given
    breakdown = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    # when
    current = cost_breakdown_current(product=product, current_price_fen=12800)
    # then
    assert current is not None
    assert (current["version"], current["price_fen"], current["price_yuan"], current["leaf_hash"], current["offer_id"],
            current["price_state"], current["current_price_fen"], current["current_price_yuan"]) == (
        1, 12800, "128.00", breakdown.ledger_leaf_hash, offer.pk, "current", 12800, "128.00"
    )
    assert [(line["line"], line["label"], line["fen"], line["yuan"], line["percent"]) for line in current["lines"]] == [
        ("raw_material", "原料", 5200, "52.00", "40.6"),
        ("processing", "加工", 960, "9.60", "7.5"),
        ("packaging", "包装", 840, "8.40", "6.6"),
        ("logistics", "物流", 2600, "26.00", "20.3"),
        ("platform_fees", "平台费用", 770, "7.70", "6.0"),
        ("profit", "利润", 2430, "24.30", "19.0"),
    ]
    json.dumps(current)


def test_a_breakdown_after_a_price_change_is_stale_and_says_both_prices(merchant_actor, product, offer):
    # given
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    # when
    stale = cost_breakdown_current(product=product, current_price_fen=13800)
    off_sale = cost_breakdown_current(product=product, current_price_fen=None)
    # then
    assert stale is not None and off_sale is not None
    assert (stale["price_state"], stale["price_yuan"], stale["current_price_yuan"]) == ("stale", "128.00", "138.00")
    assert (off_sale["price_state"], off_sale["current_price_fen"]) == ("not_for_sale", None)


def test_an_old_breakdown_without_an_offer_is_held_against_the_price_by_its_total(product):
    # given a breakdown stored before ADR 0035: no offer, no predecessor, its price its lines' total
    CostBreakdown.objects.create(
        product=product, version=1, price_fen=6800, raw_material=3000, processing=850, packaging=450, logistics=1000,
        platform_fees=300, profit=1200, published_at="2026-08-01T00:00:00Z",
    )
    # when
    at_128 = cost_breakdown_current(product=product, current_price_fen=12800)
    at_68 = cost_breakdown_current(product=product, current_price_fen=6800)
    # then
    assert at_128 is not None and at_68 is not None
    assert (at_128["price_state"], at_128["offer_id"], at_128["supersedes_version"]) == ("stale", None, None)
    assert at_68["price_state"] == "current"


def test_changing_the_price_queues_every_page_that_shows_the_breakdown(merchant_actor, product, offer):
    # given
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    PageRefresh.objects.all().delete()
    # when only the stock changes, then the price
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=12800, stock=50)
    stock_only = sorted(PageRefresh.objects.values_list("kind", "object_id"))
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=50)
    # then the product's lots and items (kind "product" fans out to them) are queued only for the price
    assert stock_only == [("page", product.pk)]
    assert sorted(PageRefresh.objects.values_list("kind", "object_id")) == [
        ("page", product.pk), ("page", product.pk), ("product", product.pk)
    ]


def test_a_price_change_without_a_breakdown_queues_only_the_product_page(merchant_actor, product, offer):
    # given no breakdown
    PageRefresh.objects.all().delete()
    # when
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    # then
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("page", product.pk)]


def test_public_product_hides_drafts_and_products_without_a_breakdown(merchant_actor, product, offer, merchant):
    # given a published product with a breakdown, a draft with one and a published one without
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, offer=price_of(offer), lines=LINES)
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    draft_offer = Offer.objects.create(merchant=merchant, product=draft, price_fen=12800, stock=1)
    cost_breakdown_publish(actor=merchant_actor, product_id=draft.pk, offer=price_of(draft_offer), lines=LINES)
    bare = ProductFactory(merchant=merchant)
    # when / then
    assert cost_public_product(product_id=product.pk) == product
    for product_id in (draft.pk, bare.pk):
        with pytest.raises(DomainError) as caught:
            cost_public_product(product_id=product_id)
        assert (caught.value.code, caught.value.status) == ("cost_breakdown.not_found", 404)


def test_database_refuses_a_breakdown_that_does_not_add_up(product):
    # given / when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        CostBreakdown.objects.create(
            product=product, version=1, price_fen=100, raw_material=50, processing=0, packaging=0, logistics=0,
            platform_fees=0, profit=49, published_at="2026-08-01T00:00:00Z", ledger_leaf_hash="0" * 64,
        )
    assert CostBreakdown.objects.count() == 0


def test_the_suggestion_for_a_higher_price_puts_the_difference_in_the_profit():
    # given / when
    lines = lines_for_price(lines={"raw_material": 5200, "processing": 960, "packaging": 840, "logistics": 2600,
                                   "platform_fees": 770, "profit": 2430}, price_fen=13800)
    # then
    assert lines == {"raw_material": 5200, "processing": 960, "packaging": 840, "logistics": 2600,
                     "platform_fees": 770, "profit": 3430}


def test_the_suggestion_below_the_costs_scales_every_line():
    # given lines of ¥100.00 and a new price of ¥50.00: a profit of ¥9.99 cannot absorb ¥50.00 less
    lines = lines_for_price(lines={"raw_material": 6001, "processing": 1000, "packaging": 1000, "logistics": 1000,
                                   "platform_fees": 0, "profit": 999}, price_fen=5000)
    # then every line is halved, the odd fen going to the largest remainder (the first line on a tie)
    assert lines == {"raw_material": 3001, "processing": 500, "packaging": 500, "logistics": 500,
                     "platform_fees": 0, "profit": 499}


@given(
    lines=st.fixed_dictionaries({name: st.integers(min_value=0, max_value=10**7) for name in COST_LINES}),
    price_fen=st.integers(min_value=1, max_value=10**8),
)
def test_the_suggestion_always_adds_up_to_the_new_price_without_negative_lines(lines, price_fen):
    suggested = lines_for_price(lines=lines, price_fen=price_fen)
    assert sum(suggested.values()) == price_fen
    assert min(suggested.values()) >= 0
    assert set(suggested) == set(COST_LINES)

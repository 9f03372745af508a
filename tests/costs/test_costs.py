"""Publishing cost breakdowns: sums, versions, permissions, signing, and the chart-ready current breakdown."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.core.errors import DomainError
from xinren.core.models import PageRefresh
from xinren.costs.models import CostBreakdown
from xinren.costs.selectors import cost_breakdown_current, cost_breakdown_public
from xinren.costs.services import cost_breakdown_publish
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry

from ..factories import ProductFactory, actor_for

LINES = {"raw_material": "30.00", "processing": "8.50", "packaging": "4.50", "logistics": "10.00",
         "platform_fees": "3.00", "profit": "12.00"}


def _counts() -> tuple[int, int, int]:
    return CostBreakdown.objects.count(), PendingEntry.objects.count(), PageRefresh.objects.count()


def test_publish_stores_fen_and_signs_the_breakdown(merchant_actor, product):
    # given / when
    breakdown = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="68.00", lines=LINES)
    # then
    assert (breakdown.version, breakdown.price_fen, breakdown.raw_material, breakdown.processing,
            breakdown.packaging, breakdown.logistics, breakdown.platform_fees, breakdown.profit) == (
        1, 6800, 3000, 850, 450, 1000, 300, 1200
    )
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(breakdown.ledger_leaf_hash))
    statement = json.loads(parse_envelope(bytes(pending.envelope)).payload)
    assert pending.statement_type == "cost.breakdown"
    assert statement == {
        "type": "cost.breakdown",
        "subject": f"http://127.0.0.1:8000/01/{product.gtin}",
        "merchant": f"org:{merchant_actor.organization.pk}",
        "gtin": product.gtin,
        "version": 1,
        "currency": "CNY",
        "price_fen": 6800,
        "lines_fen": {"raw_material": 3000, "processing": 850, "packaging": 450, "logistics": 1000,
                      "platform_fees": 300, "profit": 1200},
        "time": breakdown.published_at.isoformat(),
    }
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("product", product.pk)]


def test_sum_mismatch_is_refused_with_the_difference(merchant_actor, product):
    # given lines that add up to 68.01 for a price of 68.00
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="68.00",
                               lines={**LINES, "profit": "12.01"})
    # then
    assert caught.value.code == "cost_breakdown.sum_mismatch"
    assert caught.value.details == {"price_fen": 6800, "sum_fen": 6801, "difference_fen": 1}
    assert "0.01" in str(caught.value.message)
    assert _counts() == before


@pytest.mark.parametrize(
    ("price", "lines", "code"),
    [
        ("68.00", {**LINES, "profit": "-1.00", "raw_material": "43.00"}, "cost_breakdown.lines_invalid"),
        ("68.00", {k: v for k, v in LINES.items() if k != "profit"}, "cost_breakdown.lines_invalid"),
        ("68.00", {**LINES, "marketing": "0"}, "cost_breakdown.lines_invalid"),
        ("0", dict.fromkeys(LINES, "0"), "cost_breakdown.price_invalid"),
        ("68.001", LINES, "money.sub_fen"),
        ("abc", LINES, "money.invalid"),
    ],
)
def test_invalid_breakdown_is_refused(merchant_actor, product, price, lines, code):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price=price, lines=lines)
    # then
    assert caught.value.code == code
    assert _counts() == before


def test_each_publication_is_a_new_version(merchant_actor, product):
    # given
    first = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="68.00", lines=LINES)
    # when the price changes
    second = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="70.00",
                                    lines={**LINES, "profit": "14.00"})
    # then the first is kept unchanged and the current one is the second
    first.refresh_from_db()
    assert (first.version, first.price_fen, first.profit) == (1, 6800, 1200)
    assert (second.version, second.price_fen, second.profit) == (2, 7000, 1400)
    assert first.ledger_leaf_hash != second.ledger_leaf_hash
    current = cost_breakdown_current(product=product)
    assert current is not None and current["version"] == 2


def test_other_merchant_is_refused(other_actor, product):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=other_actor, product_id=product.pk, price="68.00", lines=LINES)
    # then
    assert (caught.value.code, caught.value.status) == ("product.not_found", 404)
    assert _counts() == before


def test_viewer_and_lab_are_refused(merchant, lab, product):
    # given
    before = _counts()
    # when / then
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=actor_for(merchant, Role.VIEWER), product_id=product.pk, price="68.00",
                               lines=LINES)
    assert caught.value.code == "permission.role"
    with pytest.raises(DomainError) as caught:
        cost_breakdown_publish(actor=actor_for(lab, Role.ADMIN), product_id=product.pk, price="68.00", lines=LINES)
    assert caught.value.code == "permission.organization_kind"
    assert _counts() == before


def test_current_breakdown_gives_percentages_for_a_chart(merchant_actor, product):
    # given
    breakdown = cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="68.00", lines=LINES)
    # when
    current = cost_breakdown_current(product=product)
    # then
    assert current is not None
    assert (current["version"], current["price_fen"], current["price_yuan"], current["leaf_hash"]) == (
        1, 6800, "68.00", breakdown.ledger_leaf_hash
    )
    assert [(line["line"], line["label"], line["fen"], line["yuan"], line["percent"]) for line in current["lines"]] == [
        ("raw_material", "原料", 3000, "30.00", "44.1"),
        ("processing", "加工", 850, "8.50", "12.5"),
        ("packaging", "包装", 450, "4.50", "6.6"),
        ("logistics", "物流", 1000, "10.00", "14.7"),
        ("platform_fees", "平台费用", 300, "3.00", "4.4"),
        ("profit", "利润", 1200, "12.00", "17.6"),
    ]
    json.dumps(current)


def test_public_read_hides_drafts_and_missing(merchant_actor, product, merchant):
    # given a published product with a breakdown and a draft one with a breakdown
    cost_breakdown_publish(actor=merchant_actor, product_id=product.pk, price="68.00", lines=LINES)
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    cost_breakdown_publish(actor=merchant_actor, product_id=draft.pk, price="68.00", lines=LINES)
    bare = ProductFactory(merchant=merchant)
    # when / then
    assert cost_breakdown_public(product_id=product.pk)["version"] == 1
    for product_id in (draft.pk, bare.pk):
        with pytest.raises(DomainError) as caught:
            cost_breakdown_public(product_id=product_id)
        assert (caught.value.code, caught.value.status) == ("cost_breakdown.not_found", 404)


def test_database_refuses_a_breakdown_that_does_not_add_up(product):
    # given / when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        CostBreakdown.objects.create(
            product=product, version=1, price_fen=100, raw_material=50, processing=0, packaging=0, logistics=0,
            platform_fees=0, profit=49, published_at="2026-08-01T00:00:00Z", ledger_leaf_hash="0" * 64,
        )
    assert CostBreakdown.objects.count() == 0

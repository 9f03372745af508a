"""The 坏单包赔 rule set: every condition reported, all must pass to pay without the merchant."""

from __future__ import annotations

import dataclasses

from xinren.aftersales.choices import Kind, Outcome
from xinren.aftersales.rules import BAD_ORDER, ClaimFacts, bad_order_evaluate

FACTS = ClaimFacts(kind=Kind.DAMAGED, category="fruit", photos=2, amount_fen=3000, level_cap_fen=5000, rejected=0,
                   upheld_claims_30d=0, merchant_active=True)


def test_a_photographed_fresh_claim_within_the_cap_is_approved():
    result = bad_order_evaluate(FACTS)
    assert (result.outcome, result.failed, result.rule.version) == (Outcome.APPROVE, [], BAD_ORDER.version)
    assert [c["id"] for c in result.conditions] == [
        "kind", "category", "photos", "amount_cap", "consumer_rejected", "consumer_recent_claims", "merchant_active"]


def test_each_failing_condition_routes_the_claim_to_the_merchant():
    cases = {
        "kind": {"kind": Kind.QUALITY}, "category": {"category": "tea"}, "photos": {"photos": 0},
        "amount_cap": {"amount_fen": 5001}, "consumer_rejected": {"rejected": 2},
        "consumer_recent_claims": {"upheld_claims_30d": 3}, "merchant_active": {"merchant_active": False},
    }
    for condition, change in cases.items():
        result = bad_order_evaluate(dataclasses.replace(FACTS, **change))  # type: ignore[arg-type]
        assert (result.outcome, result.failed) == (Outcome.ROUTE, [condition])


def test_each_checked_condition_reads_in_words() -> None:
    from xinren.aftersales.rules import CONDITION_LABELS, condition_words

    assert condition_words({"id": "amount_cap", "passed": True, "value": "3000/5000"}).endswith(
        "（申请 ¥30.00，上限 ¥50.00）")
    category = condition_words({"id": "category", "passed": True, "value": "wild_mushroom"})
    assert category == "品类在坏单包赔范围内（野生菌）"
    assert condition_words({"id": "merchant_active", "passed": False, "value": False}).endswith("（否）")
    # every condition the rules check has words
    facts_ids = {"kind", "category", "photos", "amount_cap", "consumer_rejected", "consumer_recent_claims",
                 "merchant_active"}
    assert facts_ids == set(CONDITION_LABELS)

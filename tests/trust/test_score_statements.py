"""`trust.score` statements: public-safe inputs, folded reviews that still fit a log entry, signing only changes."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.attest.proofs import envelope_statement
from xinren.ledger.dsse import sign_envelope
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.services import MAX_ENTRY_SIZE, statement_bytes
from xinren.trust.models import ProductScore
from xinren.trust.scores.explain import (
    FOLDED,
    compact,
    formula_inputs,
    public_inputs,
    reviews_digest,
    shown,
    statement_recompute,
)
from xinren.trust.scores.formula import CURRENT_VERSION, product_score
from xinren.trust.scores.services import product_score_refresh
from xinren.trust.scores.statements import TRUST_SCORE, score_statement

LEAF = "ab" * 32


def _inputs(reviews: int, *, seed: int = 7) -> dict:
    rng = random.Random(seed)
    return {
        "lab_reports": [{"report": "2f1c0a52-8a8e-4a7e-9c55-0b0c7c1d2e3f", "stars": 4, "age_days": 40.5}],
        "labels": ["origin_direct"],
        "coldchain": {"legs": 2, "excursions": 1, "kept": 3, "broken": 0},
        "reviews": [
            {
                "buyer": str(1000 + rng.randrange(reviews // 2 + 1)),
                "stars": rng.randint(1, 5),
                "age_days": round(rng.uniform(0, 700), 3),
                "quality": rng.choice([None, 35, 80, 100]),
            }
            for _ in range(reviews)
        ],
        "category_mean": 4.213,
        "orders_delivered": 40 + reviews,
        "claims_upheld": 2,
        "refund_hours_median": 30.5,
        "disputes_lost": 0,
        "credit": {
            "qualifications": 1,
            "on_probation": False,
            "risk_band": "ok",
            "deposit_fen": 500000,
            "insured": True,
            "open_suspensions": 0,
        },
    }


def _row(inputs: dict) -> ProductScore:
    result = product_score(inputs, CURRENT_VERSION)
    return ProductScore(version=CURRENT_VERSION, score=result["score"], components=result["components"],
                        inputs=inputs, computed_at=dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC))  # fmt: skip


def _statement(inputs: dict, sources: list[str] | None) -> dict:
    public, folded = public_inputs(inputs, CURRENT_VERSION, review_sources=sources)
    row = _row(inputs)
    source_lists = {} if folded or sources is None else {"reviews": sources}
    return score_statement(row=row, gtin="06975830200019", inputs=public, folded=folded, sources=source_lists)


def test_a_few_reviews_are_listed_with_buyers_numbered_and_no_deposit_amount():
    # given
    inputs = _inputs(12)
    # when
    statement = _statement(inputs, [LEAF] * 12)
    # then
    TRUST_SCORE.check(statement | {"time": "2026-12-07T08:00:00+00:00"}, signer_kind="platform")
    assert statement["reviews_folded"] is False
    rows = statement["inputs"]["reviews"]
    assert len(rows) == 12 and rows[0][0] == 0
    assert {str(r["buyer"]) for r in inputs["reviews"]}.isdisjoint({str(row[0]) for row in rows})
    assert "1000" not in compact(statement["inputs"]["reviews"])
    assert statement["inputs"]["credit"]["deposit"] is True and "deposit_fen" not in statement["inputs"]["credit"]
    assert statement_recompute(statement)["score"] == product_score(inputs)["score"]
    assert shown(statement_recompute(statement)) == shown(statement)
    assert formula_inputs(statement["inputs"])["credit"]["deposit_fen"] == 1


@pytest.mark.parametrize("reviews", [600, 5000])
def test_thousands_of_reviews_fold_into_statistics_that_still_fit_a_log_entry(reviews):
    # given
    inputs = _inputs(reviews)
    sources = [f"{n:064x}" for n in range(reviews)]
    # when
    statement = _statement(inputs, sources)
    envelope = sign_envelope(statement_bytes(statement), key=Ed25519PrivateKey.generate(), keyid="k").to_json()
    # then
    assert statement["reviews_folded"] is True
    fold = statement["inputs"]["reviews"][FOLDED]
    assert fold["total"] == reviews
    assert fold["digest"] == reviews_digest(sources)
    assert len(envelope) < MAX_ENTRY_SIZE
    expected = product_score(inputs)
    recomputed = statement_recompute(statement)
    assert recomputed["score"] == expected["score"]
    assert recomputed["components"]["reviews"] == expected["components"]["reviews"]
    assert shown(recomputed) == shown(expected) == shown(statement)


def test_a_folded_statement_with_one_review_changed_no_longer_recomputes():
    # given
    statement = _statement(_inputs(5000), None)
    # when
    statement["inputs"]["reviews"][FOLDED]["weighted_sum"] += 40.0
    # then
    assert shown(statement_recompute(statement)) != shown(statement)


def _score_entries() -> int:
    return (
        LogEntry.objects.filter(statement_type="trust.score").count()
        + PendingEntry.objects.filter(statement_type="trust.score").count()
    )


@pytest.mark.django_db
def test_every_demo_score_is_signed_and_an_unchanged_refresh_signs_nothing(demo_world):
    # given
    rows = list(ProductScore.objects.select_related("product"))
    assert rows and all(row.leaf_hash for row in rows)
    row = rows[0]
    before = _score_entries()
    # when an unchanged refresh
    product_score_refresh(row.product)
    # then
    assert _score_entries() == before
    # when the row has no statement yet
    ProductScore.objects.filter(pk=row.pk).update(leaf_hash="")
    refreshed = product_score_refresh(row.product)
    # then exactly one new statement, naming the product and kept on the row
    assert _score_entries() == before + 1
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(refreshed.leaf_hash))
    statement = envelope_statement(bytes(pending.envelope))
    assert statement is not None
    assert (statement["subject"], statement["gtin"]) == (row.product.gtin, row.product.gtin)
    assert statement["score"] == (None if refreshed.score is None else str(refreshed.score))
    assert "buyer" not in compact(statement["inputs"])

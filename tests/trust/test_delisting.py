"""Delisting at 95 % confidence (ADR 0052): the uncertainty's worked examples, the rule, the appeal, the decision,
automatic relisting, and the demo left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from tests.fixtures.immutable import tampering
from xinren.accounts.choices import OrganizationKind, Role
from xinren.attest.audit import records_reconcile
from xinren.catalog.models import ListingSuspension, Product
from xinren.catalog.suspensions import product_is_suspended
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.ledger.store.models import PendingEntry
from xinren.trust.delisting.events import DELISTED
from xinren.trust.delisting.policy import POLICIES
from xinren.trust.delisting.rule import evidence_met, judge
from xinren.trust.delisting.services import appeal_decide, appeal_submit
from xinren.trust.delisting.statements import APPEAL_DECISION_RECORD, APPEAL_RECORD, DELISTING_RECORD
from xinren.trust.models import Delisting, DelistingAppeal, DelistingEntry, ProductScore
from xinren.trust.scores.formula import CURRENT_VERSION, product_score, score_uncertainty
from xinren.trust.scores.hooks import StoredScore, scores_stored

from ..factories import OrganizationFactory, ProductFactory, actor_for

COMPUTED_AT = dt.datetime.fromisoformat("2026-12-07T08:00:00+08:00")

POLICY = {"version": "2026.1", **POLICIES["2026.1"]}


def _reviews(n: int, stars: int) -> list[dict[str, Any]]:
    return [{"buyer": str(i), "stars": stars, "age_days": 0, "quality": None} for i in range(n)]


THREE_BAD = {"reviews": _reviews(3, 1), "credit": {}}
MANY_BAD = {"reviews": _reviews(20, 1), "orders_delivered": 40, "claims_upheld": 20, "credit": {}}
LAB_ONLY = {"lab_reports": [{"report": "a", "stars": 5, "age_days": 0}, {"report": "b", "stars": 3, "age_days": 0}],
            "credit": {}}  # fmt: skip


def _store(product: Product, inputs: dict[str, Any]) -> ProductScore:
    """Store a score row from these inputs, as the refresh does, and run the hook."""
    result = product_score(inputs, CURRENT_VERSION)
    row, _ = ProductScore.objects.update_or_create(
        product=product,
        version=CURRENT_VERSION,
        defaults={
            "score": result["score"],
            "components": result["components"],
            "inputs": inputs,
            "computed_at": COMPUTED_AT,
        },
    )
    scores_stored([StoredScore(row=row, changed=True)])
    return row


# -- uncertainty: worked examples (docs/trust-model.md, "Delisting") ----------------------------------------------


def test_three_one_star_reviews_give_sd_0_34_and_an_upper_bound_above_the_bar():
    # when
    bounds = score_uncertainty(THREE_BAD)
    # then mean (7·4 + 3·1)/10 = 3.1; sd_reviews = √((7·1 + 3·2.1²)/10²) = 0.4498; score (30·3.1 + 10·2.5)/40
    assert product_score(THREE_BAD)["score"] == Decimal("2.95")
    assert bounds["components"] == {"quality": None, "reviews": 0.4498, "aftersales": None, "credit": 0.0}
    assert round(bounds["sd"], 6) == 0.337333  # 30/40 · 0.4498
    assert (bounds["upper"], bounds["lower"]) == (Decimal("3.50"), Decimal("2.40"))


def test_many_bad_reviews_and_half_the_orders_claimed_give_an_upper_bound_of_2_32():
    # when
    bounds = score_uncertainty(MANY_BAD)
    # then
    assert product_score(MANY_BAD)["score"] == Decimal("2.11")
    assert bounds["components"] == {"quality": None, "reviews": 0.1619, "aftersales": 0.3021, "credit": 0.0}
    assert round(bounds["sd"], 6) == 0.129179
    assert (bounds["upper"], bounds["lower"]) == (Decimal("2.32"), Decimal("1.90"))


def test_lab_reports_spread_and_count_give_the_quality_sd():
    # when: stars 5 and 3, one pseudo-report of sd 1: s² = (1 + 1 + 1)/2 = 1.5; se = √(1.5/2); lab share .6/.8
    bounds = score_uncertainty(LAB_ONLY)
    # then
    assert bounds["components"]["quality"] == 0.6495
    assert bounds["components"]["reviews"] == 0.378  # the prior alone: √(7/7²)
    assert (bounds["upper"], bounds["lower"]) == (Decimal("3.89"), Decimal("2.73"))


def test_no_score_no_bounds():
    assert score_uncertainty({"reviews": _reviews(2, 1), "credit": {}})["sd"] is None


def test_the_rule_needs_the_evidence_and_the_upper_bound_below_the_bar():
    # then
    assert not evidence_met(THREE_BAD, POLICY)
    assert not judge(THREE_BAD, POLICY).delist
    assert evidence_met(MANY_BAD, POLICY)
    assert judge(MANY_BAD, POLICY).delist
    assert not judge(MANY_BAD, {**POLICY, "bar": Decimal("2.32")}).delist  # upper must be strictly below


# -- delisting through the score hook -----------------------------------------------------------------------------


@pytest.fixture
def product(db) -> Product:  # type: ignore[no-untyped-def]
    return ProductFactory()


@pytest.mark.django_db
def test_many_bad_reviews_and_upheld_claims_delist_the_product_once(product: Product):
    # when
    _store(product, MANY_BAD)
    # then
    delisting = Delisting.objects.get(product=product)
    assert (delisting.status, delisting.score, delisting.upper, delisting.bar) == (
        "delisted",
        Decimal("2.11"),
        Decimal("2.32"),
        Decimal("3.00"),
    )
    assert delisting.suspension.reason_code == "trust_score"
    assert product_is_suspended(product_id=product.pk)
    pending = PendingEntry.objects.filter(statement_type="trust.delisting")
    assert pending.count() == 1
    assert list(DelistingEntry.objects.values_list("kind", "leaf_hash")) == [("delisting", delisting.leaf_hash)]
    # when the score is stored again
    _store(product, {**MANY_BAD, "credit": {"open_suspensions": 1}})
    # then nothing more
    assert Delisting.objects.count() == 1 and pending.count() == 1
    assert ListingSuspension.objects.filter(product=product).count() == 1


@pytest.mark.django_db
def test_three_bad_reviews_do_not_delist(product: Product):
    # when
    _store(product, THREE_BAD)
    # then
    assert not Delisting.objects.exists()
    assert not product_is_suspended(product_id=product.pk)


@pytest.mark.django_db
def test_the_merchant_is_told(product: Product, monkeypatch: pytest.MonkeyPatch):
    # given
    announced: list[dict[str, Any]] = []
    monkeypatch.setattr(DELISTED, "announce", lambda **kw: announced.append(kw) or 1)
    # when
    _store(product, MANY_BAD)
    # then
    assert announced == [{"delisting_id": Delisting.objects.get().pk}]


@pytest.mark.django_db
def test_a_recovered_score_relists_and_closes_the_open_appeal(product: Product):
    # given a delisted product with an open appeal
    _store(product, MANY_BAD)
    merchant = actor_for(product.merchant)
    appeal = appeal_submit(actor=merchant, delisting_id=Delisting.objects.get().pk, reason="已更换供应商")
    # when the score recovers (its own suspension does not count against it)
    good = {"reviews": _reviews(40, 5), "orders_delivered": 40, "claims_upheld": 0, "credit": {"open_suspensions": 1}}
    _store(product, good)
    # then
    delisting = Delisting.objects.get()
    assert delisting.status == "relisted"
    assert not product_is_suspended(product_id=product.pk)
    appeal.refresh_from_db()
    assert appeal.status == "closed"
    relisting = DelistingEntry.objects.get(kind="relisting")
    assert relisting.data["cause"] == "score_recovered"
    assert PendingEntry.objects.filter(statement_type="trust.relisting").count() == 1


@pytest.mark.django_db
def test_the_merchants_owners_get_the_breakdown_in_their_inbox(product: Product):
    from xinren.accounts.models import Membership
    from xinren.notify import sources
    from xinren.notify.kinds import body_render
    from xinren.notify.models import Notification

    # given an owner and a staff member
    owner = actor_for(product.merchant, Role.OWNER)
    actor_for(product.merchant, Role.STAFF)
    _store(product, MANY_BAD)
    # when
    sources.trust_delisted(delisting_id=Delisting.objects.get().pk)
    # then
    notice = Notification.objects.get()
    assert notice.user_id == owner.user.pk and Membership.objects.count() == 2
    assert notice.link == "/merchant/trust-scores/"
    assert body_render(notice.kind, notice.params) == (
        f"「{product.name}」的信任分 2.11（质量 —、评价 1.78、售后 2.41、商家信用 2.50），有 95% 的把握低于 3.00"
        "（上限 2.32），已自动下架。可查看每项的提升办法，并提出申诉。"
    )


# -- appeal and decision ------------------------------------------------------------------------------------------


@pytest.fixture
def delisting(product: Product) -> Delisting:
    _store(product, MANY_BAD)
    return Delisting.objects.get(product=product)


@pytest.fixture
def operator(db):  # type: ignore[no-untyped-def]
    return actor_for(OrganizationFactory(kind=OrganizationKind.PLATFORM, uscc=""), Role.STAFF)


@pytest.mark.django_db
def test_the_merchant_appeals_once_and_signs_it(delisting: Delisting):
    # given
    merchant = actor_for(delisting.product.merchant)
    # when
    appeal = appeal_submit(actor=merchant, delisting_id=delisting.pk, reason="检测报告有误", evidence_note="附新报告")
    # then
    delisting.refresh_from_db()
    assert delisting.status == "appealed"
    entry = PendingEntry.objects.get(statement_type="trust.appeal")
    assert bytes(entry.leaf_hash).hex() == appeal.leaf_hash
    with pytest.raises(Conflict) as refused:
        appeal_submit(actor=merchant, delisting_id=delisting.pk, reason="再申诉一次")
    assert refused.value.code == "delisting.appeal_open"
    assert DelistingAppeal.objects.count() == 1


@pytest.mark.django_db
def test_another_merchant_cannot_appeal_and_long_reasons_are_refused(delisting: Delisting):
    # given
    stranger = actor_for(OrganizationFactory())
    # then
    with pytest.raises(NotFound):
        appeal_submit(actor=stranger, delisting_id=delisting.pk, reason="不是我的商品")
    with pytest.raises(InvalidInput):
        appeal_submit(actor=actor_for(delisting.product.merchant), delisting_id=delisting.pk, reason="长" * 1001)
    assert not DelistingAppeal.objects.exists()


@pytest.mark.django_db
def test_the_operator_relists_lifting_the_suspension_and_signing_two_statements(delisting: Delisting, operator):  # type: ignore[no-untyped-def]
    # given
    appeal = appeal_submit(actor=actor_for(delisting.product.merchant), delisting_id=delisting.pk, reason="检测有误")
    score_before = ProductScore.objects.get(product=delisting.product).score
    # when
    appeal_decide(actor=operator, appeal_id=appeal.pk, outcome="relist", reason="复检合格")
    # then
    delisting.refresh_from_db()
    appeal.refresh_from_db()
    assert (delisting.status, appeal.status, appeal.decision_reason) == ("relisted", "relisted", "复检合格")
    assert not product_is_suspended(product_id=delisting.product_id)
    assert set(PendingEntry.objects.values_list("statement_type", flat=True)) >= {
        "trust.appeal.decision",
        "trust.relisting",
    }
    assert list(DelistingEntry.objects.values_list("kind", flat=True)) == [
        "delisting",
        "appeal",
        "decision",
        "relisting",
    ]
    assert ProductScore.objects.get(product=delisting.product).score == score_before  # never edited
    with pytest.raises(Conflict):
        appeal_decide(actor=operator, appeal_id=appeal.pk, outcome="uphold", reason="重复处理")


@pytest.mark.django_db
def test_the_operator_upholds_and_the_merchant_may_appeal_again(delisting: Delisting, operator):  # type: ignore[no-untyped-def]
    # given
    merchant = actor_for(delisting.product.merchant)
    appeal = appeal_submit(actor=merchant, delisting_id=delisting.pk, reason="检测有误")
    # when
    appeal_decide(actor=operator, appeal_id=appeal.pk, outcome="uphold", reason="证据不足")
    # then
    delisting.refresh_from_db()
    assert delisting.status == "upheld"
    assert product_is_suspended(product_id=delisting.product_id)
    appeal_submit(actor=merchant, delisting_id=delisting.pk, reason="补充了新的检测报告")
    delisting.refresh_from_db()
    assert delisting.status == "appealed"


@pytest.mark.django_db
def test_only_platform_staff_decide_and_a_reason_is_required(delisting: Delisting, operator):  # type: ignore[no-untyped-def]
    # given
    merchant = actor_for(delisting.product.merchant)
    appeal = appeal_submit(actor=merchant, delisting_id=delisting.pk, reason="检测有误")
    # then
    with pytest.raises(PermissionDenied):
        appeal_decide(actor=merchant, appeal_id=appeal.pk, outcome="relist", reason="我自己批准")
    with pytest.raises(PermissionDenied):
        appeal_decide(
            actor=actor_for(operator.organization, Role.VIEWER), appeal_id=appeal.pk, outcome="relist", reason="只读"
        )
    with pytest.raises(InvalidInput):
        appeal_decide(actor=operator, appeal_id=appeal.pk, outcome="relist", reason=" ")
    appeal.refresh_from_db()
    assert appeal.status == "open"
    assert product_is_suspended(product_id=delisting.product_id)


# -- the demo ------------------------------------------------------------------------------------------------------


def test_the_demo_delists_nothing_and_a_recompute_keeps_it_so(demo_world):  # type: ignore[no-untyped-def]
    from xinren.trust.scores.services import scores_recompute

    # given the demo as loaded (its scores were stored, so judged)
    assert ProductScore.objects.filter(version=CURRENT_VERSION).exists()
    assert not Delisting.objects.exists()
    # when
    scores_recompute()
    # then
    assert not Delisting.objects.exists()
    assert not ListingSuspension.objects.filter(reason_code="trust_score").exists()
    # and every demo product with a score has an upper bound, none of them below the bar with enough evidence
    for row in ProductScore.objects.filter(version=CURRENT_VERSION, score__isnull=False):
        assert not judge(row.inputs, POLICY).delist


@pytest.mark.django_db
def test_a_batch_costs_one_query_when_nothing_is_near_the_bar(django_assert_num_queries):  # type: ignore[no-untyped-def]
    from xinren.trust.delisting.services import scores_judge

    # given 50 stored scores, some good, some bad on thin evidence
    stored = []
    for n in range(50):
        inputs = THREE_BAD if n % 5 == 0 else {"reviews": _reviews(5, 5), "credit": {}}
        result = product_score(inputs, CURRENT_VERSION)
        row = ProductScore.objects.create(
            product=ProductFactory(),
            version=CURRENT_VERSION,
            score=result["score"],
            components=result["components"],
            inputs=inputs,
            computed_at=COMPUTED_AT,
        )
        stored.append(StoredScore(row=row, changed=True))
    # then: the batch's open delistings, nothing else
    with django_assert_num_queries(1):
        scores_judge(stored)
    assert not Delisting.objects.exists()


def _raw(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_signed_delisting_appeal_and_decision_cannot_be_changed_and_the_audit_checks_them(delisting, operator):  # type: ignore[no-untyped-def]
    # given a delisting, its appeal and the operator's decision
    appeal = appeal_submit(actor=actor_for(delisting.product.merchant), delisting_id=delisting.pk, reason="检测有误")
    appeal_decide(actor=operator, appeal_id=appeal.pk, outcome="uphold", reason="证据不足")
    records = [DELISTING_RECORD, APPEAL_RECORD, APPEAL_DECISION_RECORD]
    report = records_reconcile(records=records, workers=1)
    assert report.problems == [] and report.rows == 3
    # then the database refuses to change what was signed, or to delete it
    attempts = [
        lambda: Delisting.objects.filter(pk=delisting.pk).update(score=Decimal("4.50")),
        lambda: Delisting.objects.filter(pk=delisting.pk).update(components={}),
        lambda: _raw(f"DELETE FROM {Delisting._meta.db_table} WHERE id = %s", delisting.pk),  # past PROTECT
        lambda: DelistingAppeal.objects.filter(pk=appeal.pk).update(reason="换一个理由"),
        lambda: DelistingAppeal.objects.filter(pk=appeal.pk).update(decision_reason="改过的理由"),
        lambda: DelistingAppeal.objects.filter(pk=appeal.pk).update(status="relisted"),
        lambda: DelistingAppeal.objects.filter(pk=appeal.pk).delete(),
        lambda: DelistingEntry.objects.filter(delisting=delisting).update(data={}),
        lambda: DelistingEntry.objects.filter(delisting=delisting).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="signed record"), transaction.atomic():
            attempt()
    # while what moves on its own still moves (the delisting's status: the merchant appeals again)
    appeal_submit(actor=actor_for(delisting.product.merchant), delisting_id=delisting.pk, reason="补充了新的检测报告")
    # and an edit made by someone who can drop the triggers is found by the audit
    with tampering():
        DelistingAppeal.objects.filter(pk=appeal.pk).update(decision_reason="改过的理由")
    found = records_reconcile(records=records, workers=1).problems
    assert [(p.kind, p.record) for p in found] == [("edited", APPEAL_DECISION_RECORD.label)]

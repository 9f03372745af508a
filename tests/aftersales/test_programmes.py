"""Guarantee programmes: terms as data (unknown keys refused), joining when every condition passes, leaving, the
daily review that ends memberships no longer qualifying, the signed statements, the pages queued, and the promises
the request flow honours (a longer no-reason window, a shorter claim deadline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xinren.accounts.choices import OrganizationStatus, Role
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.fund import services as fund_services
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.models.programmes import GuaranteeProgramme, ProgrammeMembership
from xinren.aftersales.programmes import errors
from xinren.aftersales.programmes.choices import LeftReason
from xinren.aftersales.programmes.rules import compensation_fen, condition_words
from xinren.aftersales.programmes.services import (
    ProgrammeTerms,
    programme_checklist,
    programme_edit,
    programme_join,
    programme_leave,
    programme_publish,
    programmes_review,
)
from xinren.aftersales.services import aftersale_open
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.ledger.store.models import PendingEntry

from ..factories import actor_for
from ..fixtures.reviews import line_through_flow, statement_of
from .fund_setup import key

pytestmark = pytest.mark.django_db

JUN = ProgrammeTerms(
    name="菌无忧", summary="野生菌品质问题优先处理，退款另补 20 元", badge_label="菌无忧", badge_colour="#2e7d32",
    categories=["wild_mushroom"],
    eligibility={"merchant_active": True, "deposit_min_fen": 100_000, "guarantees": ["bad_order"],
                 "categories": True, "upheld_share_min": 0.8},
    promises=[{"id": "claim_deadline_hours", "value": 12, "text": "品质问题 12 小时内优先处理"},
              {"id": "compensation_fen", "value": 2000, "text": "退款另补 20 元"}],
)
TRUST = ProgrammeTerms(
    name="信任购", summary="30 天无理由退货", badge_label="信任购",
    eligibility={"merchant_active": True},
    promises=[{"id": "return_days", "value": 30, "text": "30 天无理由退货"},
              {"id": "free_pickup", "value": True, "text": "退货免费上门取件"}],
)


def _deposit(merchant, amount_fen: int = 150_000) -> None:  # type: ignore[no-untyped-def]
    fund_services.deposit_collect(actor=actor_for(merchant, Role.ADMIN), merchant=merchant, amount_fen=amount_fen,
                                  idempotency_key=key("dep"))


def _state() -> tuple[Any, ...]:
    return (sorted(GuaranteeProgramme.objects.values_list("slug", "version", "eligibility", "promises")),
            sorted(ProgrammeMembership.objects.values_list("pk", "left_at")), PendingEntry.objects.count(),
            PageRefresh.objects.count())


@pytest.fixture
def jun(operator) -> GuaranteeProgramme:  # type: ignore[no-untyped-def]
    return programme_publish(actor=operator, slug="jun-wuyou", terms=JUN)


# -- terms ------------------------------------------------------------------------------------------------------


def test_an_operator_publishes_a_programme_as_data(operator):
    # when
    programme = programme_publish(actor=operator, slug="jun-wuyou", terms=JUN)
    # then
    assert (programme.version, programme.categories, programme.badge_colour) == (1, ["wild_mushroom"], "#2e7d32")
    assert programme.promises[0] == {"id": "claim_deadline_hours", "value": 12, "text": "品质问题 12 小时内优先处理"}


@pytest.mark.parametrize(("change", "field"), [
    ({"eligibility": {"score_min": 4.5}}, "eligibility"),  # the trust score is not a condition yet
    ({"eligibility": {"deposit_min_fen": -1}}, "eligibility"),
    ({"eligibility": {"upheld_share_min": 1.5}}, "eligibility"),
    ({"eligibility": {"insurance": ["life"]}}, "eligibility"),
    ({"promises": [{"id": "free_lunch", "value": True, "text": "免费午餐"}]}, "promises"),
    ({"promises": [{"id": "return_days", "value": 5, "text": "5 天"}]}, "promises"),  # below the law's 7
    ({"promises": [{"id": "claim_deadline_hours", "value": 48, "text": "48 小时"}]}, "promises"),
    ({"promises": [{"id": "return_days", "value": 30, "text": ""}]}, "promises"),
    ({"categories": ["spaceships"]}, "categories"),
    ({"name": " "}, "name"),
    ({"badge_colour": "red"}, "badge_colour"),
])
def test_terms_outside_the_vocabulary_are_refused_and_nothing_is_written(operator, change, field):
    # given
    before = _state()
    terms = ProgrammeTerms(**(JUN.__dict__ | change))
    # when
    with pytest.raises(InvalidInput) as refused:
        programme_publish(actor=operator, slug="jun-wuyou", terms=terms)
    # then
    assert (refused.value.code, refused.value.details["field"]) == (errors.TERMS_INVALID, field)
    assert _state() == before


def test_only_platform_admins_publish_or_edit(merchant_actor, jun, platform):
    # given
    before = _state()
    # then
    with pytest.raises(PermissionDenied):
        programme_publish(actor=merchant_actor, slug="mine", terms=TRUST)
    with pytest.raises(PermissionDenied):
        programme_edit(actor=actor_for(platform, Role.STAFF), programme_id=jun.pk, terms=TRUST)
    assert _state() == before


def test_a_change_of_terms_bumps_the_version_and_a_change_of_words_does_not(operator, jun):
    # when
    reworded = programme_edit(actor=operator, programme_id=jun.pk, terms=ProgrammeTerms(
        **(JUN.__dict__ | {"summary": "野生菌品质保障"})))
    # then
    assert reworded.version == 1
    # when
    stricter = programme_edit(actor=operator, programme_id=jun.pk, terms=ProgrammeTerms(
        **(JUN.__dict__ | {"eligibility": {**JUN.eligibility, "deposit_min_fen": 200_000}})))
    # then
    assert (stricter.version, stricter.eligibility["deposit_min_fen"]) == (2, 200_000)


def test_a_taken_slug_is_refused(operator, jun):
    with pytest.raises(Conflict) as refused:
        programme_publish(actor=operator, slug="jun-wuyou", terms=TRUST)
    assert refused.value.code == errors.SLUG_TAKEN
    assert GuaranteeProgramme.objects.count() == 1


# -- joining and leaving ----------------------------------------------------------------------------------------


def test_a_merchant_that_does_not_qualify_sees_its_checklist_and_is_refused(merchant, merchant_actor, jun,
                                                                            product_on_sale):
    # given: no deposit yet, bad_order not accepted
    before = _state()
    # when
    checklist = programme_checklist(programme=jun, merchant=merchant)
    # then
    assert [(c["id"], c["passed"]) for c in checklist] == [
        ("merchant_active", True), ("deposit_min_fen", False), ("guarantees", False), ("categories", True),
        ("upheld_share_min", True)]
    assert checklist[1] | {} == {"id": "deposit_min_fen", "value": 0, "threshold": 100_000, "passed": False}
    assert condition_words(checklist[1]) == "保证金余额达到要求（余额 ¥0.00，要求 ¥1000.00）"
    assert condition_words(checklist[4]) == "近 90 天售后支持率达到要求（售后记录太少，暂不评判）"
    with pytest.raises(Conflict) as refused:
        programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=[])
    assert (refused.value.code, refused.value.details) == (
        errors.NOT_ELIGIBLE, {"failed": ["deposit_min_fen", "guarantees"]})
    assert _state() == before


def test_a_qualifying_merchant_joins_signed_by_the_platform_and_its_pages_are_queued(
        merchant, merchant_actor, jun, product_on_sale, platform):
    # given
    _deposit(merchant)
    PageRefresh.objects.all().delete()
    # when
    membership = programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    # then
    assert (membership.version, membership.guarantees, membership.left_at) == (1, ["bad_order"], None)
    assert PendingEntry.objects.filter(statement_type="programme.membership").count() == 1
    statement = statement_of(membership.joined_leaf_hash)
    assert {k: statement[k] for k in ("programme", "version", "merchant", "event", "guarantees")} == {
        "programme": "jun-wuyou", "version": 1, "merchant": f"org:{merchant.pk}", "event": "start",
        "guarantees": ["bad_order"]}
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [
        (PageRefresh.Kind.PRODUCT, product_on_sale.pk)]
    # when: joining twice
    with pytest.raises(Conflict) as refused:
        programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    assert refused.value.code == errors.ALREADY_MEMBER
    assert ProgrammeMembership.objects.count() == 1


def test_a_member_leaves_and_the_history_stays(merchant, merchant_actor, jun, product_on_sale, other_actor):
    # given
    _deposit(merchant)
    programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    # then another merchant cannot leave what it never joined
    with pytest.raises(Conflict) as refused:
        programme_leave(actor=other_actor, programme_id=jun.pk)
    assert refused.value.code == errors.NOT_MEMBER
    # when
    membership = programme_leave(actor=merchant_actor, programme_id=jun.pk)
    # then
    assert (membership.left_reason, membership.left_details) == (LeftReason.WITHDRAWN, {})
    assert statement_of(membership.left_leaf_hash)["event"] == "end"
    with pytest.raises(NotFound):
        programme_leave(actor=merchant_actor, programme_id=999_999)


def test_the_daily_review_ends_memberships_that_no_longer_qualify_with_the_failed_conditions(
        merchant, merchant_actor, jun, product_on_sale, operator):
    # given: a member, then the terms ask for a bigger deposit
    _deposit(merchant)
    programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    programme_edit(actor=operator, programme_id=jun.pk, terms=ProgrammeTerms(
        **(JUN.__dict__ | {"eligibility": {**JUN.eligibility, "deposit_min_fen": 500_000}})))
    # when
    report = programmes_review()
    # then
    membership = ProgrammeMembership.objects.get()
    assert (report.checked, report.ended) == (1, [membership.pk])
    assert (membership.left_reason, membership.left_details) == (
        LeftReason.NO_LONGER_ELIGIBLE, {"deposit_min_fen": 150_000})
    assert statement_of(membership.left_leaf_hash)["failed"] == {"deposit_min_fen": 150_000}
    # and a second run finds nothing to end
    assert programmes_review().ended == []


def test_the_review_keeps_members_that_still_qualify(merchant, merchant_actor, jun, product_on_sale):
    _deposit(merchant)
    programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    assert programmes_review().ended == []
    assert ProgrammeMembership.objects.get().left_at is None


def test_a_suspended_merchant_loses_its_badge_at_the_review(merchant, merchant_actor, operator, product_on_sale):
    # given
    trust = programme_publish(actor=operator, slug="xinren-gou", terms=TRUST)
    programme_join(actor=merchant_actor, programme_id=trust.pk)
    merchant.status = OrganizationStatus.SUSPENDED
    merchant.save()
    # when
    programmes_review()
    # then
    assert ProgrammeMembership.objects.get().left_details == {"merchant_active": False}


# -- promises honoured by the request flow ----------------------------------------------------------------------


def test_a_member_promising_30_days_opens_the_no_reason_window_to_day_30(
        consumer, merchant, merchant_actor, operator, product_on_sale):
    # given: the merchant joined 信任购 before the consumer bought (a 30-day no-reason promise)
    trust = programme_publish(actor=operator, slug="xinren-gou", terms=ProgrammeTerms(
        **(TRUST.__dict__ | {"categories": []})))
    programme_join(actor=merchant_actor, programme_id=trust.pk)
    line = line_through_flow(consumer, product_on_sale)
    # when: 20 days after delivery (the law's 7 days have passed)
    with clock.played_at(line.order.delivered_at + dt.timedelta(days=20)):
        request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                                 kind=Kind.REFUND_ONLY, reason="不想要了", amount_fen=100)
    # then
    assert request.status == Status.MERCHANT_HANDLING


def test_without_a_programme_the_window_stays_seven_days(consumer, product_on_sale):
    line = line_through_flow(consumer, product_on_sale)
    with clock.played_at(line.order.delivered_at + dt.timedelta(days=20)), pytest.raises(Conflict) as refused:
        aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                       kind=Kind.REFUND_ONLY, reason="不想要了", amount_fen=100)
    assert refused.value.code == "aftersale.window_closed"
    assert AfterSaleRequest.objects.count() == 0


def test_priority_handling_shortens_the_merchants_deadline_on_a_routed_claim(
        consumer, merchant, merchant_actor, jun, product_on_sale):
    # given
    _deposit(merchant)
    programme_join(actor=merchant_actor, programme_id=jun.pk, guarantees=["bad_order"])
    line = line_through_flow(consumer, product_on_sale)
    # when: a quality claim (not automatic) goes to the merchant
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.QUALITY, reason="菌子有虫", amount_fen=5000)
    # then
    assert request.status == Status.WAITING_MERCHANT
    routed = request.transitions.get(to_status=Status.WAITING_MERCHANT)  # the 12 hours run from the routing
    assert request.merchant_deadline == routed.at + dt.timedelta(hours=12)


def test_compensation_on_top_of_the_refund():
    assert compensation_fen(JUN.promises, price_fen=12800) == 2000
    assert compensation_fen([{"id": "compensation_multiple", "value": 1, "text": "x"}], price_fen=12800) == 12800
    assert compensation_fen([], price_fen=12800) == 0

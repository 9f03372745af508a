"""The risk score against the database: figures gathered, evaluations stored, actions, appeals, shadow rule sets."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from xinren.accounts.choices import OrganizationKind, OrganizationStatus, RestrictionKind, Role
from xinren.accounts.models import MerchantRestriction, Organization, User
from xinren.accounts.restrictions import limits_for
from xinren.aftersales.choices import Kind, Level, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import AuditEntry
from xinren.governance.models.risk import (
    ActionKind,
    ActionStatus,
    AppealStatus,
    RiskAction,
    RiskAppeal,
    RiskEvaluation,
    RiskRule,
    RiskRuleSet,
    RuleSetStatus,
)
from xinren.governance.risk import selectors, services
from xinren.governance.risk.inputs import merchant_figures
from xinren.governance.risk.rules import VERSION_1_PARAMS, VERSION_1_WEIGHTS, MerchantFigures
from xinren.ledger.store.models import PendingEntry
from xinren.orders.models import Offer, Order, OrderLine
from xinren.reviews.choices import FlagReason
from xinren.reviews.models import Flag
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from ..factories import OrganizationFactory, ProductFactory, actor_for

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def orders_for(
    merchant: Organization, consumer: User, n: int, *, ship_hours: float | None = 24, days_ago: float = 10
) -> list[Order]:
    paid = clock.now() - dt.timedelta(days=days_ago)
    return Order.objects.bulk_create(
        [
            Order(
                number=f"R{next(_numbers):012d}",
                consumer=consumer,
                merchant=merchant,
                status="paid",
                total_fen=1000,
                recipient_name="张三",
                recipient_phone="13900000000",
                shipping_address="昆明",
                placed_at=paid,
                paid_at=paid,
                shipped_at=None if ship_hours is None else paid + dt.timedelta(hours=ship_hours),
            )
            for _ in range(n)
        ]
    )


def claims_for(orders: list[Order], product: Product, offer: Offer, *, escalated: bool = False) -> None:
    now = clock.now()
    for order in orders:
        line = OrderLine.objects.create(
            order=order,
            product=product,
            offer=offer,
            product_name="菌",
            gtin=product.gtin,
            unit_price_fen=1000,
            quantity=1,
            total_fen=1000,
        )
        AfterSaleRequest.objects.create(
            reference=f"AS{next(_numbers):010d}",
            consumer=order.consumer,
            merchant=order.merchant,
            order=order,
            line=line,
            kind=Kind.QUALITY,
            status=Status.CLOSED,
            reason="坏了",
            amount_fen=1000,
            level=Level.NORMAL,
            created_at=now - dt.timedelta(days=2),
            updated_at=now,
            escalated_at=now if escalated else None,
        )


@pytest.fixture
def risky(merchant: Organization, consumer: User) -> Organization:
    """The merchant with 40 paid orders, 8 of them claimed (20 %: the claim rule's ceiling) and 4 escalated to the
    platform (10 %: the complaint rule's ceiling), and a brushing flag: 20 + 10 + 7.5 = 37.5 points, band watch."""
    product = ProductFactory(merchant=merchant)
    offer = Offer.objects.create(merchant=merchant, product=product, price_fen=1000, stock=10)
    orders = orders_for(merchant, consumer, 40)
    claims_for(orders[:4], product, offer)
    claims_for(orders[4:8], product, offer, escalated=True)
    Flag.objects.create(reason=FlagReason.BRUSHING, merchant=merchant, created_at=clock.now())
    return merchant


def test_figures_are_gathered_from_what_the_platform_records(risky: Organization, consumer: User) -> None:
    # given: besides the fixture, 10 orders shipped 72 h after payment (promise 48 h), a dismissed flag, an expired
    # and a failed credential, two new products in a new category, and an offer whose price doubled this week
    orders_for(risky, consumer, 10, ship_hours=72)
    Flag.objects.create(reason=FlagReason.NEAR_DUPLICATE, merchant=risky, created_at=clock.now(), upheld=False)
    Credential.objects.create(
        organization=risky,
        kind=CredentialKind.FOOD_BUSINESS,
        number="JY1",
        holder_name="x",
        status=CredentialStatus.VERIFIED,
        valid_until=dt.date(2020, 1, 1),
    )
    Credential.objects.create(
        organization=risky,
        kind=CredentialKind.BUSINESS_LICENCE,
        number="B1",
        holder_name="x",
        status=CredentialStatus.FAILED,
    )
    Product.objects.filter(merchant=risky).update(created_at=clock.now() - dt.timedelta(days=90))
    ProductFactory(merchant=risky, category=ProductCategory.COSMETICS)
    ProductFactory(merchant=risky, category=ProductCategory.COSMETICS)
    offer = Offer.objects.get(merchant=risky)
    platform_user = User.objects.create(username="op-audit")
    for price in (1000, 2500):
        audit_record(
            actor=platform_user,
            organization=risky,
            action="offer.update",
            target=offer,
            data={"price_fen": price, "stock": 10, "active": True},
        )
    # when
    figures = merchant_figures(risky)
    # then
    assert figures == MerchantFigures(
        orders=50,
        claims=8,
        escalations=4,
        disputes_lost=0,
        brushing_flags=1,
        review_flags=0,
        inquiries_decided=0,
        answered_within_24h=0,
        shipments_due=50,
        shipped_late=10,
        credentials_failed=1,
        credentials_expired=1,
        new_listings=2,
        new_listings_new_category=2,
        offers_repriced=1,
        offers_price_jumped=1,
        blacklist_links=0,
    )


def test_the_seeded_rule_set_is_version_1_as_the_rules_module_says() -> None:
    active = services.rule_set_active()
    assert (active.version, active.review_threshold, active.restrict_threshold, active.suspend_threshold) == (
        1,
        25,
        45,
        70,
    )
    assert dict(active.rules.values_list("rule_id", "weight")) == VERSION_1_WEIGHTS


def test_an_evaluation_is_stored_with_every_rule_and_watch_is_signed(risky: Organization) -> None:
    # when
    evaluation = services.risk_evaluate(organization=risky)
    # then
    assert (float(evaluation.score), evaluation.band, evaluation.rule_set.version) == (37.5, "watch", 1)
    assert len(evaluation.results) == len(VERSION_1_WEIGHTS)
    claim = next(r for r in evaluation.results if r["rule"] == "claim_rate")
    assert (claim["value"], claim["weight"], claim["contribution"], claim["inputs"]) == (
        1.0,
        20.0,
        20.0,
        {"claims": 8, "orders": 40, "rate": 0.2},
    )
    action = RiskAction.objects.get(organization=risky)
    assert (action.kind, action.status, action.suspension_proposed) == (ActionKind.WATCH, ActionStatus.IN_FORCE, False)
    assert not limits_for(risky).any  # watch restricts nothing
    entry = PendingEntry.objects.get(statement_type="governance.risk.action")
    assert entry.subject == f"org:{risky.pk}"
    # the same band again: no second action, no second statement
    services.risk_evaluate(organization=risky)
    assert (
        RiskAction.objects.count(),
        PendingEntry.objects.filter(statement_type="governance.risk.action").count(),
    ) == (1, 1)


def _thresholds(review: int, restrict: int, suspend: int) -> None:
    RiskRuleSet.objects.filter(version=1).update(
        review_threshold=review, restrict_threshold=restrict, suspend_threshold=suspend
    )


def test_restrict_stops_new_listings_and_a_lower_band_lifts_it(risky: Organization) -> None:
    # given: thresholds that put 37.5 points in the restrict band
    _thresholds(10, 30, 60)
    # when
    evaluation = services.risk_evaluate(organization=risky)
    # then
    assert evaluation.band == "restrict"
    restriction = MerchantRestriction.objects.get(organization=risky)
    assert (restriction.kind, restriction.source, restriction.reference) == (
        RestrictionKind.NO_NEW_LISTINGS,
        "risk",
        f"risk:{evaluation.pk}",
    )
    assert limits_for(risky).no_new_listings
    # when: the claims age out of the window and the flag is dismissed
    AfterSaleRequest.objects.filter(merchant=risky).update(created_at=clock.now() - dt.timedelta(days=200))
    Flag.objects.filter(merchant=risky).update(upheld=False)
    later = services.risk_evaluate(organization=risky)
    # then
    assert (float(later.score), later.band) == (0.0, "ok")
    assert not limits_for(risky).any
    assert list(RiskAction.objects.filter(organization=risky).values_list("kind", "status")) == [
        (ActionKind.LIFT, ActionStatus.LIFTED),
        (ActionKind.RESTRICT, ActionStatus.LIFTED),
    ]


def test_suspend_band_holds_payouts_and_proposes_suspension_an_operator_confirms(risky: Organization, operator) -> None:  # type: ignore[no-untyped-def]
    _thresholds(10, 20, 30)
    services.risk_evaluate(organization=risky)
    proposed = RiskAction.objects.get(organization=risky)
    assert (proposed.kind, proposed.suspension_proposed) == (ActionKind.HOLD_PAYOUTS, True)
    limits = limits_for(risky)
    assert (limits.no_new_listings, limits.payouts_held) == (True, True)
    risky.refresh_from_db()
    assert risky.status == OrganizationStatus.ACTIVE  # the score only proposes
    # a reason is required, and nothing changes without it
    with pytest.raises(InvalidInput):
        services.risk_suspension_decide(actor=operator, action_id=proposed.pk, confirm=True, reason=" ")
    risky.refresh_from_db()
    assert risky.status == OrganizationStatus.ACTIVE
    # when
    suspension = services.risk_suspension_decide(
        actor=operator, action_id=proposed.pk, confirm=True, reason="多项信号叠加，核实后暂停"
    )
    # then
    risky.refresh_from_db()
    assert (risky.status, suspension.kind) == (OrganizationStatus.SUSPENDED, ActionKind.SUSPEND)
    with pytest.raises(Conflict):
        services.risk_suspension_decide(actor=operator, action_id=proposed.pk, confirm=True, reason="再次")
    assert AuditEntry.objects.filter(action="risk.suspension.confirm").count() == 1


def test_a_merchant_cannot_decide_its_own_suspension(risky: Organization) -> None:
    _thresholds(10, 20, 30)
    services.risk_evaluate(organization=risky)
    proposed = RiskAction.objects.get(organization=risky)
    with pytest.raises(PermissionDenied):
        services.risk_suspension_decide(
            actor=actor_for(risky, Role.OWNER), action_id=proposed.pk, confirm=False, reason="不服"
        )


def test_appeal_filed_and_lifted_releases_the_restriction(
    risky: Organization,
    operator,  # type: ignore[no-untyped-def]
    other_merchant: Organization,
) -> None:
    _thresholds(10, 30, 60)
    services.risk_evaluate(organization=risky)
    action = RiskAction.objects.get(organization=risky)
    merchant_actor = actor_for(risky, Role.STAFF)
    # another merchant cannot see it; a too-short text is refused; nothing is written
    with pytest.raises(NotFound):
        services.risk_appeal_file(actor=actor_for(other_merchant), action_id=action.pk, text="这不是我们的问题，请复核")
    with pytest.raises(InvalidInput) as short:
        services.risk_appeal_file(actor=merchant_actor, action_id=action.pk, text="冤枉")
    assert short.value.code == "risk.appeal_text_short"
    assert RiskAppeal.objects.count() == 0
    # when
    appeal = services.risk_appeal_file(
        actor=merchant_actor,
        action_id=action.pk,
        text="理赔集中在同一批次快递破损，已更换物流商，附运单证明",
        evidence_id=7,
    )
    with pytest.raises(Conflict):
        services.risk_appeal_file(actor=merchant_actor, action_id=action.pk, text="再次申诉，请尽快处理此事")
    decided = services.risk_appeal_decide(actor=operator, appeal_id=appeal.pk, lift=True, reason="物流破损已核实")
    # then
    assert decided.status == AppealStatus.LIFTED
    assert not limits_for(risky).any
    action.refresh_from_db()
    assert action.status == ActionStatus.LIFTED
    assert PendingEntry.objects.filter(statement_type="governance.risk.appeal").count() == 1
    # the same band next day does not impose again
    services.risk_evaluate(organization=risky)
    assert not limits_for(risky).any
    with pytest.raises(Conflict):
        services.risk_appeal_decide(actor=operator, appeal_id=appeal.pk, lift=False, reason="再次")


def test_an_upheld_appeal_keeps_the_restriction(risky: Organization, operator) -> None:  # type: ignore[no-untyped-def]
    _thresholds(10, 30, 60)
    services.risk_evaluate(organization=risky)
    action = RiskAction.objects.get(organization=risky)
    appeal = services.risk_appeal_file(actor=actor_for(risky), action_id=action.pk, text="我们认为评分不准确，请复核")
    services.risk_appeal_decide(actor=operator, appeal_id=appeal.pk, lift=False, reason="理赔均经核实")
    assert limits_for(risky).no_new_listings
    assert RiskAppeal.objects.get().status == AppealStatus.UPHELD


def test_a_shadow_rule_is_drafted_compared_and_promoted(risky: Organization, operator) -> None:  # type: ignore[no-untyped-def]
    # given: version 1 without the price rule, so the draft can add it in shadow mode
    services.rule_set_active().rules.filter(rule_id="price_change").delete()
    offer = Offer.objects.get(merchant=risky)
    for price in (1000, 3000, 1000):
        audit_record(actor=None, organization=risky, action="offer.update", target=offer, data={"price_fen": price})
    cheap = Offer.objects.create(merchant=risky, product=ProductFactory(merchant=risky), price_fen=10, stock=1)
    for price in (10, 100):
        audit_record(actor=None, organization=risky, action="offer.update", target=cheap, data={"price_fen": price})
    # refusals change nothing
    with pytest.raises(InvalidInput):
        services.risk_rule_set_draft(actor=operator, shadow_rules={"made_up": (5, {})})
    with pytest.raises(Conflict):
        services.risk_rule_set_draft(actor=operator, shadow_rules={"claim_rate": (5, {})})
    assert RiskRuleSet.objects.count() == 1
    # when: a draft adds the price rule in shadow mode with a heavy weight
    draft = services.risk_rule_set_draft(actor=operator, shadow_rules={"price_change": (10, {})}, notes="试行价格规则")
    evaluation = services.risk_evaluate(organization=risky)
    # then: scored, stored, not summed
    shadow = next(r for r in evaluation.results if r["rule"] == "price_change")
    assert (shadow["mode"], shadow["value"], shadow["contribution"]) == ("shadow", 1.0, 10.0)
    assert (float(evaluation.score), evaluation.band) == (37.5, "watch")
    rows = selectors.shadow_comparison(draft, RiskEvaluation.objects.filter(pk=evaluation.pk))
    assert [(row.band, row.draft_score, row.draft_band, row.changed) for row in rows] == [
        ("watch", 47.5, "restrict", True)
    ]
    # when: promoted
    services.risk_rule_set_promote(actor=operator, version=draft.version)
    # then
    assert list(RiskRuleSet.objects.order_by("version").values_list("version", "status")) == [
        (1, RuleSetStatus.RETIRED),
        (2, RuleSetStatus.ACTIVE),
    ]
    assert services.rule_set_active().rules.get(rule_id="price_change").mode == "active"
    again = services.risk_evaluate(organization=risky)
    assert (float(again.score), again.band, again.rule_set.version) == (47.5, "restrict", 2)
    assert list(
        AuditEntry.objects.filter(action__startswith="risk.rule_set").order_by("id").values_list("action", flat=True)
    ) == ["risk.rule_set.draft", "risk.rule_set.promote"]
    with pytest.raises(Conflict):
        services.risk_rule_set_promote(actor=operator, version=draft.version)


def test_only_platform_admins_draft_rule_sets(risky: Organization, platform: Organization) -> None:
    with pytest.raises(PermissionDenied):
        services.risk_rule_set_draft(actor=actor_for(risky, Role.OWNER), shadow_rules={"price_change": (5, {})})
    with pytest.raises(PermissionDenied):
        services.risk_rule_set_draft(actor=actor_for(platform, Role.STAFF), shadow_rules={"price_change": (5, {})})


def test_the_daily_run_evaluates_every_active_merchant(risky: Organization, other_merchant: Organization) -> None:
    OrganizationFactory(kind=OrganizationKind.MERCHANT, status=OrganizationStatus.SUSPENDED)
    assert services.risk_evaluate_all() == 2
    assert set(RiskEvaluation.objects.values_list("organization", flat=True)) == {risky.pk, other_merchant.pk}


def test_version_1_seeded_params_are_the_rules_defaults() -> None:
    from xinren.governance.risk.rules import RULES

    for rule in services.rule_set_active().rules.all():
        assert rule.params == dict(RULES[rule.rule_id].defaults), rule.rule_id


def test_one_evaluation_reads_a_bounded_number_of_queries(risky: Organization, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # 23 to evaluate, 2 to queue the trust-score refresh of the merchant's products when the band changes
    with django_assert_max_num_queries(25):
        services.risk_evaluate(organization=risky, act=False)


def test_the_task_evaluates(risky: Organization) -> None:
    from xinren.governance.tasks import risk_evaluate_task

    assert risk_evaluate_task.call() == {"evaluated": 1}  # type: ignore[call-arg]


def test_a_declined_suspension_keeps_the_shop_open_and_payouts_held(risky: Organization, operator) -> None:  # type: ignore[no-untyped-def]
    _thresholds(10, 20, 30)
    services.risk_evaluate(organization=risky)
    proposed = RiskAction.objects.get(organization=risky)
    # when
    services.risk_suspension_decide(actor=operator, action_id=proposed.pk, confirm=False, reason="先观察一周")
    # then
    risky.refresh_from_db()
    proposed.refresh_from_db()
    assert (risky.status, proposed.suspension_confirmed, proposed.status) == (
        OrganizationStatus.ACTIVE,
        False,
        ActionStatus.IN_FORCE,
    )
    assert limits_for(risky).payouts_held
    assert RiskAction.objects.count() == 1


def test_sharing_an_identifier_with_a_blacklisted_entry_counts(risky: Organization, operator) -> None:  # type: ignore[no-untyped-def]
    from xinren.accounts.choices import BlacklistKind

    from .factories_blacklist import banned

    # given: the merchant's USCC on the blacklist
    banned(operator, BlacklistKind.USCC, risky.uscc)  # type: ignore[arg-type]
    # when
    evaluation = services.risk_evaluate(organization=risky)
    # then: the rule is full, 5 points more than the fixture's 37.5
    proximity = next(r for r in evaluation.results if r["rule"] == "blacklist_proximity")
    assert (proximity["inputs"], proximity["contribution"], float(evaluation.score)) == (
        {"blacklist_links": 1},
        5.0,
        42.5,
    )


def test_the_rules_module_and_the_migration_agree_on_version_1() -> None:
    import importlib

    migration = importlib.import_module("xinren.governance.migrations.0005_risk")
    assert {rule_id: (weight, params) for rule_id, weight, params in migration.VERSION_1} == {
        rule_id: (weight, VERSION_1_PARAMS[rule_id]) for rule_id, weight in VERSION_1_WEIGHTS.items()
    }


def test_version_1_is_written_again_in_an_emptied_database() -> None:
    RiskRule.objects.all().delete()
    RiskRuleSet.objects.all().delete()
    active = services.rule_set_active()
    assert active.version == 1 and active.rules.count() == len(VERSION_1_WEIGHTS)

"""Insurance: policies checked against the statutory floors, merchants subscribe, the insurer pays from its own
account and signs; every refusal changes nothing."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales.fund import errors, insurance
from xinren.aftersales.fund.choices import AccountKind, PolicyKind
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.aftersales.models.fund import InsurancePolicy
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry

from ..factories import OrganizationFactory, actor_for
from ..fixtures.accounts import browser_of
from .fund_setup import balance, key, state, sums_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def insurer(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="信任财险", kind=OrganizationKind.INSURER)


@pytest.fixture
def insurer_admin(insurer):  # type: ignore[no-untyped-def]
    return actor_for(insurer, Role.ADMIN)


def authentic(insurer_admin, **fields):  # type: ignore[no-untyped-def]
    values = {"kind": PolicyKind.AUTHENTIC, "title": "假一赔三", "price_multiple": 3, "minimum_fen": 50_000}
    return insurance.policy_publish(actor=insurer_admin, **(values | fields))


@pytest.mark.parametrize(("fields", "field"), [
    ({"price_multiple": 2}, "price_multiple"),
    ({"minimum_fen": 49_999}, "minimum_fen"),
    ({"covers_food": True, "price_multiple": 9, "minimum_fen": 100_000}, "price_multiple"),
    ({"covers_food": True, "price_multiple": 10, "minimum_fen": 99_999}, "minimum_fen"),
])
def test_a_promise_below_the_statutory_floor_is_refused(insurer_admin, fields, field) -> None:
    with pytest.raises(DomainError) as refused:
        authentic(insurer_admin, **fields)
    assert refused.value.code == errors.POLICY_BELOW_FLOOR and refused.value.details["field"] == field
    assert InsurancePolicy.objects.count() == 0


def test_only_an_insurer_publishes(merchant_admin) -> None:
    with pytest.raises(DomainError) as refused:
        authentic(merchant_admin)
    assert refused.value.code == "permission.organization_kind"
    assert InsurancePolicy.objects.count() == 0


def test_payout_amounts_never_fall_below_the_floors(insurer_admin) -> None:
    plain = authentic(insurer_admin)
    food = authentic(insurer_admin, covers_food=True, price_multiple=10, minimum_fen=100_000)
    quality = insurance.policy_publish(actor=insurer_admin, kind=PolicyKind.QUALITY, title="品质险",
                                       pays_return_shipping=True, fixed_fen=2000)
    assert insurance.payout_amount(policy=plain, price_fen=9900).fen == 50_000  # 500 yuan floor
    assert insurance.payout_amount(policy=plain, price_fen=30_000).fen == 90_000  # 3 × price
    assert insurance.payout_amount(policy=food, price_fen=5000, loss_fen=50_000).fen == 150_000  # 3 × loss
    assert insurance.payout_amount(policy=food, price_fen=20_000).fen == 200_000  # 10 × price
    assert insurance.payout_amount(policy=quality, price_fen=9900, shipping_fen=1200).fen == 3200


def test_the_insurer_pays_a_covered_claim_and_signs_it(insurer_admin, insurer, merchant_admin, merchant,
                                                        consumer) -> None:
    # given
    policy = authentic(insurer_admin)
    insurance.policy_subscribe(actor=merchant_admin, policy_id=policy.pk)
    insurance.insurer_fund(actor=insurer_admin, amount_fen=1_000_000, idempotency_key="insurer-fund-1")
    # when
    journal = insurance.insurance_payout(
        actor=insurer_admin, policy_id=policy.pk, claim_reference="AS-FAKE-1", consumer=consumer, merchant=merchant,
        price_fen=30_000, idempotency_key="ins-payout-1",
    )
    # then
    assert journal.amount_fen == 90_000
    assert balance(AccountKind.INSURER, insurer) == 910_000
    entry = PendingEntry.objects.get(statement_type="insurance.payout")
    assert journal.statement_leaf_hash == bytes(entry.leaf_hash).hex()
    assert consumer.phone not in bytes(entry.envelope).decode()
    assert sums_match() and fund_reconcile().ok


def test_refusals_change_nothing(insurer_admin, merchant_admin, merchant, other_merchant, consumer) -> None:
    policy = authentic(insurer_admin)
    insurance.policy_subscribe(actor=merchant_admin, policy_id=policy.pk)
    insurance.insurer_fund(actor=insurer_admin, amount_fen=60_000, idempotency_key="insurer-fund-2")
    insurance.insurance_payout(actor=insurer_admin, policy_id=policy.pk, claim_reference="AS-1", consumer=consumer,
                               merchant=merchant, price_fen=100, idempotency_key=key("ins"))
    before = state()
    cases = [
        # a merchant that did not subscribe
        ({"merchant": other_merchant, "claim_reference": "AS-2"}, errors.NOT_COVERED),
        # the same claim again (another key)
        ({"claim_reference": "AS-1"}, errors.ALREADY_PAID),
        # more than the insurer's account holds (3 × 10,000 yuan)
        ({"claim_reference": "AS-3", "price_fen": 1_000_000}, errors.INSUFFICIENT),
        ({"claim_reference": "AS-4", "price_fen": -5}, errors.AMOUNT_INVALID),
    ]
    for fields, code in cases:
        kwargs = {"actor": insurer_admin, "policy_id": policy.pk, "consumer": consumer, "merchant": merchant,
                  "price_fen": 100, "idempotency_key": key("ins")} | fields
        with pytest.raises(DomainError) as refused:
            insurance.insurance_payout(**kwargs)
        assert refused.value.code == code
        assert state() == before


def test_another_insurers_policy_is_not_found(insurer_admin, merchant_admin, merchant, consumer) -> None:
    policy = authentic(insurer_admin)
    insurance.policy_subscribe(actor=merchant_admin, policy_id=policy.pk)
    other = actor_for(OrganizationFactory(kind=OrganizationKind.INSURER), Role.ADMIN)
    before = state()
    with pytest.raises(DomainError) as refused:
        insurance.insurance_payout(actor=other, policy_id=policy.pk, claim_reference="AS-9", consumer=consumer,
                                   merchant=merchant, price_fen=100, idempotency_key=key("ins"))
    assert refused.value.code == errors.POLICY_NOT_FOUND and refused.value.status == 404
    assert state() == before


def test_an_insurer_publishes_and_funds_from_the_console_and_a_merchant_subscribes(insurer_admin, insurer,
                                                                                 merchant_admin, merchant) -> None:
    # when: the insurer publishes a policy below the floor, then a proper one, and funds its account
    browser = browser_of(insurer_admin.user)
    low = browser.post("/merchant/insurance/policies/", {"kind": "authentic", "title": "假一赔二",
                                                         "price_multiple": "2", "minimum": "500"})
    assert low.status_code == 422 and "不得低于法定的 3 倍" in low.content.decode()
    assert InsurancePolicy.objects.count() == 0
    ok = browser.post("/merchant/insurance/policies/", {"kind": "authentic", "title": "假一赔三",
                                                        "price_multiple": "3", "minimum": "500"})
    assert ok.status_code == 302
    browser.post("/merchant/insurance/fund/", {"amount": "1000", "idempotency_key": "web-insurer-0001"})
    assert balance(AccountKind.INSURER, insurer) == 100_000
    policy = InsurancePolicy.objects.get()
    # then: a merchant sees it and subscribes
    merchant_browser = browser_of(merchant_admin.user)
    assert "假一赔三" in merchant_browser.get("/merchant/insurance/").content.decode()
    assert merchant_browser.post(f"/merchant/insurance/policies/{policy.pk}/subscribe/").status_code == 302
    assert policy.subscriptions.get().merchant == merchant
    # and a merchant cannot publish
    assert merchant_browser.post("/merchant/insurance/policies/", {"kind": "quality", "title": "x",
                                                                   "fixed": "10"}).status_code == 403

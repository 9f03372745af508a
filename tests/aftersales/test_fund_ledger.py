"""The fund's ledger: contributions, deposits, payouts, recoveries, reversals; every refusal changes nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from xinren.aftersales.fund import errors, services
from xinren.aftersales.fund.choices import AccountKind, JournalKind
from xinren.aftersales.fund.services import Leg
from xinren.aftersales.models.fund import Account, Journal, Posting
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry

from .fund_setup import balance, contribute, fund_balance, key, state, sums_match

pytestmark = pytest.mark.django_db


def payout(operator, consumer, merchant, *, claim="AS-1", amount_fen=5000, idempotency_key=None):  # type: ignore[no-untyped-def]
    return services.fund_payout(
        actor=operator, claim_reference=claim, consumer=consumer, merchant=merchant, amount_fen=amount_fen,
        reason="坏单包赔：到货腐烂", idempotency_key=idempotency_key or key("payout"),
    )


def test_a_contribution_fills_the_fund_through_the_provider(operator) -> None:
    # when
    journal = services.fund_contribute(actor=operator, amount_fen=1_000_000, idempotency_key="contrib-0001")
    # then
    assert fund_balance() == 1_000_000
    assert balance(AccountKind.PROVIDER_CLEARING) == -1_000_000
    assert journal.provider == "sandbox" and journal.provider_ref.startswith("sbx_tr_")
    assert sums_match()


def test_a_payout_pays_the_consumer_first_signs_it_and_raises_a_receivable(operator, consumer, merchant) -> None:
    # given
    contribute(operator, 100_000)
    # when
    journal = payout(operator, consumer, merchant, amount_fen=5000)
    # then
    assert fund_balance() == 95_000
    assert balance(AccountKind.RECOVERIES_RECEIVABLE, merchant) == 5000
    assert balance(AccountKind.PAYOUTS) == -5000
    assert balance(AccountKind.PROVIDER_CLEARING) == -95_000
    assert sorted(journal.postings.values_list("amount_fen", flat=True)) == [-5000, -5000, 5000, 5000]
    entry = PendingEntry.objects.get(statement_type="fund.payout")
    assert journal.statement_leaf_hash == bytes(entry.leaf_hash).hex()
    assert consumer.phone not in bytes(entry.envelope).decode()
    assert sums_match()


def test_the_same_payout_key_again_returns_the_first_journal_and_pays_no_more(operator, consumer, merchant) -> None:
    # given
    contribute(operator, 100_000)
    first = payout(operator, consumer, merchant, idempotency_key="payout-same-1")
    before = state()
    # when
    again = payout(operator, consumer, merchant, idempotency_key="payout-same-1")
    # then
    assert again.pk == first.pk
    assert state() == before


def test_a_second_payout_for_the_same_claim_is_refused(operator, consumer, merchant) -> None:
    # given
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-9")
    before = state()
    # when
    with pytest.raises(DomainError) as refused:
        payout(operator, consumer, merchant, claim="AS-9")
    # then
    assert refused.value.code == errors.ALREADY_PAID
    assert state() == before


def test_a_key_used_for_another_payout_is_refused(operator, consumer, merchant) -> None:
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-1", idempotency_key="payout-reuse-1")
    before = state()
    with pytest.raises(DomainError) as refused:
        payout(operator, consumer, merchant, claim="AS-2", idempotency_key="payout-reuse-1")
    assert refused.value.code == errors.IDEMPOTENCY_KEY_REUSED
    assert state() == before


@pytest.mark.parametrize("amount_fen", [0, -100, 5_000_001, 12.5, True])
def test_a_bad_amount_is_refused_and_nothing_moves(operator, consumer, merchant, amount_fen) -> None:
    contribute(operator, 100_000)
    before = state()
    with pytest.raises(DomainError) as refused:
        payout(operator, consumer, merchant, amount_fen=amount_fen)
    assert refused.value.code == errors.AMOUNT_INVALID
    assert state() == before


def test_a_payout_larger_than_the_fund_is_refused_and_nothing_moves(operator, consumer, merchant) -> None:
    contribute(operator, 1000)
    before = state()
    with pytest.raises(DomainError) as refused:
        payout(operator, consumer, merchant, amount_fen=1001)
    assert refused.value.code == errors.INSUFFICIENT
    assert state() == before
    assert PendingEntry.objects.filter(statement_type="fund.payout").count() == 0


def test_only_platform_staff_pay(merchant_admin, consumer, merchant, operator) -> None:
    contribute(operator, 100_000)
    before = state()
    with pytest.raises(DomainError) as refused:
        payout(merchant_admin, consumer, merchant)
    assert refused.value.code == "permission.organization_kind"
    assert state() == before


def test_a_merchant_tops_up_its_own_deposit(merchant_admin, merchant) -> None:
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=200_000,
                             idempotency_key="deposit-001")
    assert balance(AccountKind.MERCHANT_DEPOSIT, merchant) == 200_000
    assert balance(AccountKind.PROVIDER_CLEARING) == -200_000


def test_someone_elses_deposit_is_not_found_and_nothing_moves(merchant_admin, other_merchant) -> None:
    before = state()
    with pytest.raises(DomainError) as refused:
        services.deposit_collect(actor=merchant_admin, merchant=other_merchant, amount_fen=100,
                                 idempotency_key="deposit-002")
    assert refused.value.code == errors.ACCOUNT_NOT_FOUND and refused.value.status == 404
    assert state() == before


def test_recovery_takes_the_deposit_first_then_the_settlements(operator, consumer, merchant, merchant_admin) -> None:
    # given: 30.00 paid for a claim; the merchant has 10.00 of deposit
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-7", amount_fen=3000)
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=1000, idempotency_key="deposit-7")
    # when
    journal = services.fund_recover(actor=operator, claim_reference="AS-7", merchant=merchant, amount_fen=3000,
                                    idempotency_key="recover-7")
    # then
    assert balance(AccountKind.MERCHANT_DEPOSIT, merchant) == 0
    assert balance(AccountKind.RECOVERIES_RECEIVABLE, merchant) == 0
    assert balance(AccountKind.PAYOUTS) == 0
    assert fund_balance() == 100_000
    assert balance(AccountKind.PROVIDER_CLEARING) == -(100_000 - 3000 + 1000 + 2000)
    assert journal.provider_ref.startswith("sbx_tr_")
    assert PendingEntry.objects.filter(statement_type="fund.recovery").count() == 1
    assert sums_match()


def test_recovering_more_than_is_owed_is_refused(operator, consumer, merchant) -> None:
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-8", amount_fen=3000)
    before = state()
    with pytest.raises(DomainError) as refused:
        services.fund_recover(actor=operator, claim_reference="AS-8", merchant=merchant, amount_fen=3001,
                              idempotency_key="recover-8")
    assert refused.value.code == errors.NOTHING_TO_RECOVER
    assert state() == before


def test_recovering_from_another_merchant_than_the_claims_is_refused(operator, consumer, merchant,
                                                                      other_merchant) -> None:
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-8", amount_fen=3000)
    before = state()
    with pytest.raises(DomainError) as refused:
        services.fund_recover(actor=operator, claim_reference="AS-8", merchant=other_merchant, amount_fen=100,
                              idempotency_key="recover-8b")
    assert refused.value.code == errors.NOTHING_TO_RECOVER
    assert state() == before


def test_an_unbalanced_journal_is_refused_and_nothing_moves(operator) -> None:
    contribute(operator, 10_000)
    fund = Account.objects.get(kind=AccountKind.FUND)
    clearing = Account.objects.get(kind=AccountKind.PROVIDER_CLEARING)
    before = state()
    with pytest.raises(DomainError) as refused:
        services.journal_post(key="unbalanced-1", kind=JournalKind.CONTRIBUTION, amount_fen=10,
                              legs=[Leg(fund, 10), Leg(clearing, -9)])
    assert refused.value.code == errors.JOURNAL_UNBALANCED
    assert state() == before


def test_an_unknown_account_is_refused_and_nothing_moves(operator) -> None:
    contribute(operator, 10_000)
    fund = Account.objects.get(kind=AccountKind.FUND)
    before = state()
    with pytest.raises(DomainError) as refused:
        services.journal_post(key="unknown-1", kind=JournalKind.CONTRIBUTION, amount_fen=10,
                              legs=[Leg(fund, -10), Leg(Account(pk=999_999, kind=AccountKind.PAYOUTS), 10)])
    assert refused.value.code == errors.ACCOUNT_NOT_FOUND
    assert state() == before


def test_a_deposit_only_recovery_can_be_reversed_once(operator, consumer, merchant, merchant_admin) -> None:
    contribute(operator, 100_000)
    payout(operator, consumer, merchant, claim="AS-5", amount_fen=500)
    services.deposit_collect(actor=merchant_admin, merchant=merchant, amount_fen=1000, idempotency_key="deposit-5")
    recovery = services.fund_recover(actor=operator, claim_reference="AS-5", merchant=merchant, amount_fen=500,
                                     idempotency_key="recover-5")
    # when
    services.reversal(actor=operator, journal_id=recovery.pk, reason="误操作", idempotency_key="reverse-5")
    # then
    assert balance(AccountKind.MERCHANT_DEPOSIT, merchant) == 1000
    assert balance(AccountKind.RECOVERIES_RECEIVABLE, merchant) == 500
    assert sums_match()
    before = state()
    with pytest.raises(DomainError) as refused:
        services.reversal(actor=operator, journal_id=recovery.pk, reason="再来一次", idempotency_key="reverse-5b")
    assert refused.value.code == errors.ALREADY_REVERSED
    assert state() == before


def test_a_journal_with_a_provider_transfer_is_not_reversed_by_hand(operator, consumer, merchant) -> None:
    contribute(operator, 100_000)
    journal = payout(operator, consumer, merchant)
    before = state()
    with pytest.raises(DomainError) as refused:
        services.reversal(actor=operator, journal_id=journal.pk, reason="试试", idempotency_key="reverse-x1")
    assert refused.value.code == errors.NOT_REVERSIBLE
    assert state() == before


def test_journals_and_postings_cannot_be_edited_or_deleted(operator) -> None:
    contribute(operator, 10_000)
    for statement in (
        lambda: Journal.objects.update(memo="changed"),
        lambda: Posting.objects.update(amount_fen=1),
        lambda: Posting.objects.all().delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    assert sums_match()


def test_the_database_refuses_a_negative_fund_balance(operator) -> None:
    contribute(operator, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(kind=AccountKind.FUND).update(balance_fen=-1)

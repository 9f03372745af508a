"""The provider's transfer notices: confirmed once, a failed payout reversed once, forged and replayed ones refused
or ignored without changing anything."""

from __future__ import annotations

import pytest

from xinren.aftersales.fund import errors, services
from xinren.aftersales.fund.callbacks import transfer_webhook_receive
from xinren.aftersales.fund.choices import AccountKind, CallbackOutcome, JournalKind
from xinren.aftersales.models.fund import FundCallback, Journal
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.orders.payments.sandbox_models import SandboxTransfer, SandboxWebhookEvent
from xinren.orders.payments.signatures import SIGNATURE_HEADER, webhook_secrets, webhook_sign

from .fund_setup import balance, contribute, fund_balance, key, state, sums_match

pytestmark = pytest.mark.django_db


def pay(operator, consumer, merchant, amount_fen: int, claim: str = "AS-1"):  # type: ignore[no-untyped-def]
    return services.fund_payout(actor=operator, claim_reference=claim, consumer=consumer, merchant=merchant,
                                amount_fen=amount_fen, reason="坏单包赔", idempotency_key=key("payout"))


def notice_of(journal: Journal) -> bytes:
    """The body of the provider's notice about the journal's transfer."""
    event = next(e for e in SandboxWebhookEvent.objects.filter(event_type__startswith="transfer.")
                 if journal.provider_ref in e.body)
    return event.body.encode()


def signed(body: bytes, secret: str | None = None) -> dict[str, str]:
    secrets = [secret] if secret else webhook_secrets()[:1]
    return {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=int(clock.now().timestamp()), secrets=secrets)}


def test_the_providers_notice_confirms_a_payout_and_completes_its_transfer(operator, consumer, merchant,
                                                                          run_tasks) -> None:
    # given
    contribute(operator, 100_000)
    journal = pay(operator, consumer, merchant, 5000)
    assert SandboxTransfer.objects.get(ref=journal.provider_ref).status == "processing"
    # when
    run_tasks()
    # then
    callback = FundCallback.objects.get(transfer_ref=journal.provider_ref)
    assert callback.outcome == CallbackOutcome.CONFIRMED
    assert SandboxTransfer.objects.get(ref=journal.provider_ref).status == "succeeded"
    assert fund_balance() == 95_000


def test_a_failed_payout_is_reversed_and_the_claim_can_be_paid_again(operator, consumer, merchant,
                                                                      run_tasks) -> None:
    # given: an amount ending in 13 fen fails at the payee (the sandbox's trigger)
    contribute(operator, 100_000)
    journal = pay(operator, consumer, merchant, 5013, claim="AS-13")
    # when
    run_tasks()
    # then
    reversal = Journal.objects.get(reverses=journal)
    assert reversal.kind == JournalKind.REVERSAL
    assert fund_balance() == 100_000
    assert balance(AccountKind.RECOVERIES_RECEIVABLE, merchant) == 0
    assert services.claim_paid_fen(claim_reference="AS-13") == 0
    assert sums_match()
    pay(operator, consumer, merchant, 5000, claim="AS-13")
    assert fund_balance() == 95_000


def test_a_replayed_notice_changes_nothing(operator, consumer, merchant, run_tasks) -> None:
    contribute(operator, 100_000)
    journal = pay(operator, consumer, merchant, 5013)
    run_tasks()
    body = notice_of(journal)
    before = state()
    # when: the same notice, freshly signed, twice more
    first = transfer_webhook_receive(provider_name="sandbox", body=body, headers=signed(body))
    second = transfer_webhook_receive(provider_name="sandbox", body=body, headers=signed(body))
    # then
    assert first is not None and second is not None and first.pk == second.pk
    assert state() == before
    assert Journal.objects.filter(reverses=journal).count() == 1


def test_a_forged_notice_is_refused_and_changes_nothing(operator, consumer, merchant) -> None:
    contribute(operator, 100_000)
    journal = pay(operator, consumer, merchant, 5013)
    body = notice_of(journal)
    before = state()
    with pytest.raises(DomainError) as refused:
        transfer_webhook_receive(provider_name="sandbox", body=body, headers=signed(body, secret="whsec_forger"))
    assert refused.value.code == errors.CALLBACK_FORGED
    tampered = body.replace(b'"amount_fen":5013', b'"amount_fen":9913')
    with pytest.raises(DomainError) as refused_too:
        transfer_webhook_receive(provider_name="sandbox", body=tampered, headers=signed(body))
    assert refused_too.value.code == errors.CALLBACK_FORGED
    assert state() == before


def test_a_stale_notice_is_refused(operator, consumer, merchant) -> None:
    contribute(operator, 100_000)
    journal = pay(operator, consumer, merchant, 5013)
    body = notice_of(journal)
    headers = {SIGNATURE_HEADER: webhook_sign(body=body, timestamp=int(clock.now().timestamp()) - 3600,
                                              secrets=webhook_secrets()[:1])}
    before = state()
    with pytest.raises(DomainError) as refused:
        transfer_webhook_receive(provider_name="sandbox", body=body, headers=headers)
    assert refused.value.code == errors.CALLBACK_FORGED
    assert state() == before


def test_a_signed_notice_about_a_transfer_the_ledger_does_not_know_is_refused(operator) -> None:
    body = (b'{"created":1,"data":{"transfer":{"amount_fen":100,"currency":"CNY","failure_code":"","id":"sbx_tr_x",'
            b'"kind":"payout","party":"u1","reference":"r","status":"succeeded"}},"id":"evt_x",'
            b'"type":"transfer.succeeded"}')
    before = state()
    with pytest.raises(DomainError) as refused:
        transfer_webhook_receive(provider_name="sandbox", body=body, headers=signed(body))
    assert refused.value.code == errors.CALLBACK_UNKNOWN
    assert state() == before

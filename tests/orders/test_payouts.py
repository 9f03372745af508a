"""Merchant payouts (结算): created at delivery, due after the hold (7 days, or governance's longer hold), paid
through the provider's settlement call; held while governance holds payouts; intercepted on a blacklist hit."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts import blacklist
from xinren.accounts.choices import RestrictionKind, RestrictionSource, Role
from xinren.accounts.keyed import keyed_hash
from xinren.accounts.restrictions import restriction_impose, restrictions_lift
from xinren.core import clock
from xinren.core.errors import InvalidInput, PermissionDenied
from xinren.orders.models import MerchantPayout, Order, Payment, PayoutAccount
from xinren.orders.payments.provider import ProviderTransferKind
from xinren.orders.payments.sandbox import SandboxPaymentProvider
from xinren.orders.payments.sandbox_models import SandboxTransfer
from xinren.orders.payout_models import PayoutStatus
from xinren.orders.payouts import account_number_of, payout_account_set, payouts_pay_due
from xinren.orders.services import order_delivery_confirm
from xinren.orders.tasks import payouts_pay_due_task

from ..factories import actor_for
from .flows import order_shipped

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
ACCOUNT = "6222 0212 3456 7890 123"


def _delivered(merchant_actor, consumer, order, items) -> MerchantPayout:  # type: ignore[no-untyped-def]
    order_shipped(merchant_actor, order, items[:2])
    order_delivery_confirm(consumer=consumer, order_number=order.number)
    return MerchantPayout.objects.get(order=order)


def _restrict(merchant, kind, value=None, reason="新手期（规则第 1 版）"):  # type: ignore[no-untyped-def]
    restriction_impose(
        organization=merchant,
        kind=kind,
        value=value,
        source=RestrictionSource.PROBATION,
        reason=reason,
        reference="probation:1",
    )


def test_an_account_is_kept_as_a_hash_the_last_four_and_sealed(merchant, merchant_admin):
    account = payout_account_set(
        actor=merchant_admin, bank_name="中国工商银行昆明分行", holder_name="昆明山野菌菇店", account_number=ACCOUNT
    )
    assert (account.last4, account.account_hash) == ("0123", keyed_hash("bank_account", "6222021234567890123"))
    assert b"6222021234567890123" not in bytes(account.account_sealed)
    assert account_number_of(account) == "6222021234567890123"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"account_number": "12ab"}, "account_number"),
        ({"bank_name": "银"}, "bank_name"),
        ({"holder_name": ""}, "holder_name"),
    ],
)
def test_a_bad_account_is_refused_with_nothing_written(merchant_admin, fields, field):
    values = {"bank_name": "中国工商银行", "holder_name": "昆明山野菌菇店", "account_number": ACCOUNT, **fields}
    with pytest.raises(InvalidInput) as refused:
        payout_account_set(actor=merchant_admin, **values)
    assert refused.value.details == {"field": field}
    assert PayoutAccount.objects.count() == 0


def test_only_admins_set_the_account(merchant, merchant_actor):
    with pytest.raises(PermissionDenied):
        payout_account_set(actor=merchant_actor, bank_name="中国工商银行", holder_name="店", account_number=ACCOUNT)
    assert PayoutAccount.objects.count() == 0


def test_delivery_makes_a_payout_due_after_seven_days_and_it_is_paid(
    merchant, merchant_actor, merchant_admin, consumer, paid_order, items
):
    # given
    payout_account_set(
        actor=merchant_admin, bank_name="中国工商银行", holder_name="昆明山野菌菇店", account_number=ACCOUNT
    )
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    delivered_at = Order.objects.get(pk=paid_order.pk).delivered_at
    assert (payout.amount_fen, payout.hold_days, payout.due_at, payout.status) == (
        25600,
        7,
        delivered_at + 7 * DAY,
        PayoutStatus.PENDING,
    )
    # when: not yet due, then due
    assert payouts_pay_due(now=delivered_at + 6 * DAY)["paid"] == 0
    done = payouts_pay_due(now=delivered_at + 7 * DAY)
    # then
    payout.refresh_from_db()
    assert done["paid"] == 1
    assert (payout.status, payout.paid_at, payout.provider) == (PayoutStatus.PAID, delivered_at + 7 * DAY, "sandbox")
    transfer = SandboxTransfer.objects.get(ref=payout.transfer_ref)
    assert (transfer.kind, transfer.amount_fen, transfer.party) == (
        ProviderTransferKind.MERCHANT_SETTLE,
        25600,
        f"org:{merchant.pk}",
    )
    # settlements are not escrow transfers: the fund's reconciliation does not see them
    assert SandboxPaymentProvider().transfer_list() == []
    # and running again pays nothing twice
    assert payouts_pay_due(now=delivered_at + 8 * DAY)["paid"] == 0
    assert SandboxTransfer.objects.count() == 1


def test_refunds_made_during_the_hold_are_not_paid_out(merchant_actor, merchant_admin, consumer, paid_order, items):
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    Payment.objects.filter(order=paid_order).update(refunded_fen=12800)
    payouts_pay_due(now=payout.due_at)
    payout.refresh_from_db()
    assert (payout.status, payout.amount_fen) == (PayoutStatus.PAID, 12800)


def test_governance_lengthens_the_hold(merchant, merchant_actor, merchant_admin, consumer, paid_order, items):
    _restrict(merchant, RestrictionKind.PAYOUT_HOLD_DAYS, 14)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    assert payout.hold_days == 14
    assert payout.due_at == Order.objects.get(pk=paid_order.pk).delivered_at + 14 * DAY


def test_a_hold_imposed_after_delivery_postpones_the_payout(
    merchant, merchant_actor, merchant_admin, consumer, paid_order, items
):
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    _restrict(merchant, RestrictionKind.PAYOUT_HOLD_DAYS, 14)
    payouts_pay_due(now=payout.due_at)
    payout.refresh_from_db()
    assert (payout.status, payout.hold_days, payout.reason) == (PayoutStatus.PENDING, 14, "新手期（规则第 1 版）")
    assert SandboxTransfer.objects.count() == 0


def test_held_payouts_wait_with_the_reason_and_are_paid_once_lifted(
    merchant, merchant_actor, merchant_admin, consumer, paid_order, items
):
    # given
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    _restrict(merchant, RestrictionKind.PAYOUTS_HELD, reason="风险评估：退款率异常")
    # when
    done = payouts_pay_due(now=payout.due_at)
    # then
    payout.refresh_from_db()
    assert done["held"] == 1
    assert (payout.status, payout.reason) == (PayoutStatus.HELD, "风险评估：退款率异常")
    assert SandboxTransfer.objects.count() == 0
    # when lifted
    restrictions_lift(organization=merchant, source=RestrictionSource.PROBATION)
    payouts_pay_due(now=payout.due_at + DAY)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID


def test_without_an_account_the_payout_is_held(merchant_actor, consumer, paid_order, items):
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    payouts_pay_due(now=payout.due_at)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.HELD and "结算账户" in payout.reason


def test_a_blacklisted_account_is_intercepted(monkeypatch, merchant_actor, merchant_admin, consumer, paid_order, items):
    # given
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    screened = []

    def screen(*, stage, entities, subject=""):  # type: ignore[no-untyped-def]
        screened.append((stage, dict(entities), subject))
        return blacklist.ScreenResult(intercepted=True, reasons=("bank_account",))

    monkeypatch.setattr(blacklist, "screen", screen)
    # when
    payouts_pay_due(now=payout.due_at)
    # then
    payout.refresh_from_db()
    assert screened == [("payout", {"bank_account": "6222021234567890123"}, f"payout:{payout.pk}")]
    assert payout.status == PayoutStatus.INTERCEPTED
    assert SandboxTransfer.objects.count() == 0


def test_a_failed_settlement_stays_pending_with_its_code(merchant_actor, merchant_admin, consumer, paid_order, items):
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    Payment.objects.filter(order=paid_order).update(refunded_fen=87)  # 25513 fen: the sandbox fails ...13
    payouts_pay_due(now=payout.due_at)
    payout.refresh_from_db()
    assert (payout.status, payout.failure_code, payout.attempts) == (PayoutStatus.PENDING, "payee_account_abnormal", 1)


def test_the_task_pays_what_is_due(run_tasks, merchant_actor, merchant_admin, consumer, paid_order, items):
    payout_account_set(actor=merchant_admin, bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT)
    payout = _delivered(merchant_actor, consumer, paid_order, items)
    MerchantPayout.objects.filter(pk=payout.pk).update(due_at=clock.now() - DAY)
    assert payouts_pay_due_task.call()["paid"] == 1


def test_a_viewer_cannot_set_the_account(merchant):
    with pytest.raises(PermissionDenied):
        payout_account_set(
            actor=actor_for(merchant, Role.VIEWER), bank_name="中国工商银行", holder_name="店铺", account_number=ACCOUNT
        )

"""Merchant settlements (结算, ADR 0044): each delivered order owes its merchant what was paid minus what was
refunded, due `XINREN_PAYOUT_HOLD_DAYS` (7) after delivery, or governance's longer `payout_hold_days`.

`payouts_pay_due` (periodic, src/xinren/schedule.py) pays what is due through the provider's `merchant_settle`
(orders/payments/provider.py `SettlementProvider`, docs/payments.md) after two checks: a merchant whose payouts
governance holds (`payouts_held`) is skipped and the payout marked held with the reason; the merchant's bank
account is screened against the blacklist (`accounts.blacklist.screen(stage="payout")`) and a hit intercepts
the payout. A held payout is looked at again on every run and paid once the hold is lifted.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinren.accounts import blacklist
from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.keyed import keyed_hash, normalise
from xinren.accounts.models import Organization
from xinren.accounts.restrictions import limits_for
from xinren.attest.keys import seed_decrypt, seed_encrypt
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput

from . import errors
from .models import Order, Payment
from .payments import provider_get
from .payments.provider import ProviderError, ProviderTransferStatus, SettlementProvider
from .payout_models import MerchantPayout, PayoutAccount, PayoutStatus

DEFAULT_HOLD_DAYS = 7
MAX_ATTEMPTS = 10
_ACCOUNT = re.compile(r"^\d{8,30}$")


def hold_days_default() -> int:
    return int(getattr(settings, "XINREN_PAYOUT_HOLD_DAYS", DEFAULT_HOLD_DAYS))


def _hold_days(merchant: Organization, *, at: datetime) -> int:
    restricted = limits_for(merchant, at=at).payout_hold_days
    return max(hold_days_default(), restricted or 0)


def _sealed_id(organization_id: int) -> str:
    return f"payout-account:{organization_id}"


def account_number_of(account: PayoutAccount) -> str:
    """The account number in the clear: only for the provider and the blacklist screen, never for a page."""
    return seed_decrypt(bytes(account.account_sealed), key_id=_sealed_id(account.organization_id)).decode()


@transaction.atomic
def payout_account_set(*, actor: Actor, bank_name: str, holder_name: str, account_number: str) -> PayoutAccount:
    """Register (or replace) the bank account the actor's organization is paid into. Admins only."""
    actor.require(role=Role.ADMIN, kinds=CATALOG_KINDS)
    bank_name, holder_name = " ".join(bank_name.split()), " ".join(holder_name.split())
    if not 2 <= len(bank_name) <= 64:
        raise InvalidInput(
            errors.PAYOUT_ACCOUNT_INVALID, _("请填写开户银行（2–64 字）"), details={"field": "bank_name"}
        )
    if not 2 <= len(holder_name) <= 128:
        raise InvalidInput(
            errors.PAYOUT_ACCOUNT_INVALID, _("请填写开户名（与营业执照上的名称一致）"), details={"field": "holder_name"}
        )
    number = normalise("bank_account", account_number)
    if not _ACCOUNT.match(number):
        raise InvalidInput(
            errors.PAYOUT_ACCOUNT_INVALID, _("银行账号应为 8–30 位数字"), details={"field": "account_number"}
        )
    organization = actor.organization
    account, _created = PayoutAccount.objects.update_or_create(
        organization=organization,
        defaults={
            "bank_name": bank_name,
            "holder_name": holder_name,
            "account_hash": keyed_hash("bank_account", number),
            "account_sealed": seed_encrypt(number.encode(), key_id=_sealed_id(organization.pk)),
            "last4": number[-4:],
        },
    )
    audit_record(
        actor=actor.user,
        organization=organization,
        action="payout_account.set",
        target=account,
        data={"bank_name": bank_name, "last4": account.last4},
    )
    return account


def _settled_fen(order: Order) -> int:
    totals = Payment.objects.filter(order=order).aggregate(captured=Sum("captured_fen"), refunded=Sum("refunded_fen"))
    return max(0, (totals["captured"] or 0) - (totals["refunded"] or 0))


def payout_create_for_delivery(*, order: Order, at: datetime) -> MerchantPayout:
    """The settlement of an order just delivered (called in the delivery's transaction; once per order)."""
    hold_days = _hold_days(order.merchant, at=at)
    payout, _created = MerchantPayout.objects.get_or_create(
        order=order,
        defaults={
            "merchant": order.merchant,
            "amount_fen": _settled_fen(order),
            "hold_days": hold_days,
            "due_at": at + timedelta(days=hold_days),
        },
    )
    return payout


def _hold(payout: MerchantPayout, *, status: str, reason: str, now: datetime) -> None:
    changed = payout.status != status or payout.reason != reason[:255]
    payout.status, payout.reason = status, reason[:255]
    payout.save(update_fields=["status", "reason", "updated_at"])
    if changed:
        audit_record(
            actor=None,
            organization=payout.merchant,
            action=f"payout.{status}",
            target=payout,
            data={"reason": payout.reason},
        )


@transaction.atomic
def payout_pay(*, payout_id: int, now: datetime | None = None) -> str:
    """Pay one due payout, or hold or intercept it; returns its status afterwards. Safe to repeat: the provider
    call carries the payout's idempotency key and a paid payout is left alone."""
    now = now or clock.now()
    payout = (
        MerchantPayout.objects.select_for_update(of=("self",)).select_related("merchant", "order").get(pk=payout_id)
    )
    if payout.status not in (PayoutStatus.PENDING, PayoutStatus.HELD) or payout.due_at > now:
        return payout.status
    merchant = payout.merchant
    limits = limits_for(merchant, at=now)
    if limits.payouts_held:
        _hold(payout, status=PayoutStatus.HELD, reason=limits.reasons["payouts_held"], now=now)
        return payout.status
    delivered_at = payout.order.delivered_at or payout.due_at - timedelta(days=payout.hold_days)
    if limits.payout_hold_days and delivered_at + timedelta(days=limits.payout_hold_days) > now:
        payout.hold_days = limits.payout_hold_days  # a longer hold imposed after delivery
        payout.due_at = delivered_at + timedelta(days=limits.payout_hold_days)
        payout.status, payout.reason = PayoutStatus.PENDING, limits.reasons["payout_hold_days"][:255]
        payout.save(update_fields=["hold_days", "due_at", "status", "reason", "updated_at"])
        return payout.status
    account = PayoutAccount.objects.filter(organization=merchant).first()
    if account is None:
        _hold(payout, status=PayoutStatus.HELD, reason=gettext("未登记结算账户：请在“结算”页填写银行账户"), now=now)
        return payout.status
    result = blacklist.screen(
        stage="payout", entities={"bank_account": account_number_of(account)}, subject=f"payout:{payout.pk}"
    )
    if result.intercepted:
        _hold(
            payout,
            status=PayoutStatus.INTERCEPTED,
            reason=gettext("结算账户命中平台黑名单，已拦截，请联系平台"),
            now=now,
        )
        return payout.status
    payout.amount_fen = _settled_fen(payout.order)  # refunds made during the hold are not the merchant's
    if payout.amount_fen == 0:
        payout.status, payout.paid_at, payout.reason = PayoutStatus.PAID, now, gettext("订单已全额退款，无需结算")
        payout.save(update_fields=["amount_fen", "status", "paid_at", "reason", "updated_at"])
        audit_record(actor=None, organization=merchant, action="payout.paid", target=payout, data={"amount_fen": 0})
        return payout.status
    provider = provider_get()
    payout.provider, payout.attempts = provider.name, F("attempts") + 1
    try:
        if not isinstance(provider, SettlementProvider):
            raise ProviderError("settlement_unsupported", "this provider cannot settle merchants")
        transfer = provider.merchant_settle(
            reference=f"payout:{payout.pk}",
            merchant=f"org:{merchant.pk}",
            account_hash=account.account_hash,
            amount_fen=payout.amount_fen,
            description=f"order {payout.order.number}",
            idempotency_key=f"payout:{payout.pk}:{payout.amount_fen}",
        )
    except ProviderError as exc:
        payout.failure_code, payout.reason = exc.code[:64], gettext("支付渠道暂时无法结算，将自动重试")
    else:
        payout.transfer_ref = transfer.transfer_ref
        if transfer.status == ProviderTransferStatus.SUCCEEDED:
            payout.status, payout.paid_at, payout.reason, payout.failure_code = PayoutStatus.PAID, now, "", ""
        else:
            payout.failure_code = transfer.failure_code[:64] or transfer.status
            payout.reason = gettext("银行退回了这笔结算，请核对结算账户")
    payout.save()
    payout.refresh_from_db()
    audit_record(
        actor=None,
        organization=merchant,
        action=f"payout.{'paid' if payout.status == PayoutStatus.PAID else 'failed'}",
        target=payout,
        data={"amount_fen": payout.amount_fen, "transfer": payout.transfer_ref, "failure_code": payout.failure_code},
    )
    return payout.status


def payouts_pay_due(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic: pay (or hold, or intercept) every payout due, each in its own transaction."""
    now = now or clock.now()
    due = MerchantPayout.objects.filter(
        Q(status=PayoutStatus.PENDING) | Q(status=PayoutStatus.HELD), due_at__lte=now, attempts__lt=MAX_ATTEMPTS
    ).order_by("due_at", "id")
    done: dict[str, int] = {status: 0 for status in PayoutStatus.values}
    for payout_id in list(due.values_list("pk", flat=True)):
        done[payout_pay(payout_id=payout_id, now=now)] += 1
    return done


def payouts_of(*, actor: Actor) -> list[MerchantPayout]:
    """The actor's organization's payouts, newest due first (the merchant's 结算 page)."""
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    return list(MerchantPayout.objects.filter(merchant=actor.organization).select_related("order")[:200])

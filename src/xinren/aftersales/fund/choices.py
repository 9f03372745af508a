"""Kinds of fund accounts and journals, and which accounts may never go below zero."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    # Money held in the platform's escrow account at the provider, earmarked for paying first.
    FUND = "fund", _("先行赔付基金")
    # A merchant's deposit (保证金), one per merchant organization; also held in escrow.
    MERCHANT_DEPOSIT = "merchant_deposit", _("商家保证金")
    # What a merchant still owes the fund for payouts made on its behalf, one per merchant organization.
    RECOVERIES_RECEIVABLE = "recoveries_receivable", _("应追偿款")
    # The counterpart of every receivable: payouts made and not yet recovered (goes negative).
    PAYOUTS = "payouts", _("先行赔付（待追偿冲抵）")
    # An insurer's money held for its policies, and what it owes the fund (insurance; one per insurer).
    INSURER = "insurer", _("保险公司账户")
    INSURER_RECEIVABLE = "insurer_receivable", _("应收保险赔款")
    # The world outside the escrow account: money in is a debit here, money out a credit. Its balance is minus
    # what the provider holds for the platform, which reconciliation checks.
    PROVIDER_CLEARING = "provider_clearing", _("支付渠道清算")


# Accounts that hold real money: they can never be overdrawn (a CHECK constraint on the stored balance too).
NON_NEGATIVE_KINDS = frozenset({AccountKind.FUND, AccountKind.MERCHANT_DEPOSIT, AccountKind.INSURER})
# Accounts that belong to one organization (the others are the platform's, one each).
PER_ORGANIZATION_KINDS = frozenset(
    {AccountKind.MERCHANT_DEPOSIT, AccountKind.RECOVERIES_RECEIVABLE, AccountKind.INSURER,
     AccountKind.INSURER_RECEIVABLE}
)


class JournalKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("基金注资")
    DEPOSIT = "deposit", _("缴纳保证金")
    PAYOUT = "payout", _("先行赔付")
    RECOVERY = "recovery", _("追偿")
    REVERSAL = "reversal", _("冲正")
    INSURER_FUNDING = "insurer_funding", _("保险公司备付金")
    INSURANCE_PAYOUT = "insurance_payout", _("保险赔付")


# Journals that pay a consumer for a claim: at most one of each kind stands per claim reference.
PAYOUT_KINDS = frozenset({JournalKind.PAYOUT, JournalKind.INSURANCE_PAYOUT})


class PolicyKind(models.TextChoices):
    # 正品险: a confirmed counterfeit pays a multiple of the price (at least the statutory floor).
    AUTHENTIC = "authentic", _("正品险")
    # 品质险: a quality failure pays the return shipping plus a set amount.
    QUALITY = "quality", _("品质险")


class CallbackOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    REVERSED = "reversed", _("转账失败，已冲正")

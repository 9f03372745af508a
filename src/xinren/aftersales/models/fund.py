"""The fund's double-entry ledger: accounts with a stored balance, journals that are never edited, and postings
that sum to zero within each journal (docs/fund.md). Journals and postings are kept by database triggers
(fund/kept.py); a correction is a reversal journal."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.aftersales.fund.choices import (
    NON_NEGATIVE_KINDS,
    AccountKind,
    CallbackOutcome,
    JournalKind,
    PolicyKind,
)
from xinren.core.money import FenField

__all__ = [
    "Account", "FundCallback", "InsurancePolicy", "InsuranceSubscription", "Journal", "Posting", "Reconciliation",
]


class Account(models.Model):
    """One account of the fund's ledger; `balance_fen` is the sum of its postings, kept under row lock."""

    kind = models.CharField(_("类型"), max_length=24, choices=AccountKind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_accounts",
        verbose_name=_("组织"),
    )
    non_negative = models.BooleanField(_("不得为负"), default=False)
    balance_fen = FenField(_("余额（分）"), default=0)
    created_at = models.DateTimeField(_("开立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("基金账户")
        verbose_name_plural = _("基金账户")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organization"], name="fund_account_one_per_kind_and_org",
                condition=Q(organization__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind"], name="fund_account_one_platform_account_per_kind",
                condition=Q(organization__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(non_negative=False) | Q(balance_fen__gte=0), name="fund_account_non_negative_balance"
            ),
            models.CheckConstraint(
                condition=Q(non_negative=False) | Q(kind__in=sorted(NON_NEGATIVE_KINDS)),
                name="fund_account_non_negative_kinds",
            ),
        ]

    def __str__(self) -> str:
        owner = f" org:{self.organization_id}" if self.organization_id else ""
        return f"{self.kind}{owner}"


class Journal(models.Model):
    """One movement of money: its postings sum to zero. Never edited; a reversal is a new journal."""

    key = models.CharField(_("幂等键"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=24, choices=JournalKind.choices)
    memo = models.CharField(_("说明"), max_length=200, blank=True)
    # What caused it: a claim reference string (the after-sales request's), never an order number.
    reference = models.CharField(_("关联单号"), max_length=80, blank=True, db_index=True)
    amount_fen = FenField(_("金额（分）"))
    merchant = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="fund_journals",
        verbose_name=_("商家"),
    )
    consumer_ref = models.CharField(_("消费者化名"), max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by",
        verbose_name=_("冲正的分录"),
    )
    provider = models.CharField(_("支付渠道"), max_length=32, blank=True)
    provider_ref = models.CharField(_("渠道转账单号"), max_length=64, blank=True)
    statement_leaf_hash = models.CharField(_("声明"), max_length=64, blank=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("基金分录")
        verbose_name_plural = _("基金分录")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="fund_journal_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="fund_journal_one_per_provider_transfer",
                condition=~Q(provider_ref=""),
            ),
        ]
        indexes = [models.Index(fields=["merchant", "id"], name="fund_journal_merchant_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Posting(models.Model):
    """One line of a journal: a signed amount on one account (never zero)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_fen = FenField(_("金额（分）"))

    class Meta:
        verbose_name = _("基金分录行")
        verbose_name_plural = _("基金分录行")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="fund_posting_not_zero")]
        indexes = [models.Index(fields=["account", "id"], name="fund_posting_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen:+d}"


class FundCallback(models.Model):
    """A provider's signed notice about one transfer, accepted once: replays of it find this row and change nothing."""

    provider = models.CharField(_("支付渠道"), max_length=32)
    event_id = models.CharField(_("通知编号"), max_length=64)
    transfer_ref = models.CharField(_("渠道转账单号"), max_length=64)
    status = models.CharField(_("渠道状态"), max_length=16)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=CallbackOutcome.choices)
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="callbacks")
    received_at = models.DateTimeField(_("收到时间"))

    class Meta:
        verbose_name = _("渠道转账通知")
        verbose_name_plural = _("渠道转账通知")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="fund_callback_event_once"),
            # A transfer has one final outcome; a second notice about it (another id, same news) changes nothing.
            models.UniqueConstraint(fields=["provider", "transfer_ref"], name="fund_callback_transfer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.status}"


class Reconciliation(models.Model):
    """One run of the reconciliation against the provider (fund/reconcile.py), kept for the operators' page."""

    ran_at = models.DateTimeField(_("对账时间"), db_index=True)
    provider = models.CharField(_("支付渠道"), max_length=32)
    ok = models.BooleanField(_("一致"))
    drift_count = models.PositiveIntegerField(_("差异数"))
    double_payments = models.PositiveIntegerField(_("重复赔付数"))
    result = models.JSONField(_("结果"))

    class Meta:
        verbose_name = _("基金对账")
        verbose_name_plural = _("基金对账")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'drift'}"


class InsurancePolicy(models.Model):
    """A policy an insurer publishes (正品险 / 品质险); its promise is checked against the statutory floors when
    published (fund/insurance.py) and never edited afterwards: a new promise is a new policy."""

    insurer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="insurance_policies",
                                verbose_name=_("保险公司"))
    kind = models.CharField(_("险种"), max_length=16, choices=PolicyKind.choices)
    title = models.CharField(_("名称"), max_length=80)
    covers_food = models.BooleanField(_("适用于食品"), default=False)
    # 正品险: pays max(multiple × price, minimum_fen) (and, for food, at least 3 × the loss).
    price_multiple = models.PositiveSmallIntegerField(_("价款倍数"), default=0)
    minimum_fen = FenField(_("最低赔付（分）"), default=0)
    # 品质险: pays the return shipping (if promised) plus a set amount.
    pays_return_shipping = models.BooleanField(_("赔付退货运费"), default=False)
    fixed_fen = FenField(_("固定赔付（分）"), default=0)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保险条款")
        verbose_name_plural = _("保险条款")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_fen__gte=0, fixed_fen__gte=0), name="insurance_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InsuranceSubscription(models.Model):
    """A merchant covered by a policy: claims against the merchant that meet the policy are paid by the insurer."""

    policy = models.ForeignKey(InsurancePolicy, on_delete=models.PROTECT, related_name="subscriptions")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="insurance_subscriptions",
                                 verbose_name=_("商家"))
    created_at = models.DateTimeField(_("投保时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投保")
        verbose_name_plural = _("投保")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "merchant"], name="insurance_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} org:{self.merchant_id}"

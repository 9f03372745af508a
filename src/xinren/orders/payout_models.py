"""Merchant settlements (结算): what each delivered order owes its merchant and where it is paid (payouts.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.core.models import TimeStampedModel
from xinren.core.money import FenField


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("待结算")
    HELD = "held", _("暂停结算")
    PAID = "paid", _("已结算")
    INTERCEPTED = "intercepted", _("已拦截")


class PayoutAccount(TimeStampedModel):
    """The bank account a merchant is paid into. The number is kept sealed (AES-GCM, for the provider and the
    blacklist screen) with a keyed hash for matching and the last four digits for display; never in the clear."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="payout_account")
    bank_name = models.CharField(_("开户银行"), max_length=64)
    holder_name = models.CharField(_("开户名"), max_length=128)
    account_hash = models.CharField(_("账号指纹"), max_length=64)
    account_sealed = models.BinaryField(_("加密账号"))
    last4 = models.CharField(_("账号后四位"), max_length=4)

    class Meta:
        verbose_name = _("结算账户")
        verbose_name_plural = _("结算账户")

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.last4}"


class MerchantPayout(TimeStampedModel):
    """One delivered order's settlement to its merchant: paid minus refunded, due `hold_days` after delivery."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="payout")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payouts")
    amount_fen = FenField(_("结算金额（分）"))
    hold_days = models.PositiveSmallIntegerField(_("结算周期（天）"))
    due_at = models.DateTimeField(_("应结算时间"))
    status = models.CharField(_("状态"), max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    paid_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    provider = models.CharField(_("支付渠道"), max_length=32, blank=True)
    transfer_ref = models.CharField(_("渠道转账单号"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    failure_code = models.CharField(_("失败原因"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("商家结算")
        verbose_name_plural = _("商家结算")
        ordering = ["-due_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="payout_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="payout_amount_not_negative"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_at__isnull=False), name="payout_paid_has_time"),
        ]

    def __str__(self) -> str:
        return f"payout {self.order_id}: {self.amount_fen} fen ({self.status})"

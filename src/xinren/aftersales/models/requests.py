"""After-sale requests and guarantee claims on delivered order lines, each move of theirs and each decision.

One row per request or claim (`AfterSaleRequest`); the `kind` says which transition table its `status` follows
(choices.py). At most one is open per order line (a partial unique index) and at most `PER_LINE_MAX` exist per
line (checked under the order line's row lock). Money is integer fen; `refunded_fen` only ever grows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.core.money import FenField
from xinren.evidence.models import MediaFile
from xinren.orders.models import Order, OrderLine, Refund
from xinren.trace.models import TraceEvent

from ..choices import OPEN_STATUSES, DecidedBy, Kind, Level, Outcome, PayoutSource, Status
from .fund import InsurancePolicy, Journal

__all__ = [
    "PER_LINE_MAX", "AfterSaleDecision", "AfterSaleMedia", "AfterSaleRequest", "AfterSaleTransition", "AfterSaleUpload",
    "ClaimSubmission",
]

PER_LINE_MAX = 5


class AfterSaleRequest(models.Model):
    """A consumer's after-sale request (仅退款/退货退款/换货) or guarantee claim on one delivered order line."""

    # The public, pseudonymous reference (statements and URLs name it, never the order number).
    reference = models.CharField(_("售后单号"), max_length=24, unique=True)
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="aftersales")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="aftersales")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="aftersales")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("原因"), max_length=500)
    amount_fen = FenField(_("申请金额（分）"))
    proposed_fen = FenField(_("商家提议金额（分）"), null=True, blank=True)
    agreed_fen = FenField(_("同意金额（分）"), null=True, blank=True)
    refunded_fen = FenField(_("已退金额（分）"), default=0)
    # The consumer's trust level when the request was opened: it sets the refund moment (levels.py).
    level = models.CharField(_("信任等级"), max_length=16, choices=Level.choices)
    # Set when the request answers a recall (the recalls part's id; no foreign key across parts).
    recall_id = models.PositiveBigIntegerField(null=True, blank=True)
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_carrier = models.CharField(_("退货承运商"), max_length=64, blank=True)
    return_tracking = models.CharField(_("退货运单号"), max_length=64, blank=True)
    # The merchant's EPCIS receiving event for the returned items, so the return shows on each item's own trail.
    return_event = models.ForeignKey(TraceEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("申请时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    merchant_deadline = models.DateTimeField(_("商家处理截止"), null=True, blank=True)
    refused_at = models.DateTimeField(_("拒绝时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("申请平台介入时间"), null=True, blank=True)
    handed_off_at = models.DateTimeField(_("快递揽收时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("商家签收时间"), null=True, blank=True)
    refund_due_at = models.DateTimeField(_("应退款时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Who paid (services/payers.py): the price part by refund of the payment or by the fund first (its journal);
    # a compensation on top of the price (假一赔N, 品质险) by the insurer or by the fund first.
    payout_source = models.CharField(_("赔付来源"), max_length=16, choices=PayoutSource.choices, blank=True)
    payout_journal = models.ForeignKey(Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    compensation_fen = FenField(_("赔偿金额（分）"), default=0)
    compensation_basis = models.CharField(_("赔偿依据"), max_length=120, blank=True)
    compensation_source = models.CharField(_("赔偿来源"), max_length=16, choices=PayoutSource.choices, blank=True)
    compensation_journal = models.ForeignKey(Journal, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    loss_fen = FenField(_("损失金额（分）"), default=0)
    # The policy the claim was routed to, and when the insurer must have paid (after it, the fund pays first).
    insurance_policy = models.ForeignKey(InsurancePolicy, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="claims")
    insurer_due_at = models.DateTimeField(_("保险公司赔付截止"), null=True, blank=True)
    payout_attempts = models.PositiveSmallIntegerField(_("赔付尝试次数"), default=0)
    recovered_at = models.DateTimeField(_("追偿完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("售后申请")
        verbose_name_plural = _("售后申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(status__in=sorted(OPEN_STATUSES)),
                                    name="aftersale_one_open_per_line"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="aftersale_amount_not_negative"),
            models.CheckConstraint(condition=Q(refunded_fen__gte=0), name="aftersale_refunded_not_negative"),
            models.CheckConstraint(condition=Q(compensation_fen__gte=0, loss_fen__gte=0),
                                   name="aftersale_compensation_not_negative"),
            models.CheckConstraint(condition=Q(proposed_fen__isnull=True) | Q(proposed_fen__gte=0,
                                                                              proposed_fen__lte=F("amount_fen")),
                                   name="aftersale_proposed_in_range"),
            models.CheckConstraint(condition=Q(agreed_fen__isnull=True) | Q(agreed_fen__gte=0,
                                                                            agreed_fen__lte=F("amount_fen")),
                                   name="aftersale_agreed_in_range"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "merchant_deadline"]),
            models.Index(fields=["consumer", "created_at"]),
            models.Index(fields=["status", "refund_due_at"]),
            models.Index(fields=["status", "insurer_due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.kind}, {self.status})"


class AfterSaleTransition(models.Model):
    """One move of a request along its table: who, when, from what, to what, under which rule, why."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField()
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    by_organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    rule = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("售后状态变更")
        verbose_name_plural = _("售后状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '∅'} → {self.to_status}"


class AfterSaleDecision(models.Model):
    """A decision on a request, as signed into the log (`aftersale.decision`) by whoever decided."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.CharField(_("决定方"), max_length=16, choices=DecidedBy.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    amount_fen = FenField(_("金额（分）"))
    reason = models.CharField(_("理由"), max_length=500)
    rule_id = models.CharField(_("规则"), max_length=64, blank=True)
    rule_version = models.CharField(_("规则版本"), max_length=32, blank=True)
    # Each condition the rule checked and whether it passed: [{"id", "passed", "value"}].
    conditions = models.JSONField(default=list, blank=True)
    leaf_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("售后决定")
        verbose_name_plural = _("售后决定")
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gte=0),
                                              name="aftersale_decision_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.decided_by} {self.outcome} {self.amount_fen}"


class AfterSaleMedia(models.Model):
    """A photo or video the consumer attached, stored once by the evidence pipeline."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, related_name="media")
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("售后凭证")
        verbose_name_plural = _("售后凭证")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "media"], name="aftersale_media_unique")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.media_id}"


class AfterSaleUpload(models.Model):
    """A photo or video a consumer uploaded before submitting a request (two steps, as the WeChat store's after-sales
    API works: upload, then name the upload ids in the request). The file went through the evidence pipeline at
    upload; the request links the file (`AfterSaleMedia`) and the upload is deleted: usable once, by its uploader,
    within UPLOAD_HOURS."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("售后凭证上传")
        verbose_name_plural = _("售后凭证上传")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.consumer_id}: {self.media_id}"


class ClaimSubmission(models.Model):
    """A 坏单包赔 claim as the consumer submitted it, waiting for the batch that takes it in (ADR 0040): the batch
    checks it with the others, under their row locks, and turns it into an `AfterSaleRequest` with this reference,
    or leaves it to the consumer's own call to refuse in words. Deleted when a batch takes it; a row older than a
    minute was left by a process that stopped, and the sweep takes it."""

    reference = models.CharField(max_length=24, unique=True)
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order_number = models.CharField(max_length=32)
    line_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    amount_fen = FenField()
    upload_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("待受理理赔")
        verbose_name_plural = _("待受理理赔")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.kind})"

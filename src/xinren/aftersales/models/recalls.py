"""Recalls (召回): what was recalled, by whom and why, and which buyers it reached.

A `Recall` restates its signed `recall.issued` statement (aftersales/recalls/statements.py), so its signed columns
never change (ADR 0017). Items kept out of sale are `orders.SaleHold` rows referenced "recall:<id>" (ADR
recalls-hold-stock-below-aftersales).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Batch, Item, Product
from xinren.orders.models import Order, OrderLine

from ..recalls.choices import BuyerStage, NoticeChannel, RecallScope, RecallStatus

__all__ = ["Recall", "RecallItem", "RecallNotice"]

REASON_MAX = 500


class Recall(models.Model):
    """One recall of a lot, or of listed serials of one lot, signed by the organization that issued it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="recalls_issued", verbose_name=_("召回方")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="recalls")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("批次"))
    scope = models.CharField(_("范围"), max_length=8, choices=RecallScope.choices)
    reason = models.CharField(_("召回原因"), max_length=REASON_MAX)
    status = models.CharField(_("状态"), max_length=8, choices=RecallStatus.choices, default=RecallStatus.ISSUED)
    issued_at = models.DateTimeField(_("发起时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The figures when issued: recalled items, of them already sold (shipped to a buyer), and buyers affected.
    items_total = models.PositiveIntegerField(_("召回单品数"))
    items_sold = models.PositiveIntegerField(_("已售出"))
    buyers_total = models.PositiveIntegerField(_("涉及买家"))
    # Set when the buyers' notices have all been written (the fan-out task, recalls/tasks.py).
    notified_at = models.DateTimeField(_("通知完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ledger_leaf_hash = LeafHashField()

    class Meta:
        verbose_name = _("召回")
        verbose_name_plural = _("召回")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # A lot is recalled whole at most once at a time.
            models.UniqueConstraint(
                fields=["batch"], condition=Q(scope=RecallScope.LOT, status=RecallStatus.ISSUED),
                name="recall_one_open_lot_recall",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="recall_reason_not_empty"),
            models.CheckConstraint(condition=Q(items_sold__lte=models.F("items_total")),
                                   name="recall_sold_within_total"),
        ]

    def __str__(self) -> str:
        return f"recall {self.pk}: {self.batch_id} ({self.scope})"

    @property
    def reference(self) -> str:
        """How the sale holds and other contexts name this recall."""
        return f"recall:{self.pk}"


class RecallItem(models.Model):
    """One serial named by a recall of listed serials (a lot recall names no items: it is the whole lot)."""

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="recall_entries")

    class Meta:
        verbose_name = _("召回单品")
        verbose_name_plural = _("召回单品")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["recall", "item"], name="recall_item_unique")]

    def __str__(self) -> str:
        return f"{self.recall_id}: {self.item_id}"


class RecallNotice(models.Model):
    """A buyer reached by a recall: once per recall and buyer, naming their first affected order line."""

    recall = models.ForeignKey(Recall, on_delete=models.PROTECT, related_name="notices")
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recall_notices")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("阶段"), max_length=12, choices=BuyerStage.choices)
    units = models.PositiveIntegerField(_("涉及件数"))
    channel = models.CharField(_("渠道"), max_length=8, choices=NoticeChannel.choices, default=NoticeChannel.INBOX)
    reached_at = models.DateTimeField(_("通知时间"))
    responded_at = models.DateTimeField(_("回应时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("召回通知")
        verbose_name_plural = _("召回通知")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["recall", "consumer"], name="recall_notice_once_per_buyer")]

    def __str__(self) -> str:
        return f"{self.recall_id}: {self.consumer_id}"

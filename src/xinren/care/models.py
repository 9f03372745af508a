"""What customers wrote, as the classifier read it (`VoiceRecord`), and the care tickets opened for the hurt ones,
with the merchant's proactive offers (ADR 0054)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.aftersales.models import AfterSaleRequest
from xinren.catalog.models import Product
from xinren.core.money import fen_to_yuan
from xinren.orders.models import Order, OrderLine

from .choices import OPEN_TICKET_STATUSES, OfferKind, OfferStatus, SourceKind, TicketStatus


class CareTicket(models.Model):
    """A service ticket for a customer a negative text showed was hurt, before they complained; one open ticket
    per customer and subject (order line, else product, else merchant)."""

    public_ref = models.CharField(_("工单号"), max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_tickets")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="care_tickets")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.CharField(_("批号"), max_length=40, blank=True)
    # "line:<id>", "product:<id>" or "merchant:<id>": what one open ticket is about (the unique constraint's key).
    subject_key = models.CharField(max_length=40)
    status = models.CharField(_("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    types = models.JSONField(_("投诉类型"), default=list)
    model_version = models.CharField(_("模型版本"), max_length=40)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    notes = models.TextField(_("处理记录"), blank=True)
    leaf_hash = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(_("创建时间"), db_index=True)
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    updated_at = models.DateTimeField()
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    satisfaction_comment = models.CharField(_("评价说明"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("关怀工单")
        verbose_name_plural = _("关怀工单")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "subject_key"],
                condition=Q(status__in=sorted(OPEN_TICKET_STATUSES)),
                name="care_ticket_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="care_ticket_satisfaction_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["merchant", "status", "opened_at"], name="care_ticket_queue")]

    def __str__(self) -> str:
        return self.public_ref


class VoiceRecord(models.Model):
    """One text a customer wrote (review, diary, message, after-sale note) as one classifier version read it."""

    source_kind = models.CharField(_("来源"), max_length=16, choices=SourceKind.choices)
    source_id = models.BigIntegerField()
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voice_records")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="voice_records")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.CharField(_("批号"), max_length=40, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    text = models.TextField(_("原文"))
    sentiment = models.CharField(_("情感"), max_length=8)
    score = models.FloatField(_("正面概率"))
    types = models.JSONField(_("投诉类型"), default=list)
    evidence = models.JSONField(_("触发词"), default=dict)
    model_version = models.CharField(_("模型版本"), max_length=40)
    written_at = models.DateTimeField(_("发表时间"), db_index=True)
    classified_at = models.DateTimeField(_("分类时间"))
    ticket = models.ForeignKey(CareTicket, on_delete=models.PROTECT, null=True, blank=True, related_name="records")

    class Meta:
        verbose_name = _("用户之声记录")
        verbose_name_plural = _("用户之声记录")
        ordering = ["-written_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "model_version"], name="voice_record_unique_source_version"
            ),
        ]
        indexes = [models.Index(fields=["merchant", "sentiment", "written_at"], name="voice_record_trend")]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.source_id} {self.sentiment}"


class CareOffer(models.Model):
    """The merchant's proactive remedy on a ticket; accepted, it becomes an after-sale request the customer opened
    through the after-sales services (so their rules and limits hold)."""

    ticket = models.ForeignKey(CareTicket, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("方案"), max_length=16, choices=OfferKind.choices)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    message = models.CharField(_("给买家的话"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    made_by_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    aftersale = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("关怀方案")
        verbose_name_plural = _("关怀方案")
        ordering = ["-made_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(status="pending"), name="care_offer_one_pending_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.amount_fen}"

    @property
    def amount_yuan(self) -> str:
        return fen_to_yuan(self.amount_fen)

"""Return pickups (上门取件) booked with a logistics organization, and evidence requests (待补充凭证) on claims.

A pickup copies the consumer's address when it is booked (the address book may change later): that copy is private
(the assigned courier sees it, nobody signs it, no statement names it). The courier's hand-off is an EPCIS event by
the logistics organization (`hand_off_event`), which the item's public trail shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import phone_mask
from xinren.accounts.models import Organization
from xinren.trace.models import TraceEvent

from ..choices import EvidenceAsker, EvidenceRequestStatus, FeeBearer, PickupStatus
from .requests import AfterSaleRequest

__all__ = ["EvidenceRequest", "ReturnPickup"]


class ReturnPickup(models.Model):
    """A pickup of an agreed return, booked by the consumer with a logistics organization for a time window."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, related_name="pickups")
    logistics = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="return_pickups")
    status = models.CharField(_("状态"), max_length=12, choices=PickupStatus.choices, default=PickupStatus.BOOKED)
    # The address snapshot: private, shown to the assigned courier only, never signed.
    recipient_name = models.CharField(_("联系人"), max_length=32)
    recipient_phone = models.CharField(_("联系电话"), max_length=11)
    address = models.CharField(_("取件地址"), max_length=200)
    window_start = models.DateTimeField(_("取件时段开始"))
    window_end = models.DateTimeField(_("取件时段结束"))
    tracking_number = models.CharField(_("退货运单号"), max_length=64, unique=True)
    # Who pays the courier (no money moves on the platform for it); the programme's slug when a programme does.
    fee_bearer = models.CharField(_("运费承担方"), max_length=12, choices=FeeBearer.choices)
    fee_programme = models.CharField(_("承担运费的保障计划"), max_length=40, blank=True)
    hand_off_event = models.ForeignKey(TraceEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(_("预约时间"))
    picked_up_at = models.DateTimeField(_("揽收时间"), null=True, blank=True)
    picked_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("上门取件")
        verbose_name_plural = _("上门取件")
        ordering = ["window_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(status__in=["booked", "picked_up"]),
                                    name="return_pickup_one_live_per_request"),
            models.CheckConstraint(condition=Q(window_end__gt=F("window_start")), name="return_pickup_window_order"),
        ]
        indexes = [models.Index(fields=["logistics", "status", "window_start"])]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.logistics_id} {self.status}"

    @property
    def recipient_phone_masked(self) -> str:
        return phone_mask(self.recipient_phone)


class EvidenceRequest(models.Model):
    """The merchant or an operator asked the consumer for more photos or video on a claim, before a deadline."""

    request = models.ForeignKey(AfterSaleRequest, on_delete=models.PROTECT, related_name="evidence_requests")
    asked_by = models.CharField(_("要求方"), max_length=12, choices=EvidenceAsker.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("需要补充的内容"), max_length=500)
    # The status the claim was in when asked, so that the answer returns it to whoever asked.
    return_status = models.CharField(max_length=20)
    status = models.CharField(_("状态"), max_length=12, choices=EvidenceRequestStatus.choices,
                              default=EvidenceRequestStatus.OPEN)
    asked_at = models.DateTimeField(_("要求时间"))
    deadline = models.DateTimeField(_("补充截止"))
    answer_note = models.CharField(_("买家说明"), max_length=500, blank=True)
    answer_files = models.PositiveSmallIntegerField(_("补充文件数"), default=0)
    answered_at = models.DateTimeField(_("补充时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补充凭证要求")
        verbose_name_plural = _("补充凭证要求")
        ordering = ["asked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(status="open"),
                                    name="evidence_request_one_open_per_request"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.asked_by} {self.status}"

"""Brushing rings (刷单) the detector flagged for operators (governance/rings, ADR 0050)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization


class RingStatus(models.TextChoices):
    FLAGGED = "flagged", _("待审核")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


class BrushingRing(models.Model):
    """A group of buyers at one shop that several signals tie together. Members are user ids only; nothing
    personal is kept (phones and addresses were compared as keyed hashes and are not stored)."""

    shop = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="brushing_rings")
    members = models.JSONField(_("成员"), default=list)
    score = models.FloatField(_("评分"))
    evidence = models.JSONField(_("证据"), default=list)
    detector_version = models.CharField(_("检测器版本"), max_length=32)
    # sha256 of the shop and the sorted members: the same ring found again is not stored twice.
    fingerprint = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=RingStatus.choices, default=RingStatus.FLAGGED)
    detected_at = models.DateTimeField(_("发现时间"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(_("处理理由"), max_length=300, blank=True)
    reviews_folded = models.PositiveIntegerField(_("折叠的评价"), default=0)
    # The platform's signed statements (governance/statements/rings.py): the detector's flag and the decision.
    flag_leaf_hash = models.CharField(max_length=64, blank=True)
    decision_leaf_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("刷单团伙")
        verbose_name_plural = _("刷单团伙")
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self) -> str:
        return f"{self.shop_id}: {len(self.members)} ({self.status})"

"""Probation (新手期): the published policy, each merchant's probation and its signed events (docs/governance.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization


class ProbationPolicy(models.Model):
    """One published version of the probation rules: the limits a new merchant works under and the criteria that
    end probation. Never edited once published: a change is a new version; a probation keeps the version it
    started under."""

    version = models.PositiveSmallIntegerField(_("版本"), unique=True)
    published_at = models.DateTimeField(_("发布时间"))
    # the limits (accounts/restrictions.py kinds)
    daily_order_limit = models.PositiveIntegerField(_("每日订单上限"))
    listing_limit = models.PositiveIntegerField(_("在售商品上限"))
    payout_hold_days = models.PositiveSmallIntegerField(_("货款结算延后（天）"))
    claim_escalation_hours = models.PositiveSmallIntegerField(_("售后升级时限（小时）"))
    # the exit criteria
    min_days = models.PositiveSmallIntegerField(_("最短天数"))
    min_delivered_orders = models.PositiveIntegerField(_("最少签收订单"))
    max_claim_rate_bp = models.PositiveIntegerField(_("索赔率上限（万分比）"))  # 500 = 5%
    max_open_claim_hours = models.PositiveSmallIntegerField(_("未结索赔最长时限（小时）"))
    extension_days = models.PositiveSmallIntegerField(_("延长天数"))

    class Meta:
        verbose_name = _("新手期规则")
        verbose_name_plural = _("新手期规则")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"probation policy v{self.version}"

    @property
    def max_claim_rate_percent(self) -> str:
        return f"{self.max_claim_rate_bp / 100:g}%"


class ProbationStatus(models.TextChoices):
    ACTIVE = "active", _("新手期中")
    EXTENDED = "extended", _("新手期已延长")
    ENDED = "ended", _("已结束")


class Probation(models.Model):
    """A merchant's probation: open (active or extended) until the daily review finds the criteria met."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="probations")
    policy = models.ForeignKey(ProbationPolicy, on_delete=models.PROTECT, related_name="probations")
    started_at = models.DateTimeField(_("开始时间"))
    status = models.CharField(_("状态"), max_length=16, choices=ProbationStatus.choices, default=ProbationStatus.ACTIVE)
    extended_until = models.DateTimeField(_("延长至"), null=True, blank=True)
    reasons = models.JSONField(_("延长原因"), default=list, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("最近复核"), null=True, blank=True)

    class Meta:
        verbose_name = _("新手期")
        verbose_name_plural = _("新手期")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=~Q(status="ended"), name="probation_one_open_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_at__isnull=False) | (~Q(status="ended") & Q(ended_at__isnull=True)),
                name="probation_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"probation {self.organization_id} ({self.status})"


class ProbationEventKind(models.TextChoices):
    START = "start", _("进入新手期")
    END = "end", _("结束新手期")
    EXTEND = "extend", _("延长新手期")


class ProbationEvent(models.Model):
    """One start, end or extension, with the figures that decided it and the platform's signed statement."""

    probation = models.ForeignKey(Probation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=8, choices=ProbationEventKind.choices)
    at = models.DateTimeField(_("时间"))
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    figures = models.JSONField(_("指标"), default=dict, blank=True)
    leaf_hash = models.CharField(_("存证哈希"), max_length=64)

    class Meta:
        verbose_name = _("新手期事件")
        verbose_name_plural = _("新手期事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.probation_id} {self.kind} {self.at:%Y-%m-%d}"

"""Guarantee programmes (保障计划: 信任购, 蟹无忧, …) and the merchants that belong to them.

A programme is data, not code: who may join (`eligibility`), what it promises consumers (`promises`), which
categories it covers and its badge. Its terms change only by a new `version`, so a membership always names the terms
it was granted under. A merchant belongs at most once at a time (a partial unique index); a membership that ends keeps
its row with `left_at` and the reason, so a merchant's history in a programme stays readable.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization

from ..programmes.choices import LeftReason, ProgrammeStatus

__all__ = ["GuaranteeProgramme", "ProgrammeMembership"]


class GuaranteeProgramme(models.Model):
    """One programme's current terms, published by the platform."""

    slug = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    summary = models.CharField(_("简介"), max_length=200)
    # Product categories the programme covers (catalog's ProductCategory values); empty: every category.
    categories = models.JSONField(_("适用品类"), default=list, blank=True)
    # Who may join, as named conditions with thresholds (programmes/rules.py reads them), e.g.
    # {"deposit_min_fen": 200000, "upheld_share_min": 0.9, "insurance": ["authentic"]}.
    eligibility = models.JSONField(_("加入条件"), default=dict, blank=True)
    # What it promises consumers: [{"id": "...", "text": "...", ...}] in the programme's words.
    promises = models.JSONField(_("保障承诺"), default=list, blank=True)
    badge_label = models.CharField(_("徽章文字"), max_length=16)
    badge_colour = models.CharField(_("徽章颜色"), max_length=7, default="#c0392b")
    version = models.PositiveIntegerField(_("条款版本"), default=1)
    status = models.CharField(_("状态"), max_length=8, choices=ProgrammeStatus.choices, default=ProgrammeStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("保障计划")
        verbose_name_plural = _("保障计划")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ProgrammeMembership(models.Model):
    """A merchant's membership of a programme, from joining to leaving."""

    programme = models.ForeignKey(GuaranteeProgramme, on_delete=models.PROTECT, related_name="memberships")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programme_memberships")
    # The programme's terms version when the merchant joined.
    version = models.PositiveIntegerField(_("条款版本"))
    joined_at = models.DateTimeField(_("加入时间"))
    left_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=24, choices=LeftReason.choices, blank=True)
    # The failed conditions when the platform ended it ({"deposit_min_fen": 150000, ...}); empty otherwise.
    left_details = models.JSONField(default=dict, blank=True)
    # The guarantees the merchant accepted when joining (programmes/rules.py GUARANTEES ids).
    guarantees = models.JSONField(_("承诺的保障"), default=list, blank=True)
    # The signed `programme.membership` statements of its start and of its end (the badge's proof).
    joined_leaf_hash = models.CharField(max_length=64, blank=True)
    left_leaf_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("保障计划成员")
        verbose_name_plural = _("保障计划成员")
        ordering = ["-joined_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "merchant"], condition=Q(left_at__isnull=True),
                                    name="programme_one_active_membership"),
        ]
        indexes = [models.Index(fields=["merchant", "left_at"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} in {self.programme_id} (v{self.version})"

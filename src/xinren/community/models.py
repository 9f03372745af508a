"""Community feed (好物圈) models: helpful votes, quality scores, the points ledger, expert tiers and trials.

Every row here points at the reviews core by foreign key; nothing in the reviews tables is changed by this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Product
from xinren.reviews.models import Review

from .choices import ParticipationStatus, PointsReason, Tier, TrialKind, points_reason_parts


class HelpfulVote(models.Model):
    """A consumer found a review helpful (有用); one per consumer and review, never on their own review."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="helpful_votes")
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("有用投票")
        verbose_name_plural = _("有用投票")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "review"], name="helpful_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.review_id}"


class QualityScore(models.Model):
    """A review's content-quality score (0–100) with the inputs, components and formula version it came from."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="quality")
    score = models.PositiveSmallIntegerField(_("质量分"))
    version = models.CharField(_("公式版本"), max_length=32)
    components = models.JSONField(_("分项"), default=dict)
    inputs = models.JSONField(_("输入"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("内容质量分")
        verbose_name_plural = _("内容质量分")
        indexes = [models.Index(fields=["score"])]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.score} ({self.version})"


class PointsEntry(models.Model):
    """One append-only line of a consumer's reward points (积分); the balance is the sum, reversals are negative."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_entries")
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("原因"), max_length=40)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="points_entries")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Nothing is paid (or reversed) twice for the same review and reason, even under concurrent runs.
            models.UniqueConstraint(
                fields=["review", "reason"], condition=Q(review__isnull=False), name="points_once_per_review_reason"
            ),
        ]
        indexes = [models.Index(fields=["consumer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.consumer_id} {self.points:+d} {self.reason}"

    @property
    def reason_label(self) -> str:
        base, kind = points_reason_parts(self.reason)
        label = str(PointsReason(base).label) if base in PointsReason.values else base
        if kind == "reversed":
            return str(_("冲回（评价被折叠）：%(reason)s") % {"reason": label})
        if kind == "reinstated":
            return str(_("恢复（评价恢复展示）：%(reason)s") % {"reason": label})
        return label


class ConsumerTier(models.Model):
    """A consumer's current expert tier (达人等级); changed only by `tiers_evaluate`, each change in `TierChange`."""

    consumer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_tier")
    # The pseudonym (accounts.consumers.consumer_public_id) by which merchants invite experts to trials.
    public_id = models.CharField(_("公开代号"), max_length=32, unique=True)
    tier = models.CharField(_("等级"), max_length=20, choices=Tier.choices, default=Tier.ORDINARY)
    since = models.DateTimeField(_("起始时间"))
    evaluated_at = models.DateTimeField(_("评估时间"))
    metrics = models.JSONField(_("评估指标"), default=dict)

    class Meta:
        verbose_name = _("达人等级")
        verbose_name_plural = _("达人等级")
        indexes = [models.Index(fields=["tier"])]

    def __str__(self) -> str:
        return f"{self.consumer_id}: {self.tier}"


class TierChange(models.Model):
    """One promotion or demotion, with the measured metrics and the reason (criteria version)."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField(_("原等级"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("新等级"), max_length=20, choices=Tier.choices)
    reason = models.CharField(_("原因"), max_length=300)
    metrics = models.JSONField(_("评估指标"), default=dict)
    criteria_version = models.CharField(_("规则版本"), max_length=32)
    ledger_leaf_hash = LeafHashField()
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.consumer_id}: {self.from_tier} → {self.to_tier}"


class TrialEvent(models.Model):
    """A merchant's product trial (新品试用) or factory visit (工厂探访) to which platform experts are invited."""

    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="trial_events")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="trial_events")
    kind = models.CharField(_("类型"), max_length=16, choices=TrialKind.choices)
    title = models.CharField(_("标题"), max_length=80)
    slots = models.PositiveSmallIntegerField(_("名额"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger_leaf_hash = LeafHashField()
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("试用/探访活动")
        verbose_name_plural = _("试用/探访活动")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1), name="trial_slots_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="trial_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind})"


class TrialParticipation(models.Model):
    """An expert's invitation to a trial event and their answer; accepted ones label trial reviews (试用体验)."""

    event = models.ForeignKey(TrialEvent, on_delete=models.PROTECT, related_name="participations")
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trials")
    status = models.CharField(
        _("状态"), max_length=16, choices=ParticipationStatus.choices, default=ParticipationStatus.INVITED
    )
    invited_at = models.DateTimeField(_("邀请时间"))
    responded_at = models.DateTimeField(_("回应时间"), null=True, blank=True)
    # Signed when the expert accepts: the public disclosure behind the "试用体验" label.
    ledger_leaf_hash = LeafHashField(blank=True)

    class Meta:
        verbose_name = _("试用邀请")
        verbose_name_plural = _("试用邀请")
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="trial_invited_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.consumer_id}: {self.status}"

"""The merchant risk score: versioned rule sets, their rules, every evaluation with its inputs, actions, appeals.

ADR 0045: the weights and thresholds are a versioned table, not code. One rule set is active at a time; a draft
can carry new rules in shadow mode; promoting it activates it and retires the one before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("生效")
    RETIRED = "retired", _("已停用")


class RuleMode(models.TextChoices):
    ACTIVE = "active", _("计分")
    SHADOW = "shadow", _("影子（只记录不计分）")


class Band(models.TextChoices):
    OK = "ok", _("正常")
    WATCH = "watch", _("关注")
    RESTRICT = "restrict", _("限制")
    SUSPEND = "suspend", _("建议暂停")


class ActionKind(models.TextChoices):
    WATCH = "watch", _("列入关注")
    RESTRICT = "restrict", _("暂停上新")
    HOLD_PAYOUTS = "hold_payouts", _("暂停上新并暂停结算，待平台确认是否暂停店铺")
    SUSPEND = "suspend", _("暂停店铺")
    LIFT = "lift", _("解除风险限制")


class ActionStatus(models.TextChoices):
    IN_FORCE = "in_force", _("生效中")
    LIFTED = "lifted", _("已解除")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("维持")
    LIFTED = "lifted", _("已解除")


class RiskRuleSet(models.Model):
    """One version of the weights and thresholds (ADR 0045)."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    review_threshold = models.PositiveSmallIntegerField(_("关注阈值"))
    restrict_threshold = models.PositiveSmallIntegerField(_("限制阈值"))
    suspend_threshold = models.PositiveSmallIntegerField(_("暂停阈值"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    notes = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("风险规则集")
        verbose_name_plural = _("风险规则集")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"), name="risk_one_active_rule_set"),
            models.CheckConstraint(
                condition=Q(
                    review_threshold__gt=0,
                    review_threshold__lt=models.F("restrict_threshold"),
                    restrict_threshold__lt=models.F("suspend_threshold"),
                    suspend_threshold__lte=100,
                ),
                name="risk_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.status})"


class RiskRule(models.Model):
    """One rule's weight, parameters and mode in a rule set."""

    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="rules")
    rule_id = models.CharField(_("规则"), max_length=48)
    weight = models.PositiveSmallIntegerField(_("权重"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    mode = models.CharField(_("模式"), max_length=8, choices=RuleMode.choices, default=RuleMode.ACTIVE)

    class Meta:
        verbose_name = _("风险规则")
        verbose_name_plural = _("风险规则")
        ordering = ["rule_set", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "rule_id"], name="risk_rule_once_per_set"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="risk_rule_weight_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set_id}: {self.rule_id} × {self.weight} ({self.mode})"


class RiskEvaluation(models.Model):
    """One merchant scored by one rule set, with every rule's inputs, value, weight and contribution."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="risk_evaluations")
    rule_set = models.ForeignKey(RiskRuleSet, on_delete=models.PROTECT, related_name="evaluations")
    score = models.DecimalField(_("风险分"), max_digits=5, decimal_places=2)
    band = models.CharField(_("等级"), max_length=16, choices=Band.choices)
    # [{rule, mode, version, value, weight, contribution, inputs, explanation, params}], active and shadow.
    results = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    evaluated_at = models.DateTimeField(_("评估时间"))

    class Meta:
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        ordering = ["-evaluated_at", "-id"]
        indexes = [models.Index(fields=["organization", "evaluated_at"]), models.Index(fields=["band", "evaluated_at"])]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.score} {self.band}"


class RiskAction(models.Model):
    """What followed an evaluation whose band changed, with the signed statement that says so."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="risk_actions")
    evaluation = models.ForeignKey(RiskEvaluation, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("措施"), max_length=16, choices=ActionKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.IN_FORCE)
    # A proposed suspension waits for an operator: confirmed (the shop is suspended) or declined.
    suspension_proposed = models.BooleanField(_("建议暂停店铺"), default=False)
    suspension_decided_at = models.DateTimeField(_("暂停决定时间"), null=True, blank=True)
    suspension_confirmed = models.BooleanField(_("确认暂停"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    leaf_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("时间"))
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险措施")
        verbose_name_plural = _("风险措施")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.kind} ({self.status})"


class RiskAppeal(models.Model):
    """A merchant's appeal against a risk action, and the operator's decision."""

    action = models.ForeignKey(RiskAction, on_delete=models.PROTECT, related_name="appeals")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="risk_appeals")
    text = models.CharField(_("申诉理由"), max_length=1000)
    evidence_id = models.BigIntegerField(_("证据编号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    leaf_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("风险申诉")
        verbose_name_plural = _("风险申诉")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["action"], condition=Q(status="open"), name="risk_one_open_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.status}"

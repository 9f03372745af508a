"""Users, organizations, memberships and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.models import TimeStampedModel

from .choices import (
    BlacklistKind,
    InterceptionStage,
    OrganizationKind,
    OrganizationStatus,
    RestrictionKind,
    RestrictionSource,
    Role,
)
from .uscc import uscc_is_valid


def validate_uscc(value: str) -> None:
    if not uscc_is_valid(value):
        raise ValidationError(_("统一社会信用代码无效（校验位不符）"), code="uscc_invalid")


class User(AbstractUser):
    """A person who signs in: merchant staff, partner staff, operators, later consumers."""

    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, null=True, blank=True, unique=True)
    # The name a consumer chose to be shown by (accounts.nicknames): never signed, and shown only masked (王**).
    nickname = models.CharField(_("昵称"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Organization(TimeStampedModel):
    """A business or body that acts on the platform and vouches for what it records."""

    name = models.CharField(_("名称"), max_length=128)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrganizationKind.choices)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_uscc]
    )
    gln = models.CharField(_("GLN 全球位置码"), max_length=13, blank=True)
    region = models.CharField(_("所在地区"), max_length=128, blank=True)
    description = models.TextField(_("简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OrganizationKind.PLATFORM) | models.Q(uscc__isnull=False),
                name="organization_business_has_uscc",
                violation_error_message=_("企业必须填写统一社会信用代码"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in an organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.STAFF)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiKey(TimeStampedModel):
    """A secret that lets a partner system act for one organization. Only its hash is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    role = models.CharField(_("权限"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """A counter of recent sign-in failures (or sign-up requests) for one key, shared by every worker process.

    `key` is a keyed hash of what is counted (an account, a client address, the pair of both), so the table holds
    no phone numbers or addresses. `last_at` is Unix seconds: plain integers compare the same on every database.
    Rows are only written through `accounts.throttle` (one atomic upsert per event).
    """

    key = models.CharField(max_length=64, primary_key=True)
    events = models.PositiveIntegerField(default=0)
    last_at = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("登录限流计数")
        verbose_name_plural = _("登录限流计数")

    def __str__(self) -> str:
        return f"{self.key[:12]}… ×{self.events}"


class SignupCode(models.Model):
    """The one-time code of a pending sign-up, per phone (keyed hash); only the code's hash is stored."""

    phone_key = models.CharField(max_length=64, primary_key=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("注册验证码")
        verbose_name_plural = _("注册验证码")

    def __str__(self) -> str:
        return f"{self.phone_key[:12]}… (≤ {self.expires_at:%Y-%m-%d %H:%M})"


class SandboxTextMessage(models.Model):
    """A text message the sandbox SMS provider "sent": kept here so that developers and tests can read it."""

    phone = models.CharField(max_length=20, db_index=True)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("沙箱短信")
        verbose_name_plural = _("沙箱短信")

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}: {self.body[:24]}"


class MerchantRestriction(TimeStampedModel):
    """One limit placed on an organization by governance: probation, a risk action, an operator, a licence.

    The contexts that sell (catalog, orders, aftersales) read the limits in force through
    `accounts.restrictions.limits_for`; governance, which sits above them, writes them (docs/governance.md).
    A restriction is never edited: it is lifted (`lifted_at`) and, if need be, a new one imposed.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(_("限制"), max_length=32, choices=RestrictionKind.choices)
    value = models.PositiveIntegerField(_("数值"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=RestrictionSource.choices)
    reference = models.CharField(_("依据"), max_length=64, blank=True, default="")  # e.g. "probation:12"
    reason = models.CharField(_("原因"), max_length=255)  # shown to the merchant
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("商家限制")
        verbose_name_plural = _("商家限制")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["organization", "lifted_at"], name="restriction_org_open")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.kind}={self.value} ({self.source})"


class BlacklistEntry(models.Model):
    """One banned identifier (拉黑): a keyed hash of its value, never the value, with a reason and an end date.

    Screening (`accounts.blacklist.screen`) matches (kind, value_hash) among the live entries: not lifted and not
    yet ended. `hint` is the value's last four characters, masked, so an operator can tell entries apart; it is
    never shown outside /operator/. An entry is never edited or deleted: it is lifted, with a reason.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=BlacklistKind.choices)
    value_hash = models.CharField(max_length=64)
    hint = models.CharField(_("提示"), max_length=16, blank=True, default="")
    reason = models.CharField(_("原因"), max_length=255)
    ends_at = models.DateTimeField(_("截止时间"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lift_reason = models.CharField(_("解除原因"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "value_hash"], name="blacklist_kind_hash")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=BlacklistKind.values), name="blacklist_kind_known"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="blacklist_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hint}"


class Interception(models.Model):
    """One refusal because an identifier was on the blacklist (拦截). `subject` is an opaque reference to what was
    refused (a hashed order reference, a GTIN, an application or payout id), never personal data."""

    stage = models.CharField(_("环节"), max_length=16, choices=InterceptionStage.choices)
    entry = models.ForeignKey(BlacklistEntry, on_delete=models.PROTECT, related_name="interceptions")
    kind = models.CharField(_("类型"), max_length=16, choices=BlacklistKind.choices)
    subject = models.CharField(_("对象"), max_length=64, blank=True, default="")
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("拦截记录")
        verbose_name_plural = _("拦截记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.stage} {self.kind} {self.at:%Y-%m-%d %H:%M}"

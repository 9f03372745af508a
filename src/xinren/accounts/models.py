"""Users, organizations, memberships and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.models import TimeStampedModel

from .choices import OrganizationKind, OrganizationStatus, Role
from .uscc import uscc_is_valid


def validate_uscc(value: str) -> None:
    if not uscc_is_valid(value):
        raise ValidationError(_("统一社会信用代码无效（校验位不符）"), code="uscc_invalid")


class User(AbstractUser):
    """A person who signs in: merchant staff, partner staff, operators, later consumers."""

    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, null=True, blank=True, unique=True)

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


class SigningKey(TimeStampedModel):
    """An organization's Ed25519 key for signing ledger statements.

    A custodial key's private half is kept encrypted at rest (`keys.py`); a third party's own key has
    only its public half here. The log's key directory holds the same key id and public key, and every
    registration, rotation and revocation is a statement in the log.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        RETIRED = "retired", _("已轮换")
        REVOKED = "revoked", _("已吊销")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="signing_keys")
    key_id = models.CharField(_("密钥 ID"), max_length=64, unique=True)
    public_key = models.BinaryField(_("公钥"), max_length=32)
    custodial = models.BooleanField(_("平台托管"), default=False)
    encrypted_private_key = models.BinaryField(_("加密私钥"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    label = models.CharField(_("备注"), max_length=64, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("替换的密钥")
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("吊销原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(custodial=True, status="active"),
                name="signing_key_one_active_custodial_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(custodial=False, encrypted_private_key__isnull=True)
                | models.Q(custodial=True, encrypted_private_key__isnull=False),
                name="signing_key_private_half_only_when_custodial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.key_id[:16]} ({self.status})"

"""Signing keys of organizations: who can vouch for a statement in the platform log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization, User
from xinren.core.models import TimeStampedModel

from .choices import SigningKeyStatus


class SigningKey(TimeStampedModel):
    """An organization's Ed25519 key for signing ledger statements.

    A custodial key's private half is kept encrypted at rest (`attest/keys.py`); a third party's own key has
    only its public half here. The log's key directory holds the same key id and public key, and every
    registration, rotation and revocation is a statement in the log.
    """

    Status = SigningKeyStatus

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
        # Created by the accounts app before signing became the attest context (ADR 0012): the table keeps its name.
        db_table = "accounts_signingkey"
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

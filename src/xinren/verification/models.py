"""Registries imported by operators, credentials merchants submit, and every verification check made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.core.models import TimeStampedModel

from .choices import CredentialKind, CredentialStatus, RecordStatus, VerificationStatus


class RegistryImport(TimeStampedModel):
    """One CSV export an operator imported for a kind and source; re-importing a source supersedes it."""

    kind = models.CharField(_("证照类型"), max_length=16, choices=CredentialKind.choices)
    source = models.CharField(_("数据来源"), max_length=128)
    version = models.PositiveIntegerField(_("版本"))
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("行数"))
    imported_by = models.CharField(_("导入人"), max_length=128, blank=True)
    superseded_at = models.DateTimeField(_("被替换时间"), null=True, blank=True)

    class Meta:
        db_table = "governance_registryimport"  # named before the app was (ADR 0014)
        verbose_name = _("核验名录导入")
        verbose_name_plural = _("核验名录导入")
        ordering = ["kind", "source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "version"], name="registry_import_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.source} v{self.version}"


class RegistryRecord(models.Model):
    """One certificate or registration row of an imported registry (only the current import's rows exist)."""

    registry_import = models.ForeignKey(RegistryImport, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("证照类型"), max_length=16, choices=CredentialKind.choices)
    source = models.CharField(_("数据来源"), max_length=128)
    row_number = models.PositiveIntegerField(_("行号"))
    number = models.CharField(_("证书编号"), max_length=64)
    holder_name = models.CharField(_("持有人名称"), max_length=128)
    holder_uscc = models.CharField(_("持有人统一社会信用代码"), max_length=18, blank=True)
    scope = models.CharField(_("认证范围/产品"), max_length=255, blank=True)
    region = models.CharField(_("地区"), max_length=128, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RecordStatus.choices)

    class Meta:
        db_table = "governance_registryrecord"  # named before the app was (ADR 0014)
        verbose_name = _("核验名录记录")
        verbose_name_plural = _("核验名录记录")
        ordering = ["kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "number"], name="registry_record_unique_number"),
        ]
        indexes = [models.Index(fields=["kind", "number"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.holder_name})"


class Credential(TimeStampedModel):
    """A certificate or registration a merchant submitted, with the evidence file it uploaded."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credentials")
    kind = models.CharField(_("证照类型"), max_length=16, choices=CredentialKind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    holder_name = models.CharField(_("持有人名称"), max_length=128)
    status = models.CharField(_("状态"), max_length=16, choices=CredentialStatus.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The scan or photo of the certificate, as a signed evidence statement (leaf hash in the log).
    evidence_leaf_hash = LeafHashField(_("证据叶哈希"), blank=True)
    evidence_id = models.BigIntegerField(_("证据编号"), null=True, blank=True)
    # What the certificate itself says: who issued it, when it is in force, which product categories it covers
    # (catalog ProductCategory values). Governance watches `valid_until` (docs/governance.md).
    issuer = models.CharField(_("发证机关"), max_length=128, blank=True, default="")
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    scope = models.JSONField(_("经营范围（品类）"), default=list, blank=True)

    class Meta:
        db_table = "governance_credential"  # named before the app was (ADR 0014)
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "number"],
                condition=~models.Q(status="withdrawn"),
                name="credential_unique_live_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CredentialCheck(models.Model):
    """One verification: which verifier said what about a number, signed by the platform in the log."""

    credential = models.ForeignKey(Credential, null=True, blank=True, on_delete=models.PROTECT, related_name="checks")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credential_checks")
    kind = models.CharField(_("证照类型"), max_length=16, choices=CredentialKind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    holder_name = models.CharField(_("持有人名称"), max_length=128)
    holder_uscc = models.CharField(_("持有人统一社会信用代码"), max_length=18, blank=True)
    verifier = models.CharField(_("核验方式"), max_length=32)
    source = models.CharField(_("数据来源"), max_length=128, blank=True)
    status = models.CharField(_("核验结果"), max_length=16, choices=VerificationStatus.choices)
    checked_at = models.DateTimeField(_("核验时间"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    ledger_leaf_hash = LeafHashField(db_index=True)

    class Meta:
        db_table = "governance_credentialcheck"  # named before the app was (ADR 0014)
        verbose_name = _("核验记录")
        verbose_name_plural = _("核验记录")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number}: {self.status} @ {self.checked_at:%Y-%m-%d %H:%M}"

"""Applications to sell (入驻申请): what the applicant entered, the automatic checks, the reviewers' decisions.

Personal data is minimised: the legal representative's ID number is kept only as a keyed hash and its last four
characters (accounts.keyed); the contact phone is kept for the reviewer to call and shown masked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.choices import ProductCategory
from xinren.core.models import TimeStampedModel
from xinren.evidence.models import MediaFile
from xinren.verification.choices import CredentialKind

from ..choices import ApplicationDecisionKind, ApplicationStatus, CheckOutcome

__all__ = [
    "ApplicationCheck",
    "ApplicationDecision",
    "ApplicationQualification",
    "ApplicationScan",
    "MerchantApplication",
]


def _category_label(code: str) -> str:
    try:
        return str(ProductCategory(code).label)
    except ValueError:
        return code


class MerchantApplication(TimeStampedModel):
    """One business's application to sell, by the person who filed it; approved, it becomes a merchant."""

    public_id = models.CharField(_("申请编号"), max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="merchant_applications"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    company_name = models.CharField(_("企业名称"), max_length=128, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_rep_name = models.CharField(_("法定代表人"), max_length=64, blank=True)
    legal_rep_id_hash = models.CharField(_("法定代表人身份证号（密钥哈希）"), max_length=64, blank=True)
    legal_rep_id_last4 = models.CharField(_("身份证号后四位"), max_length=4, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    categories = models.JSONField(_("申请品类"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    organization = models.OneToOneField(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )

    class Meta:
        verbose_name = _("入驻申请")
        verbose_name_plural = _("入驻申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live application per business: a second one for the same USCC waits until the first is decided.
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.CHANGES_REQUESTED]),
                name="application_unique_live_uscc",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ApplicationStatus.APPROVED) | models.Q(organization__isnull=False),
                name="application_approved_has_organization",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.public_id} {self.company_name}"

    @property
    def categories_display(self) -> str:
        """The categories applied for, in the reader's language."""
        return "、".join(_category_label(code) for code in self.categories)

    @property
    def legal_rep_id_masked(self) -> str:
        return f"**************{self.legal_rep_id_last4}" if self.legal_rep_id_last4 else ""


class ApplicationScan(models.Model):
    """A qualification scan an applicant uploaded (stored once by digest through evidence's pipeline)."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资质扫描件")
        verbose_name_plural = _("资质扫描件")

    def __str__(self) -> str:
        return self.filename or self.media.sha256[:12]


class ApplicationQualification(models.Model):
    """One qualification as the applicant entered it, with its scan."""

    application = models.ForeignKey(MerchantApplication, on_delete=models.CASCADE, related_name="qualifications")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("证照类型"), max_length=16, choices=CredentialKind.choices)
    number = models.CharField(_("证照编号"), max_length=64)
    holder_name = models.CharField(_("持有人名称"), max_length=128)
    holder_uscc = models.CharField(_("持有人统一社会信用代码"), max_length=18, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=128, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    scope = models.JSONField(_("经营范围（品类）"), default=list, blank=True)
    scan = models.ForeignKey(ApplicationScan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("申请资质")
        verbose_name_plural = _("申请资质")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="application_qualification_position"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def scope_display(self) -> str:
        return "、".join(_category_label(code) for code in self.scope)


class ApplicationCheck(models.Model):
    """One automatic check's result at the application's last submission."""

    application = models.ForeignKey(MerchantApplication, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField(_("序号"))
    rule = models.CharField(_("规则"), max_length=64)
    outcome = models.CharField(_("结果"), max_length=8, choices=CheckOutcome.choices)
    message = models.CharField(_("说明"), max_length=500)
    qualification = models.PositiveSmallIntegerField(_("资质序号"), null=True, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("自动检查结果")
        verbose_name_plural = _("自动检查结果")
        ordering = ["application", "position"]

    def __str__(self) -> str:
        return f"{self.rule}: {self.outcome}"


class ApplicationDecision(models.Model):
    """A reviewer's decision with its reasons, signed by the platform (`governance.application.decision`)."""

    application = models.ForeignKey(MerchantApplication, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(_("决定"), max_length=16, choices=ApplicationDecisionKind.choices)
    reasons = models.JSONField(_("理由代码"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"))
    ledger_leaf_hash = LeafHashField(db_index=True)

    class Meta:
        verbose_name = _("审核决定")
        verbose_name_plural = _("审核决定")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.decision}"

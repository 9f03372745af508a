"""Evidence media: files stored once by SHA-256, and who vouches for which file about what."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Batch, Product
from xinren.core.models import TimeStampedModel
from xinren.trace.models import TraceEvent

from .choices import EvidenceStatus, MediaKind, Purpose

CAPTION_MAX = 200


# Where photos' responsive variants are stored (names derive from the digest: catalog/images.py).
EVIDENCE_VARIANTS = "evidence/variants"


class MediaFile(models.Model):
    """One stored file, named by the SHA-256 of its stored (metadata-stripped) bytes; never edited or deleted."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=MediaKind.choices)
    mime = models.CharField(_("媒体类型"), max_length=64)
    size = models.PositiveBigIntegerField(_("字节数"))
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    duration_ms = models.PositiveBigIntegerField(_("时长（毫秒）"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    # Storage names (not URLs), so that moving media to object storage changes no row.
    original = models.CharField(_("原文件"), max_length=255)
    thumbnail = models.CharField(_("缩略图"), max_length=255)
    display = models.CharField(_("展示图"), max_length=255, blank=True)
    # True once a photo's responsive variants are stored (EVIDENCE_VARIANTS, catalog/images.py).
    variants = models.BooleanField(_("响应式尺寸"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据文件")
        verbose_name_plural = _("证据文件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="media_sha256_hex"),
            models.CheckConstraint(
                condition=models.Q(kind=MediaKind.IMAGE) | models.Q(display=""), name="media_display_images_only"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"

    @property
    def url(self) -> str:
        return default_storage.url(self.original)

    @property
    def thumbnail_url(self) -> str:
        return default_storage.url(self.thumbnail)

    @property
    def display_url(self) -> str | None:
        return default_storage.url(self.display) if self.display else None


class Evidence(TimeStampedModel):
    """An organization vouches, by a signed statement, that a media file shows something about one subject."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="evidence")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="evidence")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    event = models.ForeignKey(TraceEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    caption = models.CharField(_("说明"), max_length=CAPTION_MAX, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    leaf_hash = LeafHashField(db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=EvidenceStatus.choices, default=EvidenceStatus.ACTIVE)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    withdrawal_leaf_hash = LeafHashField(_("撤回声明叶哈希"), blank=True)

    class Meta:
        verbose_name = _("溯源证据")
        verbose_name_plural = _("溯源证据")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product__isnull=False, batch__isnull=True, event__isnull=True)
                | models.Q(product__isnull=True, batch__isnull=False, event__isnull=True)
                | models.Q(product__isnull=True, batch__isnull=True, event__isnull=False),
                name="evidence_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(status=EvidenceStatus.ACTIVE, withdrawal_leaf_hash="")
                | models.Q(status=EvidenceStatus.WITHDRAWN) & ~models.Q(withdrawal_leaf_hash=""),
                name="evidence_withdrawal_signed",
            ),
        ]
        indexes = [models.Index(fields=["status", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.media.sha256[:12]}"

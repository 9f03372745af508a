"""Media kinds, evidence purposes and the evidence status with its allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class MediaKind(models.TextChoices):
    IMAGE = "image", _("图片")
    VIDEO = "video", _("视频")
    PDF = "pdf", _("PDF 文档")


ALL_KINDS: frozenset[str] = frozenset(MediaKind.values)


class Purpose(models.TextChoices):
    ORIGIN = "origin", _("产地实拍")
    PRODUCTION = "production", _("生产监控")
    PACKING = "packing", _("包装")
    CERTIFICATE = "certificate", _("证书")
    INSPECTION = "inspection", _("检验")
    OTHER = "other", _("其他")


class EvidenceStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤回")


# A withdrawal is final: the ledger keeps both statements, and a new upload is a new piece of evidence.
EVIDENCE_TRANSITIONS: TransitionTable = {
    EvidenceStatus.ACTIVE: frozenset({EvidenceStatus.WITHDRAWN}),
    EvidenceStatus.WITHDRAWN: frozenset(),
}

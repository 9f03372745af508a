"""Regional programmes that alliances define, and the record of each status change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import ListingSuspension, Product
from xinren.core.models import TimeStampedModel

from .choices import ProgrammeStatus
from .delisting.choices import AppealStatus, DelistingStatus, EntryKind


class Programme(TimeStampedModel):
    """An alliance's regional label programme (e.g. 昆明溯源): rules over the label catalogue, and a badge."""

    alliance = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programmes")
    code = models.SlugField(_("代码"), max_length=48)
    name = models.CharField(_("名称"), max_length=64)
    # The name is drawn from the code (core.regions) and kept for display and for statements signed before codes.
    region = models.CharField(_("地区"), max_length=128, help_text=_("商品产地须在此地区之内，如 云南省昆明市"))
    region_code = models.CharField(_("地区代码"), max_length=6, blank=True, help_text=_("GB/T 2260 行政区划代码"))
    description = models.TextField(_("说明"), blank=True)
    required_labels = models.JSONField(_("要求的标签"), default=list)
    min_lab_stars = models.PositiveSmallIntegerField(_("最低检测星级"), null=True, blank=True)
    # Only ever our own re-serialisation of an accepted drawing (trust.svg.svg_sanitize).
    badge_svg = models.TextField(_("徽章 SVG"), blank=True)
    badge_sha256 = models.CharField(_("徽章 SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT)
    # Counts activations: each activation signs the rules as they then stood.
    version = models.PositiveIntegerField(_("版本"), default=0)
    ledger_leaf_hash = LeafHashField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("地区标签计划")
        verbose_name_plural = _("地区标签计划")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "code"], name="programme_unique_alliance_code"),
            models.CheckConstraint(
                condition=models.Q(min_lab_stars__isnull=True) | models.Q(min_lab_stars__gte=1, min_lab_stars__lte=5),
                name="programme_min_lab_stars_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.alliance})"


class AllianceRegion(models.Model):
    """A region (GB/T 2260 code) an alliance declares it speaks for: its programmes stay inside these."""

    alliance = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alliance_regions")
    code = models.CharField(_("地区代码"), max_length=6)
    declared_at = models.DateTimeField(_("声明时间"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联盟地区")
        verbose_name_plural = _("联盟地区")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "code"], name="alliance_region_unique"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{6}$"), name="alliance_region_six_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance_id}: {self.code}"


class ProgrammeStatusChange(models.Model):
    """One move of a programme between statuses, with who made it and the statement it signed (if any)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=ProgrammeStatus.choices)
    to_status = models.CharField(max_length=16, choices=ProgrammeStatus.choices)
    version = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger_leaf_hash = LeafHashField(blank=True)

    class Meta:
        verbose_name = _("计划状态变更")
        verbose_name_plural = _("计划状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.from_status} → {self.to_status}"


class ProductScore(models.Model):
    """A product's trust score under one formula version, with the inputs and components it was computed from.

    Never edited by hand: `trust.scores.services.product_score_refresh` rewrites the one current row per
    (product, version) from the inputs it gathers (ADR 0047). `score` is NULL when the evidence is too thin
    (评分数据不足, docs/trust-model.md).
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="trust_scores")
    version = models.CharField(_("公式版本"), max_length=16)
    score = models.DecimalField(_("信任分"), max_digits=3, decimal_places=2, null=True, blank=True)
    components = models.JSONField(_("分项"), default=dict)
    inputs = models.JSONField(_("输入"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))
    # The `trust.score` statement of the last computation that changed what is shown (ADR 0051).
    leaf_hash = LeafHashField(blank=True, default="")
    # Stored by a review's quick refresh and not signed yet: `scores_publish_pending` (the `trust-scores-publish`
    # job, every minute) signs it with every other pending row in one pooled write (ADR 0051).
    publish_pending = models.BooleanField(_("待签名发布"), default=False)
    # On PostgreSQL, the snapshot the inputs were gathered in (`pg_current_snapshot()`): a refresh asked for by a
    # transaction this snapshot already saw has nothing to add (`scores_counting`); empty when unknown.
    inputs_snapshot = models.TextField(_("输入快照"), blank=True, default="")

    class Meta:
        verbose_name = _("商品信任分")
        verbose_name_plural = _("商品信任分")
        ordering = ["product", "version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="product_score_one_per_version"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=5),
                name="product_score_0_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(publish_pending=True), name="product_score_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.version}: {self.score}"


class Delisting(models.Model):
    """A product taken off sale because its trust score was, with 95 % confidence, below the bar (ADR 0052).

    Holds the score row's values at the time (never edited afterwards) and the leaf hash of the signed
    `trust.delisting`; the status moves through `delisting.choices.TRANSITIONS` by `delisting.services` only.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="delistings")
    suspension = models.ForeignKey(ListingSuspension, on_delete=models.PROTECT, related_name="+")
    policy = models.CharField(_("规则版本"), max_length=16)
    version = models.CharField(_("公式版本"), max_length=16)
    score = models.DecimalField(_("信任分"), max_digits=3, decimal_places=2)
    sd = models.FloatField(_("标准差"))
    upper = models.DecimalField(_("上限"), max_digits=4, decimal_places=2)
    bar = models.DecimalField(_("下架线"), max_digits=3, decimal_places=2)
    components = models.JSONField(_("分项"), default=dict)
    leaf_hash = models.CharField(_("日志叶哈希"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=DelistingStatus.choices,
                              default=DelistingStatus.DELISTED)
    created_at = models.DateTimeField(_("下架时间"))
    relisted_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信任分下架")
        verbose_name_plural = _("信任分下架")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=~models.Q(status="relisted"), name="delisting_one_open_per_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.status}"


class DelistingAppeal(models.Model):
    """The merchant's appeal against a delisting and the operator's decision on it (one open per delisting)."""

    delisting = models.ForeignKey(Delisting, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("申诉理由"), max_length=1000)
    evidence_note = models.CharField(_("证据说明"), max_length=500, blank=True)
    # None when filed through an API key (no person).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    leaf_hash = models.CharField(_("日志叶哈希"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    created_at = models.DateTimeField(_("申诉时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    decision_leaf_hash = models.CharField(_("处理日志叶哈希"), max_length=64, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("下架申诉")
        verbose_name_plural = _("下架申诉")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delisting"], condition=models.Q(status="open"), name="delisting_appeal_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delisting_id} {self.status}"


class DelistingEntry(models.Model):
    """One signed line of a product's public delisting history: delisting, appeal, decision or relisting."""

    delisting = models.ForeignKey(Delisting, on_delete=models.PROTECT, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    statement_type = models.CharField(_("声明类型"), max_length=64)
    # What the page shows (no personal data): outcome, cause, score and bound; checked against the statement.
    data = models.JSONField(_("内容"), default=dict)
    leaf_hash = models.CharField(_("日志叶哈希"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("下架记录")
        verbose_name_plural = _("下架记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.product_id} {self.kind}"


class CategoryMean(models.Model):
    """The mean stars of a category's counted reviews, the prior every product score of the category reads.

    A cache, not a record: a full recompute writes it exactly; a single refresh reuses it while it is younger than
    `trust.scores.inputs.CATEGORY_MEAN_TTL` (scanning a category's reviews costs more than the rest of a refresh).
    """

    category = models.CharField(_("类目"), max_length=32, unique=True)
    mean = models.FloatField(_("平均星级"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("类目平均星级")
        verbose_name_plural = _("类目平均星级")

    def __str__(self) -> str:
        return f"{self.category}: {self.mean}"

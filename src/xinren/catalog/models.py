"""Products (GTIN), batches (lots), serialized items, partner grants and label sheet jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.core.models import TimeStampedModel

from .choices import LabelSheetFormat, LabelSheetStatus, NetContentUnit, ProductCategory, ProductStatus
from .gs1 import DigitalLink


class Product(TimeStampedModel):
    """A trade item identified by its GTIN and owned by one merchant or supplier."""

    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="products")
    gtin = models.CharField(_("GTIN"), max_length=14, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    category = models.CharField(_("品类"), max_length=32, choices=ProductCategory.choices)
    origin_region = models.CharField(_("产地"), max_length=128)
    origin_latitude = models.DecimalField(_("产地纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    origin_longitude = models.DecimalField(_("产地经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("描述"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    # The rest of the facts a merchant signs (catalog/facts.py); the working copy, signed on publish and on change.
    origin_place = models.CharField(_("产地地点"), max_length=128, blank=True)
    net_content_amount = models.DecimalField(_("净含量"), max_digits=12, decimal_places=3, null=True, blank=True)
    net_content_unit = models.CharField(_("净含量单位"), max_length=8, choices=NetContentUnit.choices, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("保质期（天）"), null=True, blank=True)
    ingredients = models.TextField(_("配料"), blank=True)

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(gtin__regex=r"^[0-9]{14}$"), name="product_gtin_14_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.gtin})"

    @property
    def digital_link(self) -> DigitalLink:
        return DigitalLink(gtin=self.gtin)


class ProductImage(TimeStampedModel):
    """A product photo, re-encoded on upload so that no EXIF or GPS metadata survives."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("图片"), upload_to="products/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    # Set once its responsive variants are stored (catalog/images.py): pages draw <picture> from these alone.
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)

    class Meta:
        verbose_name = _("商品图片")
        verbose_name_plural = _("商品图片")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name or ""


class Batch(TimeStampedModel):
    """A lot (GS1 AI 10) of one product, produced together."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="batches")
    lot = models.CharField(_("批号"), max_length=20)
    production_date = models.DateField(_("生产日期"))
    expiry_date = models.DateField(_("保质期至"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("数量"))

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-production_date", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot"], name="batch_unique_product_lot"),
            models.CheckConstraint(
                condition=models.Q(expiry_date__isnull=True)
                | models.Q(expiry_date__gte=models.F("production_date")),
                name="batch_expiry_after_production",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="batch_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.gtin} / {self.lot}"

    @property
    def digital_link(self) -> DigitalLink:
        return DigitalLink(gtin=self.product.gtin, lot=self.lot)


class Item(TimeStampedModel):
    """One serialized unit (GS1 AI 21). Serials are random so that valid codes cannot be guessed."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="items")
    # Denormalised from the batch so that the database can enforce one serial per GTIN.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    serial = models.CharField(_("序列号"), max_length=20)

    class Meta:
        verbose_name = _("单品")
        verbose_name_plural = _("单品")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "serial"], name="item_unique_product_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.product.gtin} / {self.serial}"

    @property
    def digital_link(self) -> DigitalLink:
        return DigitalLink(gtin=self.product.gtin, lot=self.batch.lot, serial=self.serial)


class PartnerGrant(TimeStampedModel):
    """A merchant lets a partner (supplier, lab, logistics firm) record trace events about one of its products or
    one lot, until an end date. Grants made before ADR 0039 cover all the owner's products with no end date and are
    marked as legacy; no new grant is made that way."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="grants_given")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="grants_received")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="grants", verbose_name=_("商品")
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.CASCADE, related_name="grants", verbose_name=_("批次")
    )
    legacy_all_products = models.BooleanField(_("旧授权（全部商品）"), default=False)
    # The last day the grant is in force, in China Standard Time; only legacy grants have none.
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("合作授权")
        verbose_name_plural = _("合作授权")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(owner=models.F("partner")), name="grant_not_self"),
            models.CheckConstraint(
                condition=models.Q(product__isnull=False, batch__isnull=True, legacy_all_products=False)
                | models.Q(product__isnull=True, batch__isnull=False, legacy_all_products=False)
                | models.Q(product__isnull=True, batch__isnull=True, legacy_all_products=True),
                name="grant_one_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(legacy_all_products=True) | models.Q(ends_on__isnull=False),
                name="grant_ends_unless_legacy",
            ),
            models.UniqueConstraint(
                fields=["owner", "partner", "product"],
                condition=models.Q(revoked_at__isnull=True, product__isnull=False),
                name="grant_unique_live_product",
            ),
            models.UniqueConstraint(
                fields=["owner", "partner", "batch"],
                condition=models.Q(revoked_at__isnull=True, batch__isnull=False),
                name="grant_unique_live_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.partner}"


class ProductFacts(TimeStampedModel):
    """One signed version of a product's facts (`product.facts`): never changed; a change is a new version that
    names the leaf hash of the one it supersedes."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="facts_versions")
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=128)
    category = models.CharField(_("品类"), max_length=32, choices=ProductCategory.choices)
    origin_region = models.CharField(_("产地"), max_length=128)
    origin_place = models.CharField(_("产地地点"), max_length=128, blank=True)
    net_content_amount = models.DecimalField(_("净含量"), max_digits=12, decimal_places=3, null=True, blank=True)
    net_content_unit = models.CharField(_("净含量单位"), max_length=8, choices=NetContentUnit.choices, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("保质期（天）"), null=True, blank=True)
    ingredients = models.TextField(_("配料"), blank=True)
    description = models.TextField(_("描述"), blank=True)
    supersedes = LeafHashField(_("取代的声明"), blank=True)
    ledger_leaf_hash = LeafHashField(db_index=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("商品信息签名")
        verbose_name_plural = _("商品信息签名")
        ordering = ["product", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="product_facts_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="product_facts_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} v{self.version}"
class LabelSheet(TimeStampedModel):
    """A label sheet file asked for in the console or the API, drawn by a background task (catalog/sheets.py)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="label_sheets")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(_("格式"), max_length=8, choices=LabelSheetFormat.choices)
    # The sheet is the lot's first `item_count` items by id, counted when it was asked for: items minted later
    # do not shift its pages, and a retry draws the same file.
    item_count = models.PositiveIntegerField(_("单品数"))
    first_page = models.PositiveIntegerField(_("起始页"))
    last_page = models.PositiveIntegerField(_("结束页"))
    status = models.CharField(
        _("状态"), max_length=16, choices=LabelSheetStatus.choices, default=LabelSheetStatus.REQUESTED
    )
    pages_done = models.PositiveIntegerField(_("已完成页数"), default=0)
    file_name = models.CharField(_("文件"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("字节数"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(_("失败原因"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("标签文件")
        verbose_name_plural = _("标签文件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="labelsheet_status_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_page__gte=1), name="labelsheet_first_page_positive"),
            models.CheckConstraint(
                condition=models.Q(last_page__gte=models.F("first_page")), name="labelsheet_range_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(pages_done__lte=models.F("last_page") - models.F("first_page") + 1),
                name="labelsheet_progress_within_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} p{self.first_page}-{self.last_page}.{self.format}"

    @property
    def page_count(self) -> int:
        return self.last_page - self.first_page + 1


class ListingSuspension(TimeStampedModel):
    """A product taken off sale by governance until what caused it is cured (docs/governance.md, ADR 0043).

    The catalog only keeps the rows and answers "is it suspended, and why"; governance places and lifts them.
    `reason` is the sentence shown to people (in the platform's language, no personal data); `details` holds what
    the translated sentence is rebuilt from (the credential kind and its expiry date).
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="suspensions")
    reason_code = models.CharField(_("原因代码"), max_length=32)
    reason = models.CharField(_("原因"), max_length=255)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=64)  # e.g. "credential:<id>"
    lifted_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("暂停销售")
        verbose_name_plural = _("暂停销售")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "reason_code"], condition=models.Q(lifted_at__isnull=True),
                name="listing_suspension_one_open_per_reason",
            ),
        ]
        indexes = [models.Index(fields=["product", "lifted_at"], name="listing_suspension_open")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.reason_code}{' (lifted)' if self.lifted_at else ''}"

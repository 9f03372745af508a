"""Product categories and statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class ProductCategory(models.TextChoices):
    WILD_MUSHROOM = "wild_mushroom", _("野生菌")
    TEA = "tea", _("茶叶")
    BAKED_GOODS = "baked_goods", _("糕点烘焙")
    FRESH_FLOWERS = "fresh_flowers", _("鲜花")
    FRUIT = "fruit", _("水果")
    VEGETABLES = "vegetables", _("蔬菜")
    GRAIN_OIL = "grain_oil", _("粮油")
    MEAT_EGGS = "meat_eggs", _("肉禽蛋")
    HONEY = "honey", _("蜂蜜")
    COFFEE = "coffee", _("咖啡")
    HANDICRAFT = "handicraft", _("手工艺品")
    COSMETICS = "cosmetics", _("化妆品")
    MEDICAL_DEVICE = "medical_device", _("医疗器械")
    PHARMACY = "pharmacy", _("药品")
    OTHER = "other", _("其他")


# Perishable categories are excluded from seven-day no-reason returns and need cold-chain care.
PERISHABLE_CATEGORIES = frozenset(
    {
        ProductCategory.WILD_MUSHROOM,
        ProductCategory.BAKED_GOODS,
        ProductCategory.FRESH_FLOWERS,
        ProductCategory.FRUIT,
        ProductCategory.VEGETABLES,
        ProductCategory.MEAT_EGGS,
    }
)


# Food, for the Food Safety Law's floors (art. 148): every category but flowers, handicrafts and "other".
FOOD_CATEGORIES = frozenset(set(ProductCategory) - {
    ProductCategory.FRESH_FLOWERS, ProductCategory.HANDICRAFT, ProductCategory.OTHER,
})


class NetContentUnit(models.TextChoices):
    """Units of a product's net content (净含量), as printed on Chinese food labels (GB 7718)."""

    GRAM = "g", _("克")
    KILOGRAM = "kg", _("千克")
    MILLILITRE = "mL", _("毫升")
    LITRE = "L", _("升")
    PIECE = "piece", _("件")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("在售")
    DELISTED = "delisted", _("已下架")


PRODUCT_TRANSITIONS: TransitionTable = {
    ProductStatus.DRAFT: frozenset({ProductStatus.ACTIVE}),
    ProductStatus.ACTIVE: frozenset({ProductStatus.DELISTED}),
    ProductStatus.DELISTED: frozenset({ProductStatus.ACTIVE}),
}


class ShelfState(models.TextChoices):
    """Where a lot stands against its best-before date on a given day (catalog/shelf_life.py)."""

    FRESH = "fresh", _("在保质期内")
    EXPIRING = "expiring", _("即将过期")
    EXPIRED = "expired", _("已过保质期")


class LabelSheetFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    SVG = "svg", "SVG"


class LabelSheetStatus(models.TextChoices):
    """Where a label sheet job stands (catalog/sheets.py)."""

    REQUESTED = "requested", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    EXPIRED = "expired", _("已过期")


LABEL_SHEET_TRANSITIONS: TransitionTable = {
    LabelSheetStatus.REQUESTED: frozenset({LabelSheetStatus.RUNNING, LabelSheetStatus.FAILED}),
    # RUNNING → RUNNING: a worker died mid-sheet and the retry (or the sweep) starts it again from page one.
    LabelSheetStatus.RUNNING: frozenset({LabelSheetStatus.RUNNING, LabelSheetStatus.DONE, LabelSheetStatus.FAILED}),
    LabelSheetStatus.FAILED: frozenset({LabelSheetStatus.RUNNING}),
    LabelSheetStatus.DONE: frozenset({LabelSheetStatus.EXPIRED}),
    LabelSheetStatus.EXPIRED: frozenset(),
}

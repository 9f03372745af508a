"""Tags a reviewer may tick: a small fixed vocabulary per product category, offered on the review form so that
similar reviews carry the same words and "大家都在说" groups them. Reviewers may still write their own (the signed
`tags` of a review are what the buyer chose; services.shared.tags_clean)."""

from __future__ import annotations

from xinren.catalog.choices import ProductCategory

COMMON = ("物流快", "包装完好", "性价比高", "与描述一致", "会回购")
FRESH = ("新鲜", "口感好", "个头均匀", "冷链到位")
BY_CATEGORY: dict[str, tuple[str, ...]] = {
    ProductCategory.WILD_MUSHROOM: (*FRESH, "干净无泥"),
    ProductCategory.FRUIT: (*FRESH, "甜度高"),
    ProductCategory.VEGETABLES: FRESH,
    ProductCategory.MEAT_EGGS: FRESH,
    ProductCategory.BAKED_GOODS: ("口感好", "新鲜", "甜度适中"),
    ProductCategory.FRESH_FLOWERS: ("新鲜", "花苞饱满", "花期长"),
    ProductCategory.TEA: ("香气足", "回甘", "耐泡", "叶底好"),
    ProductCategory.COFFEE: ("香气足", "酸度适中", "烘焙新鲜"),
    ProductCategory.HONEY: ("浓稠", "口感好", "可溯源"),
    ProductCategory.GRAIN_OIL: ("口感好", "颗粒饱满"),
    ProductCategory.HANDICRAFT: ("做工精细", "有质感"),
}


def suggested_tags(category: str) -> list[str]:
    """The tags offered for a product of this category: its own first, then those of every category."""
    return list(dict.fromkeys((*BY_CATEGORY.get(category, ()), *COMMON)))

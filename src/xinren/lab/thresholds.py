"""Versioned, per-category threshold tables for lab reports, each limit citing its national standard.

A table version is never edited once reports refer to it: a change of limits is a new version, and a
report keeps the version it was graded with (`LabReport.table_version`). Limits are Decimal strings so
that band edges are exact.

Where the exact value of a clause was not certain when the table was written, the entry says so in
`note` and uses the stricter of the candidate values (a stricter limit can only lower stars, never hide
an exceedance). The lab scorecard page (docs/lab-scorecard.md) lists every entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.catalog.choices import ProductCategory


class Comparator(StrEnum):
    """How a measured value is compared with its limit."""

    LE = "le"  # a maximum, the limit itself complies (value ≤ limit): GB 2762/2763/2761 "限量"
    LT = "lt"  # a maximum, the limit itself does not comply (value < limit)
    GE = "ge"  # a minimum, the limit itself complies (value ≥ limit): quality indicators
    GT = "gt"  # a minimum, the limit itself does not comply (value > limit)
    ABSENT = "absent"  # must not be detected in the sample portion (pathogens, "0/25g")


COMPARATOR_SYMBOLS: dict[Comparator, str | Promise] = {
    Comparator.LE: "≤",
    Comparator.LT: "<",
    Comparator.GE: "≥",
    Comparator.GT: ">",
    Comparator.ABSENT: _("不得检出"),
}

# Unit spellings accepted as the same unit. These are aliases of one unit, never conversions between units:
# a value in mg/kg for a limit in μg/kg is refused, not multiplied by 1000.
UNIT_ALIASES = {
    "µg/kg": "μg/kg",  # MICRO SIGN (U+00B5) for GREEK SMALL LETTER MU (U+03BC)
    "ug/kg": "μg/kg",
    "mg/kg": "mg/kg",
    "μg/kg": "μg/kg",
    "CFU/g": "CFU/g",
    "cfu/g": "CFU/g",
    "%": "%",
    "g/100g": "g/100g",
    "/25g": "/25g",
}


def unit_canonical(unit: str) -> str | None:
    """The canonical spelling of a unit, or None when it is not one the tables use."""
    return UNIT_ALIASES.get(unit.strip().replace(" ", ""))


INDICATOR_NAMES = {
    "lead": "铅（以 Pb 计）",
    "cadmium": "镉（以 Cd 计）",
    "total_mercury": "总汞（以 Hg 计）",
    "total_arsenic": "总砷（以 As 计）",
    "chlorpyrifos": "毒死蜱",
    "cypermethrin": "氯氰菊酯和高效氯氰菊酯",
    "aflatoxin_b1": "黄曲霉毒素 B1",
    "salmonella": "沙门氏菌",
    "staphylococcus_aureus": "金黄色葡萄球菌",
    "moisture": "水分",
    "fructose_glucose": "果糖和葡萄糖",
    "sucrose": "蔗糖",
}


@dataclass(frozen=True)
class Limit:
    """One limit: indicator, value, unit, comparator and the clause it comes from."""

    indicator: str
    limit: Decimal
    unit: str
    comparator: Comparator
    standard: str
    clause: str
    note: str = ""

    @property
    def citation(self) -> str:
        return f"{self.standard} {self.clause}"


def _limit(indicator: str, limit: str, unit: str, comparator: Comparator, standard: str, clause: str,
           note: str = "") -> Limit:
    return Limit(indicator, Decimal(limit), unit, comparator, standard, clause, note)


LE, GE, ABSENT = Comparator.LE, Comparator.GE, Comparator.ABSENT
GB2762 = "GB 2762-2022"
GB2763 = "GB 2763-2021"
GB2761 = "GB 2761-2017"
GB29921 = "GB 29921-2021"

_TABLE_2026_1: dict[str, tuple[Limit, ...]] = {
    ProductCategory.WILD_MUSHROOM: (
        _limit("lead", "0.3", "mg/kg", LE, GB2762, "表1 食用菌及其制品：新鲜食用菌（香菇和姬松茸除外）"),
        _limit("cadmium", "0.2", "mg/kg", LE, GB2762, "表2 食用菌及其制品：新鲜食用菌（香菇和姬松茸除外）"),
        _limit("total_mercury", "0.1", "mg/kg", LE, GB2762, "表4 食用菌及其制品"),
        _limit("total_arsenic", "0.5", "mg/kg", LE, GB2762, "表3 食用菌及其制品"),
        _limit("cypermethrin", "0.5", "mg/kg", LE, GB2763, "氯氰菊酯和高效氯氰菊酯：蘑菇类（鲜）",
               note="蘑菇类（鲜）限量按 0.5 mg/kg 记录，待与标准原文核对"),
    ),
    ProductCategory.TEA: (
        _limit("lead", "5.0", "mg/kg", LE, GB2762, "表1 饮料类：茶叶"),
        _limit("chlorpyrifos", "2", "mg/kg", LE, GB2763, "毒死蜱：茶叶"),
        _limit("cypermethrin", "20", "mg/kg", LE, GB2763, "氯氰菊酯和高效氯氰菊酯：茶叶"),
        _limit("moisture", "7.0", "%", LE, "GB/T 14456.1-2017", "绿茶 理化指标：水分",
               note="绿茶的产品标准限值；其他茶类（如普洱茶 GB/T 22111）更宽，此处取较严者"),
    ),
    ProductCategory.VEGETABLES: (
        _limit("lead", "0.1", "mg/kg", LE, GB2762,
               "表1 新鲜蔬菜（芸薹类蔬菜、叶菜蔬菜、豆类蔬菜、生姜、薯类除外）",
               note="叶菜等另有较宽限值（0.3 mg/kg）；未区分亚类时取较严者"),
        _limit("cadmium", "0.05", "mg/kg", LE, GB2762,
               "表2 新鲜蔬菜（叶菜蔬菜、豆类蔬菜、块根和块茎蔬菜、茎类蔬菜、黄花菜除外）",
               note="叶菜蔬菜为 0.2 mg/kg；未区分亚类时取较严者"),
        _limit("total_mercury", "0.01", "mg/kg", LE, GB2762, "表4 新鲜蔬菜"),
        _limit("total_arsenic", "0.5", "mg/kg", LE, GB2762, "表3 新鲜蔬菜"),
        _limit("chlorpyrifos", "0.02", "mg/kg", LE, GB2763, "毒死蜱：蔬菜",
               note="毒死蜱已禁止在蔬菜上使用；各蔬菜限量不一且未逐项核对，取保守值 0.02 mg/kg"),
        _limit("cypermethrin", "0.5", "mg/kg", LE, GB2763, "氯氰菊酯和高效氯氰菊酯：蔬菜",
               note="各蔬菜限量不一（叶菜类多为 1–2 mg/kg），未逐项核对，取保守值 0.5 mg/kg"),
    ),
    ProductCategory.BAKED_GOODS: (
        _limit("lead", "0.5", "mg/kg", LE, GB2762, "表1 焙烤食品"),
        _limit("aflatoxin_b1", "5.0", "μg/kg", LE, GB2761, "表1 谷物及其制品：小麦、大麦、其他谷物及其制品",
               note="糕点按谷物制品的 5.0 μg/kg 计"),
        _limit("salmonella", "0", "/25g", ABSENT, GB29921, "表1 粮食制品（含焙烤类糕点）：n=5, c=0, m=0"),
        _limit("staphylococcus_aureus", "100", "CFU/g", LE, GB29921,
               "表1 粮食制品（含焙烤类糕点）：n=5, c=1, m=100, M=1000",
               note="三级采样方案按单个检测值计：取 m（100 CFU/g）而不是 M 作为限值，较严"),
    ),
    ProductCategory.HONEY: (
        _limit("lead", "0.5", "mg/kg", LE, GB2762, "表1 蜂产品：蜂蜜",
               note="旧版 GB 2762-2017 为 1.0 mg/kg；未能核对新版数值，取较严的 0.5 mg/kg"),
        _limit("fructose_glucose", "60", "g/100g", GE, "GB 14963-2011", "表2 理化指标：果糖和葡萄糖"),
        _limit("sucrose", "5", "g/100g", LE, "GB 14963-2011", "表2 理化指标：蔗糖（桉树、柑橘等蜂蜜除外）"),
        _limit("moisture", "20", "%", LE, "GB/T 18796-2012", "蜂蜜 一级品：水分",
               note="一级品限值；二级品较宽，此处取较严者"),
    ),
    ProductCategory.GRAIN_OIL: (
        _limit("lead", "0.1", "mg/kg", LE, GB2762, "表1 油脂及其制品"),
        _limit("aflatoxin_b1", "10", "μg/kg", LE, GB2761, "表1 油脂及其制品：植物油脂（花生油、玉米油除外）",
               note="花生油、玉米油为 20 μg/kg；未区分时取较严者"),
    ),
}

TABLES: dict[str, dict[str, tuple[Limit, ...]]] = {"2026.1": _TABLE_2026_1}
CURRENT_VERSION = "2026.1"


def limits_for(*, category: str, version: str = CURRENT_VERSION) -> dict[str, Limit]:
    """The limits of a category in one table version, by indicator (empty when the category has no table)."""
    return {limit.indicator: limit for limit in TABLES[version].get(category, ())}

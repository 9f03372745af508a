"""China's administrative division codes (GB/T 2260): every province, prefecture and county.

A code has six digits: two for the province, two for the prefecture, two for the county. A province's code
ends in 0000 and a prefecture's in 00, so a region lies within another when it shares the other's non-zero
prefix. The national table is the data file data/gbt2260.csv (its sources are named in its header and in
docs/qualifications.md), including codes withdrawn since 2015 that licences issued then still carry.

`REGIONS` and the functions over it (region_get, region_children, region_code_from_text) hold provinces and
prefectures: alliances, programmes and product origins work at that level. Counties and withdrawn codes are
looked up with `division_get` / `division_known`, which the qualification checks use for the region inside a
USCC or a food licence number. Rows in `_ROWS` add the short forms people write on labels (楚雄州, 楚雄).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Region:
    """One division: its code, official name and the shorter names it is written as."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    withdrawn: str = ""  # the last table revision (YYYYMM) that listed a code no longer in use; "" when current

    @property
    def level(self) -> int:
        """1 province, 2 prefecture, 3 county."""
        if self.code.endswith("0000"):
            return 1
        return 2 if self.code.endswith("00") else 3

    @property
    def prefix(self) -> str:
        """The leading digits that every region inside this one shares."""
        return self.code[: {1: 2, 2: 4, 3: 6}[self.level]]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


# Short forms of names (aliases); the official names of every code come from the data file.
_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("110000", "北京市", ("北京",)),
    ("120000", "天津市", ("天津",)),
    ("130000", "河北省", ("河北",)),
    ("140000", "山西省", ("山西",)),
    ("150000", "内蒙古自治区", ("内蒙古",)),
    ("210000", "辽宁省", ("辽宁",)),
    ("220000", "吉林省", ("吉林",)),
    ("230000", "黑龙江省", ("黑龙江",)),
    ("310000", "上海市", ("上海",)),
    ("320000", "江苏省", ("江苏",)),
    ("330000", "浙江省", ("浙江",)),
    ("340000", "安徽省", ("安徽",)),
    ("350000", "福建省", ("福建",)),
    ("360000", "江西省", ("江西",)),
    ("370000", "山东省", ("山东",)),
    ("410000", "河南省", ("河南",)),
    ("420000", "湖北省", ("湖北",)),
    ("430000", "湖南省", ("湖南",)),
    ("440000", "广东省", ("广东",)),
    ("450000", "广西壮族自治区", ("广西",)),
    ("460000", "海南省", ("海南",)),
    ("500000", "重庆市", ("重庆",)),
    ("510000", "四川省", ("四川",)),
    ("520000", "贵州省", ("贵州",)),
    ("530000", "云南省", ("云南",)),
    ("540000", "西藏自治区", ("西藏",)),
    ("610000", "陕西省", ("陕西",)),
    ("620000", "甘肃省", ("甘肃",)),
    ("630000", "青海省", ("青海",)),
    ("640000", "宁夏回族自治区", ("宁夏",)),
    ("650000", "新疆维吾尔自治区", ("新疆",)),
    ("710000", "台湾省", ("台湾",)),
    ("810000", "香港特别行政区", ("香港",)),
    ("820000", "澳门特别行政区", ("澳门",)),
    # Yunnan's sixteen prefectures.
    ("530100", "昆明市", ("昆明",)),
    ("530300", "曲靖市", ("曲靖",)),
    ("530400", "玉溪市", ("玉溪",)),
    ("530500", "保山市", ("保山",)),
    ("530600", "昭通市", ("昭通",)),
    ("530700", "丽江市", ("丽江",)),
    ("530800", "普洱市", ("普洱",)),
    ("530900", "临沧市", ("临沧",)),
    ("532300", "楚雄彝族自治州", ("楚雄州", "楚雄")),
    ("532500", "红河哈尼族彝族自治州", ("红河州", "红河")),
    ("532600", "文山壮族苗族自治州", ("文山州", "文山")),
    ("532800", "西双版纳傣族自治州", ("西双版纳州", "西双版纳")),
    ("532900", "大理白族自治州", ("大理州", "大理")),
    ("533100", "德宏傣族景颇族自治州", ("德宏州", "德宏")),
    ("533300", "怒江傈僳族自治州", ("怒江州", "怒江")),
    ("533400", "迪庆藏族自治州", ("迪庆州", "迪庆")),
)

_DATA = Path(__file__).resolve().parent / "data" / "gbt2260.csv"
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_SUFFIXES = ("特别行政区", "自治区", "地区", "省", "市", "盟")


def _short(name: str) -> tuple[str, ...]:
    """The name without its administrative suffix (辽宁省 -> 辽宁), when that leaves two characters or more."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return (name[: -len(suffix)],)
    return ()


@cache
def _divisions() -> dict[str, Region]:
    aliases = {code: names for code, _name, names in _ROWS}
    table: dict[str, Region] = {}
    with _DATA.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            code, name, withdrawn = row["code"], row["name"], row["withdrawn"]
            table[code] = Region(code, name, aliases.get(code, _short(name) if code.endswith("00") else ()), withdrawn)
    for code, name, names in _ROWS:  # a row of _ROWS missing from the file still counts (e.g. a renamed code)
        table.setdefault(code, Region(code, name, names))
    return table


def _provinces_and_prefectures() -> dict[str, Region]:
    return {
        code: region
        for code, region in sorted(_divisions().items())
        if code.endswith("00") and not region.withdrawn and region.name not in _PLACEHOLDERS
    }


REGIONS: dict[str, Region] = _provinces_and_prefectures()


# Province abbreviations written on licences (滇 for Yunnan), the first the usual one; keyed by the two-digit prefix.
PROVINCE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "11": ("京",), "12": ("津",), "13": ("冀",), "14": ("晋",), "15": ("蒙",), "21": ("辽",), "22": ("吉",),
    "23": ("黑",), "31": ("沪",), "32": ("苏",), "33": ("浙",), "34": ("皖",), "35": ("闽",), "36": ("赣",),
    "37": ("鲁",), "41": ("豫",), "42": ("鄂",), "43": ("湘",), "44": ("粤",), "45": ("桂",), "46": ("琼",),
    "50": ("渝",), "51": ("川", "蜀"), "52": ("黔", "贵"), "53": ("滇", "云"), "54": ("藏",), "61": ("陕", "秦"),
    "62": ("甘", "陇"), "63": ("青",), "64": ("宁",), "65": ("新",), "71": ("台",), "81": ("港",), "82": ("澳",),
}  # fmt: skip


def province_of_abbreviation(abbreviation: str) -> str | None:
    """The two-digit province prefix an abbreviation stands for (滇 -> 53), or None."""
    for prefix, names in PROVINCE_ABBREVIATIONS.items():
        if abbreviation in names:
            return prefix
    return None


def division_get(code: str) -> Region | None:
    """Any GB/T 2260 division of the table, counties and codes withdrawn since 2015 included, or None."""
    return _divisions().get(code)


def division_known(code: str) -> bool:
    """Whether `code` is a six-digit GB/T 2260 code in use now or since 2015 (province, prefecture or county)."""
    return len(code) == 6 and code.isdigit() and code in _divisions()


def division_full_name(code: str) -> str:
    """Province, prefecture and county as addresses write them (云南省楚雄彝族自治州南华县); the code when unknown."""
    table = _divisions()
    division = table.get(code)
    if division is None:
        return code
    names = []
    province = table.get(code[:2] + "0000")
    if province is not None and province.code != code:
        names.append(province.name)
    prefecture = table.get(code[:4] + "00") if division.level == 3 else None
    if prefecture is not None and prefecture.name not in _PLACEHOLDERS:
        names.append(prefecture.name)
    return "".join(names) + division.name


def region_get(code: str) -> Region | None:
    """The region of a code, or None when the code is not in the table."""
    return REGIONS.get(code)


def region_parent(region: Region) -> Region | None:
    """The province of a prefecture (or the prefecture of a county), None for a province."""
    if region.level == 1:
        return None
    parent_code = region.code[:2] + "0000" if region.level == 2 else region.code[:4] + "00"
    return REGIONS.get(parent_code)


def region_full_name(code: str) -> str:
    """The name with its province, as addresses are written: 云南省昆明市 (a province alone: 云南省)."""
    region = REGIONS.get(code)
    if region is None:
        return code
    parent = region_parent(region)
    return (parent.name if parent is not None else "") + region.name


def region_within(code: str, container: str) -> bool:
    """Whether region `code` lies inside region `container` (a region lies within itself)."""
    outer = REGIONS.get(container)
    return outer is not None and len(code) == 6 and code.isdigit() and code.startswith(outer.prefix)


def region_children(code: str) -> list[Region]:
    """The regions of the table inside `code`, itself included, in code order."""
    return [region for key, region in sorted(REGIONS.items()) if region_within(key, code)]


def _starts_with_name(text: str, regions: list[Region]) -> tuple[Region, str] | None:
    """The region whose longest name begins `text`, and what follows it."""
    best: tuple[Region, str] | None = None
    for region in regions:
        for name in region.names:
            if text.startswith(name) and (best is None or len(name) > len(text) - len(best[1])):
                best = (region, text[len(name) :])
    return best


def region_code_from_text(text: str) -> str | None:
    """The most specific code of the table that an address or origin names, or None.

    "云南省楚雄州南华县" gives 532300 (the table stops at prefectures), "昆明市安宁市" gives 530100 (a prefecture
    is unique without its province), "上海市浦东新区" gives 310000, and "滇西" gives None.
    """
    text = "".join(text.split())
    provinces = [region for region in REGIONS.values() if region.level == 1]
    found = _starts_with_name(text, provinces)
    if found is None:
        prefecture = _starts_with_name(text, [region for region in REGIONS.values() if region.level == 2])
        return prefecture[0].code if prefecture is not None else None
    province, rest = found
    inside = [region for region in REGIONS.values() if region.level == 2 and region_within(region.code, province.code)]
    prefecture = _starts_with_name(rest, inside)
    return prefecture[0].code if prefecture is not None else province.code

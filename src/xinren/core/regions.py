"""China's administrative division codes (GB/T 2260): the provinces, and the prefectures of Yunnan.

A code has six digits: two for the province, two for the prefecture, two for the county. A province's code
ends in 0000 and a prefecture's in 00, so a region lies within another when it shares the other's non-zero
prefix. The table is the part the platform uses today (alliances and origins in Yunnan); it grows by adding rows.
Each row has the official name and the short forms people write on labels (楚雄州, 楚雄).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """One division: its code, official name and the shorter names it is written as."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()

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

REGIONS: dict[str, Region] = {code: Region(code, name, aliases) for code, name, aliases in _ROWS}


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
                best = (region, text[len(name):])
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

"""The content-quality score (内容质量分) of a review, version "quality/2026-11": pure functions, no database.

Five components, each 0–100, weighted into a 0–100 total (rounded half up):

- length (weight 25): text units of the review: each CJK character is one unit, each run of Latin letters or
  digits one unit (a word); whitespace and punctuation count nothing. 120 units or more score 100, fewer score
  proportionally (rounded down).
- specifics (25): 25 for each kind of specific detail found at least once: a number with a unit, a duration,
  a comparison, a usage context (SPECIFIC_PATTERNS below).
- media (15): photos or videos attached to the review: 0 → 0, 1 → 40, 2 → 80, 3 or more → 100.
- diary (20): usage diaries written: day 7 → 30, day 15 → 30, day 30 → 40.
- helpful (15): helpful votes v with diminishing returns, 100 × (1 − 2^(−v/5)) rounded down: 5 votes 50,
  10 votes 75, 20 votes 93.

The stars are not an input: a one-star review and a five-star review with the same text and the same follow-ups
score the same. Reward points are paid on this score (see services), never on the stars (no 好评返现).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

VERSION = "quality/2026-11"

WEIGHTS: dict[str, int] = {"length": 25, "specifics": 25, "media": 15, "diary": 20, "helpful": 15}
LENGTH_FULL_UNITS = 120
MEDIA_POINTS = (0, 40, 80, 100)
DIARY_POINTS = {7: 30, 15: 30, 30: 40}
HELPFUL_HALF_AT = 5

LABELS = {
    "length": _("篇幅"),
    "specifics": _("具体细节"),
    "media": _("图片/视频"),
    "diary": _("使用日记"),
    "helpful": _("有用投票"),
}

_UNITS = (
    r"克|千克|公斤|斤|两|g|kg|毫升|升|ml|l|元|块|cm|厘米|毫米|mm|米|个|只|颗|朵|片|包|袋|盒|瓶|罐|杯|次|度|℃|%|％"
)
_CJK_NUM = r"[0-9０-９]+(?:[.．][0-9]+)?|[一二两三四五六七八九十半几]+"
SPECIFIC_PATTERNS: dict[str, re.Pattern[str]] = {
    # "500克", "3.5 kg", "两斤", "80℃"
    "number_with_unit": re.compile(rf"(?:{_CJK_NUM})\s*(?:{_UNITS})(?![a-z])", re.IGNORECASE),
    # "3天", "两周", "一个月", "半小时", "第7天"
    "duration": re.compile(rf"(?:{_CJK_NUM})\s*(?:个)?\s*(?:天|日|周|星期|礼拜|个月|月|年|小时|分钟|秒)"),
    # "比超市的香", "相比去年", "不如", "对比", "更新鲜"
    "comparison": re.compile(r"比[^较如]|相比|对比|比较|不如|胜过|更[\u4e00-\u9fff]|以前买的|上次买的"),
    # "炒肉", "泡茶", "给孩子", "早餐", "放冰箱"
    "usage_context": re.compile(
        r"炒|炖|煮|蒸|烤|煎|泡|冲|凉拌|做饭|早餐|早饭|午饭|晚饭|下饭|孩子|老人|家人|送人|送礼|冰箱|冷藏|冷冻|办公室|出差"
    ),
}
SPECIFIC_POINTS = 25

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORD = re.compile(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ]+")


def text_units(text: str) -> int:
    """Length of a text in units: one per CJK character, one per Latin word or number; nothing else counts."""
    return len(_CJK.findall(text)) + len(_WORD.findall(text))


def specifics_found(text: str) -> list[str]:
    """The kinds of specific detail the text contains (each at most once), in a fixed order."""
    return [name for name, pattern in SPECIFIC_PATTERNS.items() if pattern.search(text)]


def helpful_component(votes: int) -> int:
    return math.floor(100 * (1 - 2 ** (-max(votes, 0) / HELPFUL_HALF_AT)))


@dataclass(frozen=True)
class QualityInputs:
    """What the score is computed from (stored with the score so anyone can recompute it)."""

    text: str
    media: int = 0
    diary_milestones: tuple[int, ...] = ()
    helpful_votes: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "text_units": text_units(self.text),
            "specifics": specifics_found(self.text),
            "media": self.media,
            "diary_milestones": sorted(self.diary_milestones),
            "helpful_votes": self.helpful_votes,
        }


@dataclass(frozen=True)
class QualityResult:
    score: int
    components: dict[str, int]
    inputs: dict[str, object] = field(default_factory=dict)
    version: str = VERSION


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def quality_compute(inputs: QualityInputs) -> QualityResult:
    """The score, its five components and the inputs, for one review."""
    units = text_units(inputs.text)
    diaries: Iterable[int] = set(inputs.diary_milestones)
    components = {
        "length": min(100, units * 100 // LENGTH_FULL_UNITS),
        "specifics": SPECIFIC_POINTS * len(specifics_found(inputs.text)),
        "media": MEDIA_POINTS[min(max(inputs.media, 0), len(MEDIA_POINTS) - 1)],
        "diary": sum(DIARY_POINTS.get(milestone, 0) for milestone in diaries),
        "helpful": helpful_component(inputs.helpful_votes),
    }
    total = _half_up(sum(WEIGHTS[name] * value for name, value in components.items()) / 100)
    return QualityResult(score=total, components=components, inputs=inputs.as_dict())


def explain(components: dict[str, int]) -> list[dict[str, object]]:
    """The components as rows for the "为什么？" box: label, value 0–100, weight, and points contributed."""
    return [
        {"key": name, "label": str(LABELS[name]), "value": components.get(name, 0), "weight": weight,
         "points": round(components.get(name, 0) * weight / 100, 1)}
        for name, weight in WEIGHTS.items()
    ]


def explain_text(components: dict[str, int], *, rows: list[dict[str, object]] | None = None) -> str:
    """The same explanation in one line of plain text: "篇幅 100×25%=25.0；具体细节 …" (for the feed page);
    `rows` are explain(components) when the caller has them already."""
    return "；".join(f"{row['label']} {row['value']}×{row['weight']}%={row['points']}"
                    for row in (rows if rows is not None else explain(components)))

"""The published criteria of the expert tiers (达人信任体系), version "tiers/2026-11".

These constants are what `services.tiers_evaluate` applies and what /community/tiers/ shows: the page is generated
from them, so the published rules and the code cannot drift apart. A consumer's tier is the highest tier whose
every criterion holds over the last WINDOW_DAYS; when one stops holding the consumer moves down at the next daily
evaluation (demotion is automatic, exactly like promotion).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Tier

VERSION = "tiers/2026-11"
WINDOW_DAYS = 180


@dataclass(frozen=True)
class Criterion:
    """One measured threshold: metric >= minimum (or <= maximum when `at_most`)."""

    metric: str
    limit: int
    at_most: bool = False

    def holds(self, metrics: dict[str, int]) -> bool:
        value = metrics.get(self.metric, 0)
        return value <= self.limit if self.at_most else value >= self.limit


METRIC_LABELS: dict[str, Promise] = {
    "reviews_q60": _("近 180 天质量分 ≥ 60 的已展示评价数"),
    "reviews_q75": _("近 180 天质量分 ≥ 75 的已展示评价数"),
    "helpful_votes": _("近 180 天已展示评价获得的“有用”数"),
    "diaries": _("近 180 天已展示评价的使用日记篇数"),
    "folded": _("近 180 天被折叠（风控或运营）且仍为折叠状态的评价数"),
}

CRITERIA: dict[str, tuple[Criterion, ...]] = {
    Tier.QUALITY_SHARER: (
        Criterion("reviews_q60", 3),
        Criterion("helpful_votes", 10),
        Criterion("folded", 1, at_most=True),
    ),
    Tier.PLATFORM_EXPERT: (
        Criterion("reviews_q75", 10),
        Criterion("helpful_votes", 50),
        Criterion("diaries", 5),
        Criterion("folded", 0, at_most=True),
    ),
}

PRIVILEGES: dict[str, Promise] = {
    Tier.ORDINARY: _("发布评价、使用日记，投“有用”，按内容质量获得积分"),
    Tier.QUALITY_SHARER: _("好物圈显示“优质分享者”标识"),
    Tier.PLATFORM_EXPERT: _(
        "好物圈显示“平台达人”标识；可受商家邀请参加新品试用和产地/工厂探访，试用后的评价标注“试用体验”"
    ),
}


def tier_for(metrics: dict[str, int]) -> str:
    """The highest tier whose criteria all hold (ordinary when none)."""
    for tier in (Tier.PLATFORM_EXPERT, Tier.QUALITY_SHARER):
        if all(criterion.holds(metrics) for criterion in CRITERIA[tier]):
            return tier
    return Tier.ORDINARY


def failed_criteria(tier: str, metrics: dict[str, int]) -> list[Criterion]:
    return [criterion for criterion in CRITERIA.get(tier, ()) if not criterion.holds(metrics)]


def criterion_text(criterion: Criterion) -> str:
    sign = "≤" if criterion.at_most else "≥"
    return f"{METRIC_LABELS[criterion.metric]} {sign} {criterion.limit}"


def published() -> list[dict[str, object]]:
    """The tiers, lowest first, with their criteria and privileges, for the public page and the API."""
    return [
        {"tier": tier.value, "label": tier.label, "privileges": PRIVILEGES[tier],
         "criteria": [{"metric": c.metric, "label": METRIC_LABELS[c.metric], "at_most": c.at_most, "limit": c.limit,
                       "text": criterion_text(c)} for c in CRITERIA.get(tier, ())]}
        for tier in (Tier.ORDINARY, Tier.QUALITY_SHARER, Tier.PLATFORM_EXPERT)
    ]

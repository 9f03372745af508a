"""Tiers, trial kinds and statuses, and reward reasons of the community context."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class Tier(models.TextChoices):
    """The expert tiers (达人信任体系), lowest first; criteria in `tiers.py`, published at /community/tiers/."""

    ORDINARY = "ordinary", _("普通用户")
    QUALITY_SHARER = "quality_sharer", _("优质分享者")
    PLATFORM_EXPERT = "platform_expert", _("平台达人")


TIER_ORDER = [Tier.ORDINARY, Tier.QUALITY_SHARER, Tier.PLATFORM_EXPERT]


class TrialKind(models.TextChoices):
    TRIAL = "trial", _("新品试用")
    FACTORY_VISIT = "factory_visit", _("产地/工厂探访")


class ParticipationStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已婉拒")


# An expert answers an invitation once; accepted or declined is final (the merchant may invite someone else).
PARTICIPATION_TRANSITIONS: TransitionTable = {
    ParticipationStatus.INVITED: frozenset({ParticipationStatus.ACCEPTED, ParticipationStatus.DECLINED}),
    ParticipationStatus.ACCEPTED: frozenset(),
    ParticipationStatus.DECLINED: frozenset(),
}


class PointsReason(models.TextChoices):
    """Why points were credited. None of them looks at the stars (no 好评返现)."""

    QUALITY_60 = "quality.60", _("内容质量分达到 60")
    QUALITY_80 = "quality.80", _("内容质量分达到 80")
    DIARY_COMPLETE = "diary.complete", _("完成第 7、15、30 天使用日记")
    HELPFUL_10 = "helpful.10", _("获得 10 个“有用”")
    HELPFUL_50 = "helpful.50", _("获得 50 个“有用”")


REVERSAL_SUFFIX = ".reversed"
REINSTATED_SUFFIX = ".reinstated"


def points_reason_parts(reason: str) -> tuple[str, str]:
    """A ledger reason as (base reason, kind): "quality.60.reversed.2" → ("quality.60", "reversed")."""
    for suffix in (REVERSAL_SUFFIX, REINSTATED_SUFFIX):
        base, found, _cycle = reason.partition(suffix)
        if found:
            return base, suffix.lstrip(".")
    return reason, "paid"

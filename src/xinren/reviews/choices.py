"""Statuses and kinds of the reviews context."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class ReviewStatus(models.TextChoices):
    VISIBLE = "visible", _("已展示")
    # Folded reviews stay public, collapsed with the reason (E-commerce Law art. 39): there is no "deleted".
    FOLDED = "folded", _("已折叠")


# Folded, then shown again when an integrity fold proves a false alarm (the fold stays on record); an operator may
# add a fold of their own to a review the integrity checks folded.
REVIEW_TRANSITIONS: TransitionTable = {
    ReviewStatus.VISIBLE: frozenset({ReviewStatus.FOLDED}),
    ReviewStatus.FOLDED: frozenset({ReviewStatus.VISIBLE, ReviewStatus.FOLDED}),
}


class FoldSource(models.TextChoices):
    OPERATOR = "operator", _("平台运营")
    INTEGRITY = "integrity", _("风控信号（待审核）")


class Milestone(models.IntegerChoices):
    """Days after delivery at which a usage diary (使用日记) is invited."""

    DAY_7 = 7, _("第 7 天")
    DAY_15 = 15, _("第 15 天")
    DAY_30 = 30, _("第 30 天")


class FlagReason(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", _("与其他账号的评价高度相似")
    NEW_ACCOUNT_BURST = "new_account_burst", _("新注册账号短时间内集中评价")
    BRUSHING = "brushing", _("疑似刷单：订单数与买家数之比异常")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待审核")
    RESOLVED = "resolved", _("已处理")


FLAG_TRANSITIONS: TransitionTable = {
    FlagStatus.OPEN: frozenset({FlagStatus.RESOLVED}),
    FlagStatus.RESOLVED: frozenset(),
}



"""Statuses of a delisting and of an appeal, with the moves allowed between them (ADR 0052)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class DelistingStatus(models.TextChoices):
    DELISTED = "delisted", _("已下架")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("维持下架")
    RELISTED = "relisted", _("已恢复销售")


OPEN_STATUSES = (DelistingStatus.DELISTED, DelistingStatus.APPEALED, DelistingStatus.UPHELD)

DELISTING_TRANSITIONS: TransitionTable = {
    DelistingStatus.DELISTED: frozenset({DelistingStatus.APPEALED, DelistingStatus.RELISTED}),
    DelistingStatus.APPEALED: frozenset({DelistingStatus.UPHELD, DelistingStatus.RELISTED}),
    DelistingStatus.UPHELD: frozenset({DelistingStatus.APPEALED, DelistingStatus.RELISTED}),
    DelistingStatus.RELISTED: frozenset(),
}


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RELISTED = "relisted", _("恢复销售")
    UPHELD = "upheld", _("维持下架")
    CLOSED = "closed", _("分数已恢复，自动结束")


class EntryKind(models.TextChoices):
    """A line of the product's public history: one per signed statement."""

    DELISTING = "delisting", _("自动下架")
    APPEAL = "appeal", _("商家申诉")
    DECISION = "decision", _("平台处理申诉")
    RELISTING = "relisting", _("恢复销售")

"""States of a guarantee programme and of a merchant's membership."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    RETIRED = "retired", _("已停止")


class LeftReason(models.TextChoices):
    """Why a membership ended."""

    WITHDRAWN = "withdrawn", _("商家退出")
    NO_LONGER_ELIGIBLE = "no_longer_eligible", _("不再符合条件")
    PROGRAMME_RETIRED = "programme_retired", _("计划已停止")

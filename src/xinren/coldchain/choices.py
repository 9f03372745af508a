"""Kinds of excursions and promises."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExcursionKind(models.TextChoices):
    TOO_WARM = "too_warm", _("超出上限")
    TOO_COLD = "too_cold", _("低于下限")
    HUMID = "humid", _("湿度超出范围")


class PromiseKind(models.TextChoices):
    ORIGIN_TO_TABLE_HOURS = "origin_to_table_hours", _("产地到餐桌时效")


class PromiseOutcome(models.TextChoices):
    KEPT = "kept", _("已兑现")
    BROKEN = "broken", _("未兑现")
    PENDING = "pending", _("进行中")

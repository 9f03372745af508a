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


class ItemPromiseState(models.TextChoices):
    """Where one item stands against a promise (docs/promises.md)."""

    KEPT = "kept", _("已兑现")
    BROKEN = "broken", _("未兑现")
    UNVERIFIED = "unverified", _("送达时间未能核实")  # only the buyer's confirmation, after the deadline
    ON_THE_WAY = "on_the_way", _("运输中")
    OVERDUE = "overdue", _("已超时，尚未确认送达")
    NOT_DELIVERED = "not_delivered", _("尚未确认送达")  # not on its way, no delivery: in stock, at a hub
    NO_START = "no_start", _("批次没有起算记录")

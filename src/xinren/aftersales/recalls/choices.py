"""Scopes and statuses of recalls, and the stages a buyer can be at when a recall reaches them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecallScope(models.TextChoices):
    LOT = "lot", _("整批召回")
    SERIALS = "serials", _("指定单品召回")


class RecallStatus(models.TextChoices):
    """A recall is issued once and stays on the pages until it is closed. Closing is not built yet: its transition
    table (issued → closed) comes with it, checked through core.transitions (docs/recalls.md)."""

    ISSUED = "issued", _("召回中")
    CLOSED = "closed", _("已结束")


class BuyerStage(models.TextChoices):
    """Where the buyer's recalled units were when the recall reached them."""

    RECEIVED = "received", _("已收到商品")
    IN_TRANSIT = "in_transit", _("运输中")
    NOT_SHIPPED = "not_shipped", _("已付款未发货")


class NoticeChannel(models.TextChoices):
    """How a buyer was reached: the inbox always; SMS and WeChat follow the buyer's notification settings."""

    INBOX = "inbox", _("站内通知")

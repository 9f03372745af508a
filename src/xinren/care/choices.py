"""Where a customer's words came from, the care ticket's statuses and their transition table, and the offers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class SourceKind(models.TextChoices):
    REVIEW = "review", _("评价")
    DIARY = "diary", _("使用日记")
    MESSAGE = "message", _("买家消息")
    AFTERSALE = "aftersale", _("售后申请说明")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("待联系")
    CONTACTED = "contacted", _("已联系")
    OFFER_MADE = "offer_made", _("已提出方案")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")


T = TicketStatus
TICKET_TRANSITIONS: TransitionTable = {
    T.OPEN: frozenset({T.CONTACTED, T.OFFER_MADE, T.CLOSED}),
    T.CONTACTED: frozenset({T.OFFER_MADE, T.RESOLVED, T.CLOSED}),
    # the customer accepts the offer (resolved) or declines it (back to contacted, another offer may follow)
    T.OFFER_MADE: frozenset({T.RESOLVED, T.CONTACTED, T.CLOSED}),
    T.RESOLVED: frozenset({T.CLOSED}),
    T.CLOSED: frozenset(),
}
OPEN_TICKET_STATUSES = frozenset({T.OPEN, T.CONTACTED, T.OFFER_MADE})


class OfferKind(models.TextChoices):
    REFUND = "refund", _("退款")
    REPLACEMENT = "replacement", _("换货")
    COMPENSATION = "compensation", _("赔付")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("待买家确认")
    ACCEPTED = "accepted", _("买家已接受")
    DECLINED = "declined", _("买家已拒绝")
    WITHDRAWN = "withdrawn", _("已撤回")


# The complaint types a customer reads (ids from the classifier, xinren.vou.classify.TYPES).
TYPE_LABELS = {
    "damaged": _("破损"),
    "spoiled": _("变质"),
    "poor_quality": _("质量差"),
    "not_as_described": _("与描述不符"),
    "counterfeit": _("疑似假货"),
    "late_delivery": _("发货或物流慢"),
    "missing_items": _("少件漏发"),
    "rude_service": _("服务态度"),
    "refund_friction": _("退款受阻"),
    "safety_allergy": _("安全与过敏"),
    "price": _("价格"),
    "other": _("其他"),
}

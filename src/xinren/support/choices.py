"""Statuses and sides of the support context (联系商家)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("待回复")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已结束")


# A consumer's message (re)opens a conversation, the merchant's answers it; either side may close it, and the
# consumer's next message opens it again. Nothing is final: the messages themselves are kept whatever the status.
CONVERSATION_TRANSITIONS: TransitionTable = {
    ConversationStatus.OPEN: frozenset({ConversationStatus.OPEN, ConversationStatus.ANSWERED,
                                        ConversationStatus.CLOSED}),
    ConversationStatus.ANSWERED: frozenset({ConversationStatus.OPEN, ConversationStatus.ANSWERED,
                                            ConversationStatus.CLOSED}),
    ConversationStatus.CLOSED: frozenset({ConversationStatus.OPEN, ConversationStatus.ANSWERED}),
}


class Side(models.TextChoices):
    CONSUMER = "consumer", _("买家")
    MERCHANT = "merchant", _("商家")


class Purpose(models.TextChoices):
    """Why the consumer may write: about an order, about a product bought before, or a pre-sale question (咨询)."""

    ORDER = "order", _("订单")
    AFTER_SALE = "bought", _("已购商品")
    PRE_SALE = "pre_sale", _("售前咨询")

"""Conversations between a consumer and a merchant (联系商家), and their messages, which are kept for good.

A message is never edited or deleted, by anyone: the database refuses it (triggers installed by migration 0002, see
`kept.py`). Whether a side has read a message is not a flag on the message but the side's `*_read_at` time on the
conversation: a message is read by the other side when it was created at or before that time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import ApiKey, Organization
from xinren.catalog.models import Product
from xinren.orders.models import Order

from .choices import ConversationStatus, Purpose, Side

BODY_MAX = 500


class Conversation(models.Model):
    """One consumer's thread with one merchant about one subject: an order of theirs, or a product."""

    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="conversations")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    purpose = models.CharField(_("类型"), max_length=16, choices=Purpose.choices)
    status = models.CharField(_("状态"), max_length=16, choices=ConversationStatus.choices,
                              default=ConversationStatus.OPEN)
    created_at = models.DateTimeField(_("创建时间"))
    last_message_at = models.DateTimeField(_("最新消息时间"))
    last_consumer_message_at = models.DateTimeField(_("买家最新消息时间"), null=True, blank=True)
    last_merchant_message_at = models.DateTimeField(_("商家最新回复时间"), null=True, blank=True)
    # The first consumer message the merchant has not answered yet (None: nothing is waiting for an answer).
    awaiting_since = models.DateTimeField(_("等待回复起始"), null=True, blank=True)
    consumer_read_at = models.DateTimeField(_("买家已读至"), null=True, blank=True)
    merchant_read_at = models.DateTimeField(_("商家已读至"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会话")
        verbose_name_plural = _("会话")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order__isnull=False, product__isnull=True) | Q(order__isnull=True, product__isnull=False)),
                name="support_conversation_one_subject",
            ),
            models.UniqueConstraint(fields=["consumer", "order"], condition=Q(order__isnull=False),
                                    name="support_conversation_unique_order"),
            models.UniqueConstraint(fields=["consumer", "merchant", "product"], condition=Q(product__isnull=False),
                                    name="support_conversation_unique_product"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "last_message_at"]),
            models.Index(fields=["consumer", "last_message_at"]),
            models.Index(fields=["merchant", "awaiting_since"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.consumer_id} ↔ {self.merchant_id}"

    @property
    def unread_for_merchant(self) -> bool:
        last = self.last_consumer_message_at
        return last is not None and (self.merchant_read_at is None or last > self.merchant_read_at)

    @property
    def unread_for_consumer(self) -> bool:
        last = self.last_merchant_message_at
        return last is not None and (self.consumer_read_at is None or last > self.consumer_read_at)


class Message(models.Model):
    """One message of a conversation, plain text, kept as written: no update or delete path, and triggers."""

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages")
    side = models.CharField(_("发送方"), max_length=16, choices=Side.choices)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A merchant's partner system may answer with an API key: then the key, not a person, is the sender.
    sender_api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("发送时间"))
    # On a merchant's message: when the inquiry it answers began (the first unanswered consumer message), for the
    # response-time figures (selectors.merchant_response_stats). None when nothing was waiting.
    responds_to_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("body"), 1) & LessThanOrEqual(Length("body"), BODY_MAX),
                name="support_message_body_length",
            ),
            models.CheckConstraint(
                condition=Q(side=Side.MERCHANT) | Q(side=Side.CONSUMER, sender_user__isnull=False,
                                                      responds_to_at__isnull=True),
                name="support_message_consumer_is_a_person",
            ),
            models.CheckConstraint(
                condition=Q(sender_user__isnull=False) | Q(sender_api_key__isnull=False),
                name="support_message_has_sender",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["side", "responds_to_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}/{self.pk} ({self.side})"

"""Writes of the support context: a consumer starts a conversation or writes in one, a merchant answers, either
side closes one or marks it read. Messages are only ever inserted (models.py, kept.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import DomainError, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.orders.models import OrderLine
from xinren.orders.selectors import consumer_order_get, shop_offer_list

from . import errors, events, limits
from .choices import CONVERSATION_TRANSITIONS, ConversationStatus, Purpose, Side
from .models import BODY_MAX, Conversation, Message

# Control characters other than newline and tab are dropped: they only ever hide or garble text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def body_clean(body: str) -> str:
    """Plain text of 1–BODY_MAX characters, stripped, with Windows line ends and control characters removed."""
    body = _CONTROL.sub("", (body or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not 1 <= len(body) <= BODY_MAX:
        raise InvalidInput(errors.MESSAGE_INVALID, _("消息内容须为 1–%(max)s 字") % {"max": BODY_MAX},
                           details={"field": "body"})
    return body


def _not_found() -> NotFound:
    return NotFound(errors.CONVERSATION_NOT_FOUND, _("找不到该会话"))


def _bought(*, consumer: User, product: Product) -> bool:
    return OrderLine.objects.filter(order__consumer=consumer, product=product, order__paid_at__isnull=False).exists()


def _on_sale(product: Product) -> bool:
    return shop_offer_list().filter(product=product).exists()


def _product_purpose(*, consumer: User, product: Product) -> str:
    """After-sale if the consumer paid for the product before; pre-sale (咨询) if it is on sale now; else refused."""
    if _bought(consumer=consumer, product=product):
        return Purpose.AFTER_SALE
    if _on_sale(product):
        return Purpose.PRE_SALE
    raise DomainError(
        errors.NOT_A_CUSTOMER,
        _("你没有在该商家购买过这件商品，它目前也不在售，无法联系商家。如有订单问题，请从订单页联系商家。"),
        details={"field": "product"}, status=403,
    )


@dataclass(frozen=True)
class Subject:
    """What a consumer writes about, and why they may: found and checked before anything is written."""

    lookup: dict[str, Any]
    purpose: str
    merchant: Organization
    title: str


def conversation_subject(*, consumer: User, order_number: str | None = None, product_id: int | None = None) -> Subject:
    """The subject a consumer may write about (one of their orders, or a product bought or on sale), else the same
    refusal that `conversation_start` gives. Reads only: pages call it to show the refusal before the form."""
    consumer = consumer_require(consumer)
    if (order_number is None) == (product_id is None):
        raise InvalidInput(errors.SUBJECT_INVALID, _("请选择要咨询的订单或商品"), details={"field": "subject"})
    if order_number is not None:
        order = consumer_order_get(consumer=consumer, order_number=order_number)
        return Subject(lookup={"consumer": consumer, "order": order, "merchant": order.merchant},
                       purpose=Purpose.ORDER, merchant=order.merchant,
                       title=str(_("订单 %(number)s") % {"number": order.number}))
    product = Product.objects.select_related("merchant").filter(pk=product_id or 0).first()
    if product is None:
        raise NotFound(errors.SUBJECT_INVALID, _("找不到该商品"))
    return Subject(lookup={"consumer": consumer, "merchant": product.merchant, "product": product},
                   purpose=_product_purpose(consumer=consumer, product=product), merchant=product.merchant,
                   title=product.name)


def _conversation_open(*, subject: Subject, now: datetime) -> Conversation:
    """The consumer's conversation about the subject, locked; made (and counted if pre-sale) when there is none."""
    conversation = Conversation.objects.select_for_update().filter(**subject.lookup).first()
    if conversation is not None:
        if subject.purpose == Purpose.AFTER_SALE and conversation.purpose == Purpose.PRE_SALE:
            conversation.purpose = Purpose.AFTER_SALE  # bought since asking: the after-sale limits apply now
        return conversation
    if subject.purpose == Purpose.PRE_SALE:
        limits.pre_sale_conversation_count(consumer_id=subject.lookup["consumer"].pk, now=now)
    try:
        with transaction.atomic():
            return Conversation.objects.create(**subject.lookup, purpose=subject.purpose, created_at=now,
                                               last_message_at=now)
    except IntegrityError:  # the same consumer opened it at the same moment in another tab
        return Conversation.objects.select_for_update().get(**subject.lookup)


def _post(*, conversation: Conversation, side: str, body: str, now: datetime, user: User | None = None,
          actor: Actor | None = None) -> Message:
    """Insert the message and move the conversation's times and status; announce MESSAGE_POSTED."""
    responds_to_at = None
    if side == Side.CONSUMER:
        target = ConversationStatus.OPEN
        conversation.awaiting_since = conversation.awaiting_since or now
        conversation.last_consumer_message_at = now
        conversation.consumer_read_at = now
    else:
        target = ConversationStatus.ANSWERED
        responds_to_at = conversation.awaiting_since
        conversation.awaiting_since = None
        conversation.last_merchant_message_at = now
        conversation.merchant_read_at = now
    transition_check(CONVERSATION_TRANSITIONS, conversation.status, target, code=errors.TRANSITION,
                     labels=ConversationStatus)
    conversation.status = target
    conversation.last_message_at = now
    conversation.closed_at = None
    conversation.save()
    message = Message.objects.create(
        conversation=conversation, side=side, body=body, created_at=now, responds_to_at=responds_to_at,
        sender_user=user if user is not None else (actor.user if actor is not None else None),
        sender_api_key=actor.api_key if actor is not None else None,
    )
    events.MESSAGE_POSTED.announce(message_id=message.pk)
    return message


def _consumer_post(*, consumer: User, conversation: Conversation, body: str, now: datetime) -> Message:
    limits.message_count(consumer_id=consumer.pk, conversation_id=conversation.pk,
                         pre_sale=conversation.purpose == Purpose.PRE_SALE, now=now)
    return _post(conversation=conversation, side=Side.CONSUMER, body=body, now=now, user=consumer)


@transaction.atomic
def conversation_start(
    *, consumer: User, body: str, order_number: str | None = None, product_id: int | None = None
) -> Message:
    """联系商家: write to the merchant about one of the consumer's orders or about a product (the conversation is
    made on the first message and reused afterwards). A product must be one the consumer paid for, or on sale now
    (a pre-sale question, with tighter limits); anything else is refused with `support.not_a_customer`."""
    consumer = consumer_require(consumer)
    body = body_clean(body)
    subject = conversation_subject(consumer=consumer, order_number=order_number, product_id=product_id)
    now = clock.now()
    conversation = _conversation_open(subject=subject, now=now)
    return _consumer_post(consumer=consumer, conversation=conversation, body=body, now=now)


@transaction.atomic
def message_post(*, consumer: User, conversation_id: int, body: str) -> Message:
    """The consumer writes again in one of their conversations (reopening it if it was closed)."""
    consumer = consumer_require(consumer)
    body = body_clean(body)
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id, consumer=consumer).first()
    if conversation is None:
        raise _not_found()
    return _consumer_post(consumer=consumer, conversation=conversation, body=body, now=clock.now())


@transaction.atomic
def message_reply(*, actor: Actor, conversation_id: int, body: str) -> Message:
    """A merchant's staff (or API key) answers a conversation with their organization."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    body = body_clean(body)
    conversation = (
        Conversation.objects.select_for_update().filter(pk=conversation_id, merchant=actor.organization).first()
    )
    if conversation is None:
        raise _not_found()
    return _post(conversation=conversation, side=Side.MERCHANT, body=body, now=clock.now(), actor=actor)


def _close(conversation: Conversation, *, now: datetime) -> Conversation:
    transition_check(CONVERSATION_TRANSITIONS, conversation.status, ConversationStatus.CLOSED, code=errors.TRANSITION,
                     labels=ConversationStatus, message=_("该会话已结束"))
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = now
    conversation.save(update_fields=["status", "closed_at"])
    return conversation


@transaction.atomic
def conversation_close_by_consumer(*, consumer: User, conversation_id: int) -> Conversation:
    """The consumer ends the conversation (their next message opens it again). Nothing is deleted."""
    consumer = consumer_require(consumer)
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id, consumer=consumer).first()
    if conversation is None:
        raise _not_found()
    return _close(conversation, now=clock.now())


@transaction.atomic
def conversation_close_by_merchant(*, actor: Actor, conversation_id: int) -> Conversation:
    """The merchant marks the conversation done. It still counts as unanswered if a question is waiting."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    conversation = (
        Conversation.objects.select_for_update().filter(pk=conversation_id, merchant=actor.organization).first()
    )
    if conversation is None:
        raise _not_found()
    _close(conversation, now=clock.now())
    audit_record(actor=actor.user, organization=actor.organization, action="support.close", target=conversation,
                 data={"awaiting": conversation.awaiting_since is not None})
    return conversation


def conversation_read_by_consumer(*, consumer: User, conversation: Conversation) -> None:
    """The consumer has seen the thread up to now (read receipts for the merchant)."""
    if conversation.consumer_id == consumer.pk and conversation.unread_for_consumer:
        Conversation.objects.filter(pk=conversation.pk).update(consumer_read_at=clock.now())


def conversation_read_by_merchant(*, actor: Actor, conversation: Conversation) -> None:
    """Someone of the merchant has seen the thread up to now (read receipts for the consumer)."""
    if conversation.merchant_id == actor.organization.pk and conversation.unread_for_merchant:
        Conversation.objects.filter(pk=conversation.pk).update(merchant_read_at=clock.now())

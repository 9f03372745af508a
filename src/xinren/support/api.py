"""API routes of the support context (联系商家), mounted at /api/v1/support.

Merchants list their conversations, read a thread and answer with an API key or a console session (the API's
default schemes). Consumers have no organization, so they use their signed-in browser session (`ConsumerSession`,
the same rule as the reviews API) under `/support/my/…`. Another party's conversation is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xinren.accounts.authentication import CONSUMER, actor_of, consumer_of
from xinren.core.schemas import ErrorOut, PageIn, page

from . import selectors, services
from .models import Conversation

ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422, 429}): ErrorOut}




router = Router(tags=["support"])


class MessageIn(Schema):
    body: str = Field(description="plain text, 1–500 characters; shown escaped, never linkified",
                      examples=["请问什么时候发货？"])


class ConversationStartIn(MessageIn):
    order_number: str | None = Field(None, description="one of the caller's orders")
    product_id: int | None = Field(None, description="a product the caller bought, or one on sale now (咨询)")


class SupportMessageOut(Schema):
    id: int
    side: str = Field(description="consumer or merchant")
    body: str
    created_at: datetime


class ConversationOut(Schema):
    id: int
    merchant: str = Field(description="the merchant's name")
    consumer: str = Field(description="the consumer's pseudonym (买家 xxxxxx), never a phone")
    purpose: str = Field(description="order, bought (after-sale) or pre_sale (咨询)")
    order_number: str | None
    product_id: int | None
    product_name: str | None
    status: str = Field(description="open (waiting for the merchant), answered or closed")
    last_message_at: datetime
    awaiting_since: datetime | None
    unread: bool = Field(description="the caller's side has not read the latest message of the other side")


class ThreadOut(ConversationOut):
    messages: list[SupportMessageOut]


class ConversationPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ConversationOut]


class ResponseStatsOut(Schema):
    since: datetime
    until: datetime
    inquiries: int
    answered: int
    pending: int
    answered_within_24h: int
    within_24h_share: float | None
    median_seconds: int | None
    p90_seconds: int | None


def _conversation(conversation: Conversation, *, merchant_side: bool) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "merchant": conversation.merchant.name,
        "consumer": selectors.consumer_alias(conversation.consumer_id),
        "purpose": conversation.purpose,
        "order_number": conversation.order.number if conversation.order else None,
        "product_id": conversation.product_id,
        "product_name": conversation.product.name if conversation.product else None,
        "status": conversation.status,
        "last_message_at": conversation.last_message_at,
        "awaiting_since": conversation.awaiting_since,
        "unread": conversation.unread_for_merchant if merchant_side else conversation.unread_for_consumer,
    }


def _thread(conversation: Conversation, *, merchant_side: bool) -> dict[str, Any]:
    messages = selectors.conversation_messages(conversation=conversation)
    return {**_conversation(conversation, merchant_side=merchant_side), "messages": list(messages)}


# -- merchants ---------------------------------------------------------------------------------------------------------


@router.get("/conversations", response={200: ConversationPageOut, **ERRORS},
            summary="Merchant: conversations, those waiting for an answer first")
def merchant_conversation_list(request: HttpRequest, params: Query[PageIn], status: str = "") -> Any:
    result = page(selectors.merchant_conversation_list(actor=actor_of(request), status=status), params)
    result["items"] = [_conversation(c, merchant_side=True) for c in result["items"]]
    return result


@router.get("/conversations/{conversation_id}", response={200: ThreadOut, **ERRORS},
            summary="Merchant: one conversation with its messages")
def merchant_conversation_get(request: HttpRequest, conversation_id: int) -> Any:
    actor = actor_of(request)
    return _thread(selectors.merchant_conversation_get(actor=actor, conversation_id=conversation_id),
                   merchant_side=True)


@router.post("/conversations/{conversation_id}/messages", response={201: SupportMessageOut, **ERRORS},
             summary="Merchant: answer a conversation")
def merchant_reply(request: HttpRequest, conversation_id: int, payload: MessageIn) -> Any:
    message = services.message_reply(actor=actor_of(request), conversation_id=conversation_id, body=payload.body)
    return Status(201, message)


@router.get("/stats", response={200: ResponseStatsOut, **ERRORS},
            summary="Merchant: first-response figures over the last 30 days")
def merchant_stats(request: HttpRequest) -> Any:
    stats = selectors.merchant_response_stats_recent(merchant=actor_of(request).organization)
    return {**stats.__dict__, "within_24h_share": stats.within_24h_share}


# -- consumers ---------------------------------------------------------------------------------------------------------


@router.get("/my/conversations", response={200: ConversationPageOut, **ERRORS}, auth=CONSUMER,
            summary="Consumer: the caller's conversations with merchants")
def consumer_conversation_list(request: HttpRequest, params: Query[PageIn]) -> Any:
    result = page(selectors.consumer_conversation_list(consumer=consumer_of(request)), params)
    result["items"] = [_conversation(c, merchant_side=False) for c in result["items"]]
    return result


@router.post("/my/conversations", response={201: SupportMessageOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: write to a merchant about an order or a product (联系商家)")
def consumer_conversation_start(request: HttpRequest, payload: ConversationStartIn) -> Any:
    message = services.conversation_start(consumer=consumer_of(request), body=payload.body,
                                          order_number=payload.order_number, product_id=payload.product_id)
    return Status(201, message)


@router.get("/my/conversations/{conversation_id}", response={200: ThreadOut, **ERRORS}, auth=CONSUMER,
            summary="Consumer: one of the caller's conversations with its messages")
def consumer_conversation_get(request: HttpRequest, conversation_id: int) -> Any:
    conversation = selectors.consumer_conversation_get(consumer=consumer_of(request), conversation_id=conversation_id)
    return _thread(conversation, merchant_side=False)


@router.post("/my/conversations/{conversation_id}/messages", response={201: SupportMessageOut, **ERRORS},
             auth=CONSUMER, summary="Consumer: write again in one of the caller's conversations")
def consumer_message_post(request: HttpRequest, conversation_id: int, payload: MessageIn) -> Any:
    message = services.message_post(consumer=consumer_of(request), conversation_id=conversation_id,
                                    body=payload.body)
    return Status(201, message)

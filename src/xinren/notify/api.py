"""API routes of notifications (mounted at /api/v1/notifications): the signed-in consumer's inbox, marking read,
and their preferences. Consumers authenticate with their browser session, as for reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xinren.accounts.authentication import CONSUMER, consumer_of
from xinren.core.schemas import ERRORS, PageIn, page

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str = Field(description="rendered in the request's language")
    body: str = Field(description="rendered in the request's language (plain text)")
    action: str
    link: str = Field(description="the path of the page the notice is about")
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NotificationOut]


class PreferenceIn(Schema):
    kind: str = Field(examples=["order_shipped"])
    sms: bool = False
    wechat: bool = False


class PreferencesIn(Schema):
    preferences: list[PreferenceIn]


class PreferenceOut(Schema):
    kind: str
    label: str
    sms: bool
    wechat: bool
    sms_allowed: bool


class MarkedOut(Schema):
    marked: int


@router.get("", response={200: InboxOut, **ERRORS}, auth=CONSUMER, summary="Consumer: the caller's notifications")
def notification_list(request: HttpRequest, params: Query[PageIn]) -> Any:
    consumer = consumer_of(request)
    result = page(selectors.inbox(user=consumer), params)
    result["items"] = [selectors.notification_show(item) for item in result["items"]]
    return {**result, "unread": selectors.unread_count(user=consumer)}


@router.post(
    "/{notification_id}/read", response={200: NotificationOut, **ERRORS}, auth=CONSUMER, summary="Mark one read"
)
def notification_read(request: HttpRequest, notification_id: int) -> Any:
    notification = services.notification_open(consumer=consumer_of(request), notification_id=notification_id)
    return selectors.notification_show(notification)


@router.post("/read", response={200: MarkedOut, **ERRORS}, auth=CONSUMER, summary="Mark all read")
def notifications_read(request: HttpRequest) -> Any:
    return {"marked": services.notifications_mark_read(consumer=consumer_of(request))}


@router.get("/preferences", response={200: list[PreferenceOut], **ERRORS}, auth=CONSUMER,
            summary="Consumer: SMS and WeChat on or off per kind (the inbox is always on)")
def preference_list(request: HttpRequest) -> Any:
    return selectors.preferences_for(user=consumer_of(request))


@router.put("/preferences", response={200: list[PreferenceOut], **ERRORS}, auth=CONSUMER,
            summary="Consumer: save SMS and WeChat choices for the kinds named")
def preference_save(request: HttpRequest, payload: PreferencesIn) -> Any:
    consumer = consumer_of(request)
    choices = {row.kind: {"sms": row.sms, "wechat": row.wechat} for row in payload.preferences}
    services.preferences_save(consumer=consumer, choices=choices)
    return selectors.preferences_for(user=consumer)

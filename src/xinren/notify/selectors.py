"""Reads of notifications, scoped to their user: the inbox rendered in the reader's language, the unread count,
the channels a user has on for a kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from xinren.accounts.models import User

from .choices import Channel
from .kinds import KINDS, body_render, channel_allowed, channel_default
from .models import Notification, Preference


def inbox(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Shown:
    """A notification as the inbox shows it (rendered now, in the active language)."""

    id: int
    kind: str
    title: str
    body: str
    action: str
    link: str
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def notification_show(notification: Notification) -> Shown:
    spec = KINDS[notification.kind]
    return Shown(
        id=notification.pk, kind=notification.kind, title=spec.title,
        body=body_render(notification.kind, notification.params), action=str(spec.action), link=notification.link,
        created_at=notification.created_at, read_at=notification.read_at,
    )


def channels_enabled(*, user_id: int, kind: str) -> list[str]:
    """The external channels the user has on for `kind`: their saved choice, else the kind's defaults."""
    saved = Preference.objects.filter(user_id=user_id, kind=kind).values_list("sms", "wechat").first()
    chosen = {Channel.SMS: saved[0], Channel.WECHAT: saved[1]} if saved else {
        channel: channel_default(kind, channel) for channel in Channel
    }
    return [channel.value for channel in Channel if chosen[channel] and channel_allowed(kind, channel)]


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    sms: bool
    wechat: bool
    sms_allowed: bool


def preferences_for(*, user: User) -> list[PreferenceRow]:
    """One row per kind, in the table's order: the user's choice or the defaults."""
    saved = {row.kind: row for row in Preference.objects.filter(user=user)}
    rows = []
    for kind, spec in KINDS.items():
        row = saved.get(kind)
        rows.append(PreferenceRow(
            kind=kind, label=spec.title,
            sms=(row.sms if row else spec.sms) and spec.sms_allowed,
            wechat=row.wechat if row else spec.wechat,
            sms_allowed=spec.sms_allowed,
        ))
    return rows

"""Writes of notifications: create one (once per dedupe key) with its external deliveries, send a delivery, open
and mark read, save a consumer's preferences, bind a WeChat recipient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.tasks import task_enqueue

from . import errors
from .choices import Channel, DeliveryStatus, NotificationKind
from .kinds import KINDS, wechat_data
from .models import Delivery, Notification, Preference, WeChatRecipient
from .providers import SendFailed, provider_get, provider_name, template_for
from .selectors import channels_enabled

# How often an external send is tried (the task's attempts; the backoff grows fourfold: ADR 0013).
DELIVERY_ATTEMPTS = 5
PARAM_MAX = 200


def _params_clean(params: Mapping[str, Any]) -> dict[str, str | int]:
    cleaned: dict[str, str | int] = {}
    for key, value in params.items():
        cleaned[str(key)] = value if isinstance(value, int) and not isinstance(value, bool) else str(value)[:PARAM_MAX]
    return cleaned


def quiet_until(at: datetime) -> datetime | None:
    """When SMS may go out again if `at` falls in the quiet hours (XINREN_NOTIFY_QUIET_HOURS, Asia/Shanghai;
    22:00–08:00 by default); None outside them or when they are off."""
    hours = getattr(settings, "XINREN_NOTIFY_QUIET_HOURS", None)
    if not hours:
        return None
    start, end = (int(hours[0]), int(hours[1]))
    local = timezone.localtime(at)
    quiet = (local.hour >= start or local.hour < end) if start > end else (start <= local.hour < end)
    if not quiet:
        return None
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour=end)), local.tzinfo)


@transaction.atomic
def notification_create(
    *, user_id: int, kind: str, params: Mapping[str, Any], link: str, dedupe_key: str, at: datetime | None = None
) -> Notification:
    """Put a notice in the user's inbox, once per `dedupe_key` (a second call returns the first notice and sends
    nothing), and queue its sends on the channels the user's preferences turn on. Called by the tasks subscribed
    to the lower contexts' events, and by a context that has no event of its own (support's replies). `at` is when
    the news happened (the inbox shows that, not when a busy worker got to it); never later than now."""
    if kind not in KINDS:
        raise InvalidInput(errors.KIND_INVALID, _("未知的通知类型"), details={"field": "kind"})
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    now = clock.now()
    happened = min(at, now) if at is not None else now
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user_id=user_id, kind=kind, params=_params_clean(params), link=link[:300],
                dedupe_key=dedupe_key[:120], created_at=happened,
            )
    except IntegrityError:  # the same event's other task made it a moment ago
        return Notification.objects.get(dedupe_key=dedupe_key)
    from .tasks import delivery_send_task  # the task module imports this one

    user = User.objects.get(pk=user_id)
    for channel in channels_enabled(user_id=user_id, kind=kind):
        if not _recipient(channel, user):  # no phone, or no WeChat openid bound: nothing to send
            continue
        delivery = Delivery.objects.create(notification=notification, channel=channel, created_at=now)
        later = quiet_until(now) if channel == Channel.SMS else None
        task_enqueue(delivery_send_task.using(run_after=later) if later else delivery_send_task,
                     delivery_id=delivery.pk)
    return notification


def _recipient(channel: str, user: User) -> str:
    if channel == Channel.SMS:
        return user.phone or ""
    found = WeChatRecipient.objects.filter(user=user).values_list("openid", flat=True).first()
    return found or ""


def _delivery_finish(delivery_id: int, **fields: Any) -> None:
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(**fields)


def delivery_send(*, delivery_id: int) -> str:
    """Send one notification on one external channel; returns the delivery's status. Safe to repeat: only a
    pending delivery is sent. A refusal worth retrying (SendFailed with retry, or any other error) is recorded
    and raised again, so the task is retried with backoff; the inbox row is never touched."""
    delivery = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING:
        return delivery.status
    notification = delivery.notification
    recipient = _recipient(delivery.channel, notification.user)
    still_wanted = delivery.channel in channels_enabled(user_id=notification.user_id, kind=notification.kind)
    if not recipient or not still_wanted:
        _delivery_finish(delivery.pk, status=DeliveryStatus.SKIPPED,
                         error="no recipient" if not recipient else "turned off")
        return DeliveryStatus.SKIPPED
    provider = provider_get(delivery.channel)
    template = template_for(delivery.channel, notification.kind)
    with translation.override("zh-hans"):
        params = (
            wechat_data(notification.kind, notification.params) if delivery.channel == Channel.WECHAT
            else dict(notification.params)
        )
    attempts = delivery.attempts + 1
    try:
        reference = provider.send(recipient=recipient, template=template, params=params, link=notification.link)
    except Exception as exc:
        retry = exc.retry if isinstance(exc, SendFailed) else True
        final = not retry or attempts >= DELIVERY_ATTEMPTS
        _delivery_finish(
            delivery.pk, attempts=attempts, error=str(exc)[:300], provider=provider_name(delivery.channel),
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        )
        if retry:
            raise
        return DeliveryStatus.FAILED
    _delivery_finish(
        delivery.pk, status=DeliveryStatus.SENT, attempts=attempts, provider=provider_name(delivery.channel),
        provider_ref=reference[:120], error="", sent_at=clock.now(),
    )
    return DeliveryStatus.SENT


@transaction.atomic
def notification_open(*, consumer: User, notification_id: int) -> Notification:
    """The consumer opens one of their notices: it is read from now on. Another's notice is not found."""
    consumer = consumer_require(consumer)
    notification = Notification.objects.select_for_update().filter(pk=notification_id, user=consumer).first()
    if notification is None:
        raise NotFound(errors.NOTIFICATION_NOT_FOUND, _("找不到该通知"))
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_read(*, consumer: User) -> int:
    """The consumer marks all their notices read; returns how many were unread."""
    consumer = consumer_require(consumer)
    return Notification.objects.filter(user=consumer, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def preferences_save(*, consumer: User, choices: Mapping[str, Mapping[str, bool]]) -> list[Preference]:
    """Save the consumer's channels for each kind named in `choices` ({kind: {"sms": bool, "wechat": bool}});
    the inbox is always on. Refuses an unknown kind, or SMS for a kind that may not go by SMS."""
    consumer = consumer_require(consumer)
    now = clock.now()
    saved = []
    for kind, channels in choices.items():
        if kind not in NotificationKind.values:
            raise InvalidInput(errors.KIND_INVALID, _("未知的通知类型"), details={"field": "kind", "kind": kind})
        sms, wechat = bool(channels.get(Channel.SMS)), bool(channels.get(Channel.WECHAT))
        if sms and not KINDS[kind].sms_allowed:
            raise InvalidInput(
                errors.PREFERENCE_INVALID, _("这类通知不发短信"), details={"field": "sms", "kind": kind}
            )
        preference, _created = Preference.objects.update_or_create(
            user=consumer, kind=kind, defaults={"sms": sms, "wechat": wechat, "updated_at": now}
        )
        saved.append(preference)
    return saved


@transaction.atomic
def wechat_recipient_bind(*, user: User, appid: str, openid: str) -> WeChatRecipient:
    """Remember the user's openid in our mini program (from wx.login → code2Session) for subscribe messages."""
    appid, openid = appid.strip(), openid.strip()
    if not appid or not 1 <= len(openid) <= 64:
        raise InvalidInput(errors.PREFERENCE_INVALID, _("微信 OpenID 无效"), details={"field": "openid"})
    recipient, _created = WeChatRecipient.objects.update_or_create(
        user=user, defaults={"appid": appid, "openid": openid, "created_at": clock.now()}
    )
    return recipient

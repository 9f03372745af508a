"""Notifications: the inbox row every notice is, its external deliveries, a consumer's choices, WeChat recipients
and the sandbox WeChat provider's record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryStatus, NotificationKind


class Notification(models.Model):
    """One notice to one user (站内通知). Rendered from its kind and params when shown; created once per dedupe key,
    so an event's task that is retried or repeated never makes a second."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32, choices=NotificationKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # A path on this site (the order or review page), resolved when the notice was made.
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class Delivery(models.Model):
    """A notification sent on an external channel (SMS, WeChat): at most one per channel, tried by a task."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    provider = models.CharField(_("服务商"), max_length=120, blank=True)
    provider_ref = models.CharField(_("服务商消息号"), max_length=120, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外部推送")
        verbose_name_plural = _("外部推送")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} #{self.notification_id}"


class Preference(models.Model):
    """A consumer's choice for one kind: SMS and WeChat on or off (the inbox is always on). No row: the defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=NotificationKind.choices)
    sms = models.BooleanField(_("短信"))
    wechat = models.BooleanField(_("微信"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class WeChatRecipient(models.Model):
    """The user's openid in our WeChat mini program (from wx.login), which subscribe messages are addressed to."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_recipient")
    appid = models.CharField(_("小程序 AppID"), max_length=32)
    openid = models.CharField(_("OpenID"), max_length=64)
    created_at = models.DateTimeField(_("绑定时间"))

    class Meta:
        verbose_name = _("微信接收人")
        verbose_name_plural = _("微信接收人")
        constraints = [models.UniqueConstraint(fields=["appid", "openid"], name="wechat_openid_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.openid[:6]}…"


class SandboxWeChatMessage(models.Model):
    """What the sandbox WeChat provider would have posted to subscribeMessage.send (visible in the admin)."""

    touser = models.CharField(max_length=64)
    template_id = models.CharField(max_length=64)
    page = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱微信消息")
        verbose_name_plural = _("沙箱微信消息")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_id} → {self.touser[:6]}…"

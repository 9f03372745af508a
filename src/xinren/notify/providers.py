"""External channels: the interface a real SMS gateway or WeChat sender implements, and the named sandboxes.

`settings.XINREN_NOTIFY_PROVIDERS` maps each channel to a provider class (dotted path). The defaults send nothing:
`SandboxSms` hands the rendered text to the accounts SMS provider (ADR 0016; the sandbox keeps it in
`SandboxTextMessage`), `SandboxWeChatTemplate` keeps the exact subscribeMessage.send body it would have posted in
`SandboxWeChatMessage`. A real provider (Aliyun or Tencent Cloud SMS, WeChat 订阅消息) is a class with the same
`send`; docs/notifications.md shows how one plugs in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from xinren.accounts.sms import sms_send

from .choices import Channel
from .kinds import KINDS, body_render
from .models import SandboxWeChatMessage

logger = logging.getLogger("xinren.notify")

SANDBOX_PROVIDERS = {
    Channel.SMS: "xinren.notify.providers.SandboxSms",
    Channel.WECHAT: "xinren.notify.providers.SandboxWeChatTemplate",
}
# What an SMS starts with: the signature (短信签名) every Chinese gateway requires, approved with the templates.
SMS_SIGNATURE = "【信任好物】"


class SendFailed(Exception):
    """The provider did not take the message. `retry`: worth trying again later (a timeout, a rate limit);
    otherwise it never will be (the user refused WeChat messages, the number is invalid)."""

    def __init__(self, code: str, message: str = "", *, retry: bool = True) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.retry = retry


class MessageProvider(Protocol):
    """Sends one message to one recipient (a phone number, an openid) from a template the provider has approved.

    `template` is the provider's template id (settings.XINREN_NOTIFY_TEMPLATES, else the kind), `params` its
    variables: for SMS the notification's params, for WeChat the subscribe message's `data` object. `link` is
    the page the message opens. Returns the provider's message id; raises SendFailed."""

    def send(self, *, recipient: str, template: str, params: Mapping[str, Any], link: str = "") -> str: ...


class SandboxSms:
    """Renders the Chinese text and passes it to the accounts SMS provider (its sandbox keeps it in the database)."""

    def send(self, *, recipient: str, template: str, params: Mapping[str, Any], link: str = "") -> str:
        with translation.override("zh-hans"):
            text = body_render(template, params) if template in KINDS else f"{template} {dict(params)}"
        sms_send(phone=recipient, body=f"{SMS_SIGNATURE}{text}")
        return ""


class SandboxWeChatTemplate:
    """Records the body of subscribeMessage.send (touser, template_id, page, data {thing1: {value}}…) instead of
    posting it to api.weixin.qq.com."""

    def send(self, *, recipient: str, template: str, params: Mapping[str, Any], link: str = "") -> str:
        message = SandboxWeChatMessage.objects.create(touser=recipient, template_id=template, page=link, data=params)
        logger.info("sandbox WeChat message %s to %s…", template, recipient[:6])
        return f"sandbox-{message.pk}"


def provider_get(channel: str) -> MessageProvider:
    """The configured provider of a channel (the sandbox by default)."""
    configured: Mapping[str, str] = getattr(settings, "XINREN_NOTIFY_PROVIDERS", {}) or {}
    provider: MessageProvider = import_string(configured.get(channel) or SANDBOX_PROVIDERS[Channel(channel)])()
    return provider


def provider_name(channel: str) -> str:
    configured: Mapping[str, str] = getattr(settings, "XINREN_NOTIFY_PROVIDERS", {}) or {}
    return (configured.get(channel) or SANDBOX_PROVIDERS[Channel(channel)]).rsplit(".", 1)[-1]


def template_for(channel: str, kind: str) -> str:
    """The provider's template id for a kind (settings.XINREN_NOTIFY_TEMPLATES[channel][kind]); the sandboxes
    take the kind itself."""
    templates: Mapping[str, Mapping[str, str]] = getattr(settings, "XINREN_NOTIFY_TEMPLATES", {}) or {}
    return templates.get(channel, {}).get(kind) or kind

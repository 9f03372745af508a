"""Text messages to a phone: the interface a real SMS gateway implements, and the sandbox provider.

Accounts sends two kinds: sign-up codes, and the "someone tried to sign up / sign in with your number" notices
with an unlock link (ADR 0016). `settings.XINREN_SMS_PROVIDER` names the provider class (dotted path); the default
is the sandbox, which sends nothing and keeps each message in `SandboxTextMessage` (visible in the admin), so a
developer can read the code the way a consumer would on their phone. A real gateway (Aliyun SMS, Tencent Cloud SMS)
is a class with the same `send` method; its credentials come from the environment.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import SandboxTextMessage

logger = logging.getLogger("xinren.sms")

SANDBOX_PROVIDER = "xinren.accounts.sms.SandboxSmsProvider"


class SmsProvider(Protocol):
    """Sends one text message to a mainland mobile number (11 digits)."""

    def send(self, *, phone: str, body: str) -> None: ...


class SandboxSmsProvider:
    """Sends nothing: keeps the message in the database, where the admin and the tests read it."""

    def send(self, *, phone: str, body: str) -> None:
        SandboxTextMessage.objects.create(phone=phone, body=body)
        logger.info("sandbox SMS to %s****%s", phone[:3], phone[-4:])


def sms_provider() -> SmsProvider:
    """The configured provider (settings.XINREN_SMS_PROVIDER, the sandbox by default)."""
    provider: SmsProvider = import_string(getattr(settings, "XINREN_SMS_PROVIDER", "") or SANDBOX_PROVIDER)()
    return provider


def sms_send(*, phone: str, body: str) -> None:
    """Send one text message through the configured provider."""
    sms_provider().send(phone=phone, body=body)

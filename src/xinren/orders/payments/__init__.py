"""Payment providers: the interface (provider.py), the named sandbox (sandbox.py), and which one is configured.

Settings (docs/payments.md):
    XINREN_PAYMENT_PROVIDER     the provider new payments use (default "sandbox")
    XINREN_PAYMENT_PROVIDERS    {name: dotted path of a PaymentProvider class}, merged over the built-in sandbox
    XINREN_PAYMENT_WEBHOOK_SECRET, XINREN_PAYMENT_WEBHOOK_TOLERANCE   webhook signing (signatures.py)
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import NotFound
from xinren.orders import errors

from .provider import PaymentProvider

BUILT_IN_PROVIDERS = {"sandbox": "xinren.orders.payments.sandbox.SandboxPaymentProvider"}


def provider_names() -> dict[str, str]:
    return {**BUILT_IN_PROVIDERS, **getattr(settings, "XINREN_PAYMENT_PROVIDERS", {})}


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, or the configured default one."""
    name = name or str(getattr(settings, "XINREN_PAYMENT_PROVIDER", "sandbox"))
    path = provider_names().get(name)
    if path is None:
        raise NotFound(errors.PAYMENT_PROVIDER_UNKNOWN, _("未知的支付渠道"), details={"provider": name})
    provider: PaymentProvider = import_string(path)()
    return provider

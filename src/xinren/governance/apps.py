from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """Merchant governance. Its migration history starts with the credential-verification tables, which it handed
    to the verification context (ADR 0014); its own models come with the merchant-governance issue."""

    name = "xinren.governance"
    label = "governance"
    verbose_name = _("商家治理")

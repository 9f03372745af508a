from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "xinren.verification"
    label = "verification"
    verbose_name = _("第三方核验")

    def ready(self) -> None:
        from xinren.catalog.claims import credential_kinds_register

        from .selectors import credential_kinds_in_force

        # Catalog checks a product's copy before signing it: a 有机 / 绿色食品 claim needs the credential (ADR 0049).
        credential_kinds_register(credential_kinds_in_force)

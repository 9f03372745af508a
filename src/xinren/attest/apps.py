from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AttestConfig(AppConfig):
    name = "xinren.attest"
    label = "attest"
    verbose_name = _("签名与证明")

    def ready(self) -> None:
        # Each context declares its statement types in its own statements.py (registry.py); importing them all
        # here makes the registry complete before anything is signed, as the admin finds each app's admin.py.
        autodiscover_modules("statements")

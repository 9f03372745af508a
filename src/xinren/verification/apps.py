from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "xinren.verification"
    label = "verification"
    verbose_name = _("第三方核验")

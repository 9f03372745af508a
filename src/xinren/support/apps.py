from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "xinren.support"
    label = "support"
    verbose_name = _("联系商家")

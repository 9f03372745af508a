from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ColdChainConfig(AppConfig):
    name = "xinren.coldchain"
    label = "coldchain"
    verbose_name = _("冷链与承诺")

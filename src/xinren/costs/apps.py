from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "xinren.costs"
    label = "costs"
    verbose_name = _("成本透明")

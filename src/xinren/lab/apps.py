from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    name = "xinren.lab"
    label = "lab"
    verbose_name = _("检测报告")

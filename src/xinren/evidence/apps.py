from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "xinren.evidence"
    label = "evidence"
    verbose_name = _("溯源相册与证据")

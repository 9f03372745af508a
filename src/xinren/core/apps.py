from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinren.core"
    label = "core"
    verbose_name = "Core"

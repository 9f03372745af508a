from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinren.web"
    label = "web"
    verbose_name = "Web"

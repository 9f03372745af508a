from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "xinren.care"
    label = "care"
    verbose_name = _("主动关怀")

    def ready(self) -> None:
        from xinren.aftersales.events import REQUEST_OPENED
        from xinren.reviews.events import REVIEW_CHANGED
        from xinren.support.events import MESSAGE_POSTED

        from . import statements, tasks  # statements registers care.ticket

        assert statements.CARE_TICKET

        # Every text a customer writes is classified by a background task queued with the write (ADR 0054).
        REVIEW_CHANGED.subscribe(tasks.voice_review_task)
        MESSAGE_POSTED.subscribe(tasks.voice_message_task)
        REQUEST_OPENED.subscribe(tasks.voice_aftersale_task)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "xinren.community"
    label = "community"
    verbose_name = _("好物圈")

    def ready(self) -> None:
        from xinren.reviews.events import REVIEW_CHANGED

        from .tasks import review_sync_task

        # A posted, diaried, folded or unfolded review queues its rescore in the same transaction (ADR 0013); the
        # hourly community_rescore remains the safety net for anything this misses.
        REVIEW_CHANGED.subscribe(review_sync_task)

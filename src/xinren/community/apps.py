from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "xinren.community"
    label = "community"
    verbose_name = _("好物圈")

    def ready(self) -> None:
        from xinren.reviews.signals import review_changed

        from .services.rewards import review_sync_on_change

        # A posted, diaried, folded or unfolded review is scored and its points settled at once; the hourly
        # community_rescore remains the safety net for anything this misses.
        review_changed.connect(review_sync_on_change, dispatch_uid="community.review_sync")

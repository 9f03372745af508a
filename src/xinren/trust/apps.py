from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "xinren.trust"
    label = "trust"
    verbose_name = _("信任标签")

    def ready(self) -> None:
        from xinren.aftersales.events import DECIDED
        from xinren.orders.events import ORDER_DELIVERED, REFUND_DONE
        from xinren.reviews.events import REVIEW_CHANGED

        from .delisting import statements  # noqa: F401  (trust.delisting, trust.appeal, …)
        from .scores import statements as score_statements  # noqa: F401  (registers trust.score, ADR 0051)
        from .scores import tasks

        # A changed input queues its product's score refresh in the same transaction (ADR 0013, ADR 0047); the
        # daily trust-scores-refresh job is the safety net, and covers lab reports and governance actions.
        REVIEW_CHANGED.subscribe(tasks.score_after_review_task)
        DECIDED.subscribe(tasks.score_after_decision_task)
        ORDER_DELIVERED.subscribe(tasks.score_after_order_task)
        REFUND_DONE.subscribe(tasks.score_after_refund_task)

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
        # daily trust-scores-refresh job is the safety net.
        REVIEW_CHANGED.subscribe(tasks.score_after_review_task)
        DECIDED.subscribe(tasks.score_after_decision_task)
        ORDER_DELIVERED.subscribe(tasks.score_after_order_task)
        REFUND_DONE.subscribe(tasks.score_after_refund_task)

        # The inputs of the other contexts (issue 14): lab reports and cold-chain measures per product, listing
        # suspensions per product, and the merchant-wide ones (governance, credentials, deposit, insurance).
        from xinren.aftersales.events import COVER_CHANGED
        from xinren.catalog.events import SUSPENSIONS_CHANGED
        from xinren.coldchain.events import MEASURED
        from xinren.governance.events import STANDING_CHANGED
        from xinren.lab.events import REPORT_RECORDED
        from xinren.verification.events import CREDENTIAL_CHANGED

        REPORT_RECORDED.subscribe(tasks.score_after_lab_report_task)
        MEASURED.subscribe(tasks.score_after_products_task)
        SUSPENSIONS_CHANGED.subscribe(tasks.score_after_products_task)
        STANDING_CHANGED.subscribe(tasks.score_after_merchant_task)
        CREDENTIAL_CHANGED.subscribe(tasks.score_after_merchant_task)
        COVER_CHANGED.subscribe(tasks.score_after_merchant_task)

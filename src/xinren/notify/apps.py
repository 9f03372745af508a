from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "xinren.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        from xinren.aftersales import events as aftersales_events
        from xinren.aftersales.recalls import events as recalls_events
        from xinren.governance import watch as governance_watch
        from xinren.governance.services import applications as governance_applications
        from xinren.governance.services import copy_recheck as governance_copy
        from xinren.orders import events as orders_events
        from xinren.reviews import events as reviews_events
        from xinren.support import events as support_events
        from xinren.trust.delisting import events as delisting_events

        from . import tasks

        # Each event queues its notice in the announcer's transaction (ADR 0013); the notice's dedupe key makes a
        # retried or repeated task create it once.
        orders_events.ORDER_PAID.subscribe(tasks.order_paid_notify)
        orders_events.ORDER_SHIPPED.subscribe(tasks.order_shipped_notify)
        orders_events.ORDER_DELIVERED.subscribe(tasks.order_delivered_notify)
        orders_events.ORDER_CANCELLED.subscribe(tasks.order_cancelled_notify)
        orders_events.REFUND_DONE.subscribe(tasks.refund_done_notify)
        reviews_events.REVIEW_REPLIED.subscribe(tasks.review_replied_notify)
        reviews_events.REVIEW_FOLDED.subscribe(tasks.review_folded_notify)
        reviews_events.DIARY_INVITED.subscribe(tasks.diary_invited_notify)
        support_events.MESSAGE_POSTED.subscribe(tasks.service_reply_notify)
        recalls_events.RECALL_BUYER_REACHED.subscribe(tasks.recall_notify)
        aftersales_events.DECIDED.subscribe(tasks.aftersale_decided_notify)
        governance_applications.APPLICATION_DECIDED.subscribe(tasks.application_decided_notify)
        governance_watch.QUALIFICATION_EXPIRING.subscribe(tasks.licence_expiring_notify)
        delisting_events.DELISTED.subscribe(tasks.trust_delisted_notify)
        delisting_events.APPEAL_DECIDED.subscribe(tasks.trust_appeal_decided_notify)
        governance_copy.COPY_NONCOMPLIANT.subscribe(tasks.copy_noncompliant_notify)

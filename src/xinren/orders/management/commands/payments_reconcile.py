"""`manage.py payments_reconcile`: catch up with the payment provider (run it every few minutes).

Redelivers the sandbox's undelivered webhooks, asks the provider about payments still open, and retries refunds
that the provider could not be reached for. Every step is idempotent.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from xinren.core import clock
from xinren.orders.choices import PAYMENT_OPEN, RefundStatus
from xinren.orders.models import Payment, Refund
from xinren.orders.payments.sandbox import webhooks_deliver_pending
from xinren.orders.services import payment_refresh, refund_execute

# Leave the consumer a moment on the hosted page before asking the provider.
GRACE = timedelta(minutes=2)


class Command(BaseCommand):
    help = "Redeliver sandbox webhooks, refresh open payments and retry pending refunds."

    def handle(self, *args: object, **options: object) -> None:
        delivered = webhooks_deliver_pending()
        before = clock.now() - GRACE
        open_payments = Payment.objects.filter(status__in=PAYMENT_OPEN, updated_at__lt=before).exclude(provider_ref="")
        refreshed = [payment_refresh(payment_id=pk).status for pk in open_payments.values_list("pk", flat=True)]
        pending = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=before)
        retried = [refund_execute(refund_id=pk).status for pk in pending.values_list("pk", flat=True)]
        self.stdout.write(
            f"{delivered} webhook(s) delivered, {len(refreshed)} payment(s) refreshed, "
            f"{len(retried)} refund(s) retried."
        )

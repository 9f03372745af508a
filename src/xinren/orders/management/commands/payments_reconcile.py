"""`manage.py payments_reconcile`: catch up with the payment provider (the schedule runs it every five minutes).

Redelivers the sandbox's undelivered webhooks, asks the provider about payments still open, and retries refunds
that the provider could not be reached for. Every step is idempotent.
"""

from django.core.management.base import BaseCommand

from xinren.orders.services import payments_reconcile


class Command(BaseCommand):
    help = "Redeliver sandbox webhooks, refresh open payments and retry pending refunds."

    def handle(self, *args: object, **options: object) -> None:
        done = payments_reconcile()
        self.stdout.write(
            f"{done.webhooks_delivered} webhook(s) delivered, {done.payments_refreshed} payment(s) refreshed, "
            f"{done.refunds_retried} refund(s) retried."
        )

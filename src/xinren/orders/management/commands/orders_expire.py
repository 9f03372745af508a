"""`manage.py orders_expire`: cancel orders left unpaid past the payment window (the schedule runs it every five
minutes; each order also has a task queued for its own deadline)."""

from django.core.management.base import BaseCommand

from xinren.orders.services import orders_expire


class Command(BaseCommand):
    help = "Cancel unpaid orders past the payment window and return their stock."

    def handle(self, *args: object, **options: object) -> None:
        count = orders_expire()
        self.stdout.write(f"{count} order(s) expired.")

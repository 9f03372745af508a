"""`manage.py reviews_invite`: invite usage diaries that have come due and flag brushing shops (run it hourly)."""

from django.core.management.base import BaseCommand

from xinren.reviews.services import brushing_flag, diary_invitations_create


class Command(BaseCommand):
    help = "Invite usage diaries at day 7, 15 and 30 after delivery, and flag shops with brushing signals."

    def handle(self, *args: object, **options: object) -> None:
        invited = diary_invitations_create()
        flagged = brushing_flag()
        self.stdout.write(f"{invited} diary invitation(s) created, {len(flagged)} shop(s) flagged for brushing.")

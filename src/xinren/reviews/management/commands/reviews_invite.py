"""`manage.py reviews_invite`: invite usage diaries that have come due, flag brushing shops and prune the
near-duplicate index (run it hourly: deploy/systemd/xinren-reviews-invite.timer)."""

from django.core.management.base import BaseCommand

from xinren.reviews.services import brushing_flag, diary_invitations_create, review_bands_prune


class Command(BaseCommand):
    help = (
        "Invite usage diaries at day 7, 15 and 30 after delivery, flag shops with brushing signals, and drop "
        "near-duplicate index rows older than the 30 days the check reads."
    )

    def handle(self, *args: object, **options: object) -> None:
        invited = diary_invitations_create()
        flagged = brushing_flag()
        pruned = review_bands_prune()
        self.stdout.write(
            f"{invited} diary invitation(s) created, {len(flagged)} shop(s) flagged for brushing, "
            f"{pruned} index row(s) pruned."
        )

"""`manage.py signin_unlock <username>`: print an unlock link for an account stopped by the sign-in ceiling.

For an owner without a phone or e-mail on record, after an operator has checked who they are out of band
(ADR 0016). The link is good for 24 hours, and until the account next signs in or changes its password.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.accounts.models import User
from xinren.accounts.signin import unlock_url


class Command(BaseCommand):
    help = "Print a time-limited unlock link for an account (sign-in ceiling reached)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {options['username']!r}")
        self.stdout.write(unlock_url(user=user))

"""`manage.py statement_types`: the registered statement types as the Markdown table docs/ledger.md carries."""

from django.core.management.base import BaseCommand

from xinren.attest.catalogue import statement_types_table


class Command(BaseCommand):
    help = "Print every registered statement type (name, context, signers, required fields, summary) as Markdown."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(statement_types_table())

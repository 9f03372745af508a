"""`manage.py fund_reconcile`: reconcile the fund's ledger with itself and with the payment provider's records.

Prints the counts and every drift found (as JSON with --json); exits with status 1 when there is drift or a
double payment, so that a cron job or a CI step can alert on it. The result is kept for the operators' page.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.core.money import fen_to_yuan


class Command(BaseCommand):
    help = "Reconcile the advance-compensation fund's ledger with the payment provider; exit 1 on drift."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", default=None, help="provider name (default: the configured one)")
        parser.add_argument("--json", action="store_true", help="print the whole result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = fund_reconcile(provider_name=options["provider"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"provider {report.provider}: {report.journals} journal(s), {report.postings} posting(s), "
                f"{report.accounts} account(s), {report.transfers} transfer(s) ({report.pending} pending); "
                f"escrow {fen_to_yuan(report.escrow_provider_fen)} at the provider, "
                f"{fen_to_yuan(report.escrow_ledger_fen)} in the ledger; {report.seconds:.2f}s"
            )
            for line in report.drift:
                self.stdout.write(f"DRIFT {json.dumps(line, ensure_ascii=False)}")
            self.stdout.write(f"{report.drift_count} drift, {report.double_payments} double payment(s)")
        if not report.ok:
            raise CommandError(f"{report.drift_count} drift, {report.double_payments} double payment(s)")

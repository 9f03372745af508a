"""`manage.py adlaw_recheck [--warnings] [--json] [--dry-run]`: re-check every product's copy under the current
Advertising Law term list, with the merchants' verified credentials, list the merchants, and tell them.

Run after a new term list version or a credential withdrawn. Products are not changed: a product with a blocking
finding cannot be re-signed until its merchant rewrites it (catalog/facts.py). Each merchant with a blocking finding
gets a notice (governance/services/copy_recheck.py → notify), once per term list and set of findings; `--dry-run`
only lists (docs/compliance.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinren import adlaw
from xinren.governance.selectors.copy_recheck import ProductCopyReport, copy_recheck
from xinren.governance.services.copy_recheck import copy_recheck_tell


class Command(BaseCommand):
    help = "Re-check products' copy under the Advertising Law and list the merchants to tell."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--warnings", action="store_true", help="list products with warnings only, too")
        parser.add_argument("--json", action="store_true", help="one JSON object per merchant")
        parser.add_argument("--dry-run", action="store_true", help="list only; tell no merchant")

    def handle(self, *args: Any, **options: Any) -> None:
        by_merchant: dict[tuple[int, str], list[ProductCopyReport]] = defaultdict(list)
        reports = copy_recheck(include_warnings=options["warnings"])
        for report in reports:
            by_merchant[(report.merchant_id, report.merchant_name)].append(report)
        for (merchant_id, name), reports in sorted(by_merchant.items()):
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "merchant": merchant_id,
                            "name": name,
                            "terms_version": adlaw.TERMS_VERSION,
                            "products": [
                                {
                                    "product": r.product_id,
                                    "status": r.status,
                                    "blocked": r.blocked,
                                    "findings": [{"field": field, **f.as_dict()} for field, f in r.findings],
                                }
                                for r in reports
                            ],
                        },
                        ensure_ascii=False,
                    )
                )
                continue
            blocked = sum(r.blocked for r in reports)
            self.stdout.write(f"org:{merchant_id} {name}: {blocked} products blocked, {len(reports) - blocked} warned")
            for report in reports:
                spans = "、".join(f"{f.span or f.rule_id}（{f.rule_id} {f.severity}）" for _field, f in report.findings)
                self.stdout.write(f"  product {report.product_id} [{report.status}]: {spans}")
        told = 0 if options["dry_run"] else copy_recheck_tell(reports=reports)
        self.stdout.write(f"terms {adlaw.TERMS_VERSION}: {len(by_merchant)} merchants to tell, {told} told")

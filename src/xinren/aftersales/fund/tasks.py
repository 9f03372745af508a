"""Background tasks of the fund. `fund_reconcile_task` is meant for the periodic schedule (hourly; see docs/fund.md):
the provider's transfer notices themselves are redelivered by `payments_reconcile_task` (orders), which retries every
undelivered sandbox webhook, transfer notices included."""

from __future__ import annotations

import logging
from typing import Any

from xinren.core.tasks import background

from .reconcile import fund_reconcile

logger = logging.getLogger(__name__)


@background(attempts=2, backoff=60)
def fund_reconcile_task() -> dict[str, Any]:
    """Periodic: reconcile the ledger with the provider and keep the result for the operators' page; drift is logged
    as an error so that monitoring can page someone."""
    report = fund_reconcile()
    if not report.ok:
        logger.error("fund reconciliation: %s drift, %s double payment(s)", report.drift_count,
                     report.double_payments)
    return {"ok": report.ok, "drift": report.drift_count, "double_payments": report.double_payments,
            "journals": report.journals, "transfers": report.transfers}

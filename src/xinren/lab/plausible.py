"""Whether a lab report could be true: the one validator both ways a report comes in call (ADR 0015).

`lab_report_issue` (custodial signature) and `lab_report_submit_signed` (the lab's own envelope) call
`report_check` before anything is signed or enters the log. A sample cannot be taken in the future (a report
dated 2027 would stand as the lot's latest and hide every genuine one), before 2000, or before the lot existed.
Measured values are bounded by `services.measurements_validate` (0…10⁶, percentages ≤ 100), against the table
of the report's own category, which the report keeps (`LabReport.category`) so a later category change of the
product cannot orphan it.
"""

from __future__ import annotations

from datetime import datetime

from xinren.catalog.models import Batch
from xinren.catalog.selectors import lot_existed_from
from xinren.core import plausible


def report_check(*, batch: Batch, sampled_at: datetime) -> None:
    """Refuse a sampling time in the future, implausibly early, or before the lot existed."""
    plausible.time_check(sampled_at, details={"field": "sampled_at"}, existed_from=lot_existed_from(batch))

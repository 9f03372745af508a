"""A merchant's public record (the shop page's 治理记录): governance acts about it, without personal data.

Only what the platform signed and published: the application's approval, probation starting, ending or being
extended, listings suspended or put back on sale, and risk actions and their lifting. Reasons typed by operators
and any figure about a person stay in the console; the record says what happened and links to its proof.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xinren.accounts.models import Organization
from xinren.catalog.models import ListingSuspension
from xinren.catalog.suspensions import reason_text

from ..choices import ApplicationDecisionKind
from ..models import ApplicationDecision, ProbationEvent, RiskAction
from ..models.probation import ProbationEventKind
from ..models.risk import ActionKind


@dataclass(frozen=True)
class RecordEntry:
    """One public act: when, what (in words), and the log entry that proves it (hex leaf hash, or "")."""

    at: dt.datetime
    title: str
    detail: str = ""
    leaf_hash: str = ""


def public_record_for(*, organization: Organization, limit: int = 50) -> list[RecordEntry]:
    """Newest first, at most `limit` entries (five queries)."""
    entries: list[RecordEntry] = []
    approvals = ApplicationDecision.objects.filter(
        application__organization=organization, decision=ApplicationDecisionKind.APPROVE
    )
    entries += [RecordEntry(d.decided_at, _("通过入驻审核"), "", d.ledger_leaf_hash) for d in approvals]
    events = ProbationEvent.objects.filter(probation__organization=organization).select_related("probation")
    for event in events.order_by("-at")[:limit]:
        title = str(ProbationEventKind(event.kind).label)
        detail = ""
        if event.kind == ProbationEventKind.EXTEND and event.probation.extended_until:
            detail = _("延长至 %(date)s") % {"date": event.probation.extended_until.date().isoformat()}
        entries.append(RecordEntry(event.at, title, detail, event.leaf_hash))
    suspensions = ListingSuspension.objects.filter(product__merchant=organization).select_related("product")
    for s in suspensions.order_by("-created_at")[:limit]:
        reason = reason_text(reason_code=s.reason_code, details=s.details, fallback=s.reason)
        entries.append(RecordEntry(s.created_at, _("商品暂停销售：%(name)s") % {"name": s.product.name}, reason))
        if s.lifted_at is not None:
            entries.append(RecordEntry(s.lifted_at, _("商品恢复销售：%(name)s") % {"name": s.product.name}))
    for action in RiskAction.objects.filter(organization=organization).order_by("-created_at")[:limit]:
        entries.append(
            RecordEntry(
                action.created_at,
                _("风险处置：%(action)s") % {"action": ActionKind(action.kind).label},
                "",
                action.leaf_hash,
            )
        )
        if action.lifted_at is not None and action.kind != ActionKind.LIFT:
            entries.append(RecordEntry(action.lifted_at, _("风险处置已解除")))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]

"""Telling merchants that copy already published breaks the current Advertising Law term list (docs/compliance.md).

`copy_recheck_tell` announces one `COPY_NONCOMPLIANT` event per merchant with a blocking finding (notify subscribes:
the merchant's owners and admins get a notice with the count and the term list's version, linking to their
products). A merchant is told once per term-list version and set of findings: running the re-check again with
nothing changed tells nobody twice (the notice's dedupe key carries a digest of the findings).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.db import transaction

from xinren import adlaw
from xinren.accounts.models import Organization
from xinren.core.audit import audit_record
from xinren.core.tasks import Event

from ..selectors.copy_recheck import ProductCopyReport

# A merchant's published copy has blocking findings under the current term list; announced in the telling
# transaction (ADR 0013). Keywords: organization_id, terms_version, products (count blocked), digest (hex).
COPY_NONCOMPLIANT = Event("governance.copy_noncompliant")


def findings_digest(reports: list[ProductCopyReport]) -> str:
    """A short digest of which products break which rules: the same findings give the same digest."""
    parts = sorted(
        f"{report.product_id}:{field}:{finding.rule_id}:{finding.start}"
        for report in reports
        for field, finding in report.findings
        if finding.severity == adlaw.BLOCK
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@transaction.atomic
def copy_recheck_tell(*, reports: list[ProductCopyReport]) -> int:
    """Announce, per merchant with blocked products, that its copy must be rewritten; returns merchants told."""
    by_merchant: dict[int, list[ProductCopyReport]] = defaultdict(list)
    for report in reports:
        if report.blocked:
            by_merchant[report.merchant_id].append(report)
    organizations = Organization.objects.in_bulk(list(by_merchant))
    for organization_id, blocked in sorted(by_merchant.items()):
        digest = findings_digest(blocked)
        COPY_NONCOMPLIANT.announce(
            organization_id=organization_id,
            terms_version=adlaw.TERMS_VERSION,
            products=len(blocked),
            digest=digest,
        )
        audit_record(
            actor=None,
            organization=organizations[organization_id],
            action="adlaw.recheck_told",
            target=organizations[organization_id],
            data={"terms_version": adlaw.TERMS_VERSION, "products": [r.product_id for r in blocked], "digest": digest},
        )
    return len(by_merchant)

"""Existing products' copy re-checked under the Advertising Law with what the catalog cannot know: the merchant's
verified credentials (organic, geographical indication), so an unproven certification claim is a block here where
the catalog's own check could only warn (docs/compliance.md, ADR 0049). Read-only: it lists, a person tells."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from xinren import adlaw
from xinren.catalog.facts import copy_findings
from xinren.catalog.models import Product
from xinren.core.regions import region_code_from_text
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential


@dataclass(frozen=True)
class ProductCopyReport:
    """One product whose copy has findings under the current term list."""

    product_id: int
    merchant_id: int
    merchant_name: str
    status: str
    findings: tuple[tuple[str, adlaw.Finding], ...]

    @property
    def blocked(self) -> bool:
        return any(finding.severity == adlaw.BLOCK for _field, finding in self.findings)


def verified_credentials(*, today: dt.date | None = None) -> dict[int, frozenset[str]]:
    """Per organization, the credential kinds verified and in force today."""
    today = today or timezone.localdate()
    kinds: dict[int, set[str]] = defaultdict(set)
    rows = Credential.objects.filter(status=CredentialStatus.VERIFIED).values_list(
        "organization_id", "kind", "valid_until"
    )
    for organization_id, kind, valid_until in rows:
        if valid_until is None or valid_until >= today:
            kinds[organization_id].add(kind)
    return {organization_id: frozenset(found) for organization_id, found in kinds.items()}


def copy_recheck(*, include_warnings: bool = False) -> list[ProductCopyReport]:
    """Every product whose name or description has a blocking finding (and warnings when asked), by merchant."""
    credentials = verified_credentials()
    reports = []
    products = Product.objects.select_related("merchant").order_by("merchant_id", "pk")
    for product in products.iterator(chunk_size=2000):
        facts = adlaw.Facts(
            credentials=credentials.get(product.merchant_id, frozenset()),
            origin_code=region_code_from_text(product.origin_region),
        )
        findings = copy_findings(
            name=product.name, description=product.description, category=product.category, facts=facts
        )
        report = ProductCopyReport(
            product_id=product.pk,
            merchant_id=product.merchant_id,
            merchant_name=product.merchant.name,
            status=product.status,
            findings=tuple(findings),
        )
        if report.blocked or (include_warnings and findings):
            reports.append(report)
    return reports

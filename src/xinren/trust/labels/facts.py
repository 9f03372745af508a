"""What the label rules read about one product and lot, each looked up once and with its ledger proof.

The publisher evaluates labels once per lot, so every lookup here is a handful of queries whatever the
number of items, and each is cached for the rules that share it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.utils import translation

from xinren.attest.proofs import Proof, signed_leaf_proofs, signed_record_proofs
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Batch, Product
from xinren.coldchain.models import Leg
from xinren.coldchain.selectors import ColdChainStatus, coldchain_status_for_batch, legs_for_batch
from xinren.coldchain.statements import READING_BATCH_RECORD
from xinren.core import clock
from xinren.evidence.models import Evidence
from xinren.evidence.selectors import evidence_for
from xinren.evidence.verification import evidence_proofs
from xinren.lab.models import LabReport
from xinren.lab.selectors import scorecard_for_report
from xinren.lab.statements import LAB_REPORT_RECORD
from xinren.trace.models import TraceEvent
from xinren.trace.proofs import event_proofs
from xinren.verification.models import Credential, CredentialCheck
from xinren.verification.proofs import check_proofs
from xinren.verification.selectors import credentials_live
from xinren.verification.verifiers import VerificationResult, verifier_for


@dataclass(frozen=True)
class CredentialFacts:
    """A live credential, its latest signed check with the check's proof, and what the verifier says now."""

    credential: Credential
    check: CredentialCheck | None
    proof: Proof | None
    current: VerificationResult


class LotFacts:
    """Lazily read facts about a product and (optionally) one of its lots."""

    def __init__(self, *, product: Product, batch: Batch | None, now: dt.datetime | None = None) -> None:
        self.product = product
        self.batch = batch
        self.now = now or clock.now()
        self._credentials: dict[str, list[CredentialFacts]] = {}

    @functools.cached_property
    def category_label(self) -> str:
        with translation.override("zh-hans"):
            return str(ProductCategory(self.product.category).label) if self.product.category else ""

    @functools.cached_property
    def events(self) -> list[TraceEvent]:
        """The lot's events (naming the lot or its items), without those declared erroneous, oldest first."""
        if self.batch is None:
            return []
        declared = TraceEvent.objects.filter(is_error_declaration=True).values("event_id")
        return list(
            TraceEvent.objects.filter(subjects__batch=self.batch, is_error_declaration=False)
            .exclude(event_id__in=declared)
            .select_related("place", "organization")
            .distinct()
            .order_by("event_time", "id")
        )

    @functools.cached_property
    def event_proofs(self) -> dict[int, Proof]:
        return event_proofs(self.events)

    def proof(self, event: TraceEvent) -> Proof:
        """An event's proof state (events outside the lot's list, such as a leg's arrival, are looked up too)."""
        if event.pk not in self.event_proofs:
            self.event_proofs.update(event_proofs([event]))
        return self.event_proofs[event.pk]

    @functools.cached_property
    def _evidence(self) -> list[Evidence]:
        return list(evidence_for(product=self.product, batch=self.batch, active_only=True))

    @functools.cached_property
    def _evidence_proofs(self) -> dict[int, Proof]:
        return evidence_proofs(self._evidence)

    def evidence(self, purpose: str) -> list[tuple[Evidence, Proof]]:
        """Active evidence of one purpose on the product or lot, with proofs."""
        return [(e, self._evidence_proofs[e.pk]) for e in self._evidence if e.purpose == purpose]

    def credentials(self, kind: str) -> list[CredentialFacts]:
        """The merchant's live credentials of a kind, each with its latest check, proof and current answer."""
        if kind not in self._credentials:
            self._credentials[kind] = self._credentials_read(kind)
        return self._credentials[kind]

    def _credentials_read(self, kind: str) -> list[CredentialFacts]:
        live = credentials_live(organization=self.product.merchant, kind=kind)
        checks = [check for _credential, check in live if check is not None]
        for check in checks:
            check.organization = self.product.merchant
        proofs = check_proofs(checks)
        verifier = verifier_for(kind)
        merchant = self.product.merchant
        return [
            CredentialFacts(
                credential=credential,
                check=check,
                proof=proofs.get(check.pk) if check is not None else None,
                current=verifier.verify(
                    kind=kind,
                    number=credential.number,
                    holder_name=credential.holder_name,
                    holder_uscc=merchant.uscc,
                    at=self.now,
                ),
            )
            for credential, check in live
        ]

    @functools.cached_property
    def coldchain_legs(self) -> list[Leg]:
        """The cold-chain legs of the lot, arrivals filled in (empty when no logistics firm opened one)."""
        return [] if self.batch is None else legs_for_batch(batch=self.batch)

    @functools.cached_property
    def coldchain(self) -> ColdChainStatus | None:
        return None if self.batch is None else coldchain_status_for_batch(batch=self.batch)

    def readings_proofs(self, leaf_hashes: list[str]) -> dict[str, Proof]:
        """The proof state of the lot's signed reading batches, by leaf hash."""
        return signed_leaf_proofs(READING_BATCH_RECORD, leaf_hashes)

    @functools.cached_property
    def lab(self) -> tuple[int, Proof, LabReport] | None:
        """The overall stars of the lot's latest lab report, with the report's proof."""
        if self.batch is None:
            return None
        report = (
            LabReport.objects.select_related("lab", "batch__product")
            .prefetch_related("measurements")
            .filter(batch=self.batch)
            .order_by("-sampled_at", "-id")
            .first()
        )
        if report is None:
            return None
        stars = int(scorecard_for_report(report=report)["overall_stars"])
        proof = signed_record_proofs(LAB_REPORT_RECORD, [report])[report.pk]
        return stars, proof, report

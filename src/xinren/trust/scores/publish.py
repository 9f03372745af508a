"""Publish stored scores as signed `trust.score` statements (ADR 0051), in the transaction that stored them.

Only a score whose shown values changed (or that has no statement yet) is signed, all of a batch in one pooled
write; its leaf hash is kept on the row. The sources are read with one query per kind for the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from xinren.accounts.services import platform_organization
from xinren.aftersales.choices import CLAIM_KINDS, Outcome
from xinren.aftersales.models.requests import AfterSaleDecision
from xinren.attest import signing
from xinren.attest.proofs import envelope_statement
from xinren.catalog.models import Product
from xinren.governance.models.probation import ProbationEvent, ProbationStatus
from xinren.lab.models import LabReport
from xinren.ledger.store.models import LogEntry, PendingEntry

from ..models import ProductScore
from .explain import public_inputs
from .inputs import counted_reviews
from .statements import score_statement

if TYPE_CHECKING:
    from .hooks import StoredScore

SUSPENSION_TYPE = "governance.listing.suspension"
UPHELD = (Outcome.APPROVE, Outcome.PARTIAL)


def _review_sources(product_ids: list[int]) -> dict[int, list[tuple[str, int, str]]]:
    """(buyer, stars, leaf hash) of each counted review, in the order `inputs.py` lists them."""
    rows = (
        counted_reviews().filter(product_id__in=product_ids).order_by("created_at", "pk")
        .values_list("product_id", "consumer_id", "stars", "ledger_leaf_hash")
    )  # fmt: skip
    found: dict[int, list[tuple[str, int, str]]] = {}
    for product_id, consumer, stars, leaf in rows:
        found.setdefault(product_id, []).append((str(consumer), int(stars), str(leaf)))
    return found


def _by_product(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for key, leaf in rows:
        if leaf and leaf not in found.setdefault(key, []):
            found[key].append(leaf)
    return found


def _suspensions(gtins: list[str]) -> dict[str, list[str]]:
    """Every listing suspension (and lift) the platform signed about these GTINs, oldest first."""
    found: dict[str, list[str]] = {}
    for model in (LogEntry, PendingEntry):
        for leaf, envelope in model.objects.filter(statement_type=SUSPENSION_TYPE).values_list("leaf_hash", "envelope"):
            gtin = str((envelope_statement(bytes(envelope)) or {}).get("gtin"))
            if gtin in gtins:
                found.setdefault(gtin, []).append(bytes(leaf).hex())
    return found


def _sources(rows: list[ProductScore], products: dict[int, Product]) -> dict[int, dict[str, list[str]]]:
    ids = [row.product_id for row in rows]
    reviews = _review_sources(ids)
    report_ids = [r["report"] for row in rows for r in row.inputs.get("lab_reports", [])]
    lab_rows = LabReport.objects.filter(report_id__in=report_ids).values_list("report_id", "ledger_leaf_hash")
    lab: dict[str, str] = {str(key): str(value) for key, value in lab_rows}
    claims = _by_product(
        AfterSaleDecision.objects.filter(
            request__line__product_id__in=ids, request__kind__in=sorted(CLAIM_KINDS), outcome__in=UPHELD
        )
        .order_by("at", "pk")
        .values_list("request__line__product_id", "leaf_hash")
    )
    merchants = {products[pk].merchant_id for pk in ids}
    probation = _by_product(
        ProbationEvent.objects.filter(
            probation__organization_id__in=merchants,
            probation__status__in=[ProbationStatus.ACTIVE, ProbationStatus.EXTENDED],
        )
        .order_by("at", "pk")
        .values_list("probation__organization_id", "leaf_hash")
    )
    suspended = [products[row.product_id].gtin for row in rows if row.inputs.get("credit", {}).get("open_suspensions")]
    suspensions = _suspensions(suspended) if suspended else {}
    found: dict[int, dict[str, list[str]]] = {}
    for row in rows:
        product = products[row.product_id]
        sources: dict[str, list[str]] = {}
        listed = reviews.get(row.product_id, [])
        wanted = [(str(r["buyer"]), int(r["stars"])) for r in row.inputs.get("reviews", [])]
        if wanted and [(buyer, stars) for buyer, stars, _ in listed] == wanted:
            sources["reviews"] = [leaf for _, _, leaf in listed]
        labs = [lab.get(str(r["report"]), "") for r in row.inputs.get("lab_reports", [])]
        if labs and all(labs):
            sources["lab_reports"] = labs
        if row.inputs.get("claims_upheld"):
            sources["claims_upheld"] = claims.get(row.product_id, [])
        if row.inputs.get("credit", {}).get("open_suspensions"):
            sources["suspensions"] = suspensions.get(product.gtin, [])
        if row.inputs.get("credit", {}).get("on_probation"):
            sources["probation"] = probation.get(product.merchant_id, [])
        found[row.product_id] = sources
    return found


def score_statements(rows: list[ProductScore]) -> list[dict[str, Any]]:
    """The `trust.score` payloads of these stored rows (a few queries for the batch)."""
    products = Product.objects.in_bulk([row.product_id for row in rows])
    sources = _sources(rows, products)
    statements = []
    for row in rows:
        row_sources = sources[row.product_id]
        public, folded = public_inputs(row.inputs, row.version, review_sources=row_sources.get("reviews"))
        if folded:
            row_sources = {key: value for key, value in row_sources.items() if key != "reviews"}
        statements.append(score_statement(row=row, gtin=products[row.product_id].gtin, inputs=public,
                                          folded=folded, sources=row_sources))  # fmt: skip
    return statements


def scores_publish(stored: list[StoredScore]) -> None:
    """Sign a `trust.score` for each stored score that changed or has none yet, in one pooled write."""
    rows = [item.row for item in stored if item.changed or not item.row.leaf_hash]
    if not rows:
        return
    refs = signing.statements_sign_and_append(organization=platform_organization(),
                                              statements=score_statements(rows))  # fmt: skip
    for row, ref in zip(rows, refs, strict=True):
        row.leaf_hash = ref.leaf_hash
    ProductScore.objects.bulk_update(rows, ["leaf_hash"])

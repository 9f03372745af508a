"""Reads of delistings: the merchant's scores page, the operators' appeal queue, the product's public history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.attest.proofs import LedgerProof, record_proofs
from xinren.catalog.models import Product
from xinren.catalog.shelf_life import local_date
from xinren.core.errors import NotFound

from ..models import Delisting, DelistingAppeal, DelistingEntry, ProductScore
from ..scores.formula import score_uncertainty
from ..scores.selectors import score_section
from . import errors
from .choices import OPEN_STATUSES, AppealStatus, EntryKind
from .policy import policy_current
from .rule import without_own_suspension


def bounds_for(row: ProductScore, *, delisted: bool) -> dict[str, Any]:
    """The score's sd and upper bound under the current policy (a delisted product's own suspension left out)."""
    policy = policy_current()
    inputs = without_own_suspension(row.inputs) if delisted else row.inputs
    found = score_uncertainty(inputs, row.version, z=policy["z"])
    return {"sd": None if found["sd"] is None else round(found["sd"], 2), "upper": found["upper"], "bar": policy["bar"]}


def merchant_scores(*, actor: Actor) -> list[dict[str, Any]]:
    """The merchant's products with their score, breakdown and bounds: delisted first, then lowest score first."""
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    policy = policy_current()
    rows = ProductScore.objects.filter(product__merchant=actor.organization, version=policy["formula"]).select_related(
        "product"
    )
    open_delistings = {
        d.product_id: d
        for d in Delisting.objects.filter(product__merchant=actor.organization, status__in=OPEN_STATUSES)
    }
    appeals = {
        a.delisting_id: a
        for a in DelistingAppeal.objects.filter(delisting__in=list(open_delistings.values()), status=AppealStatus.OPEN)
    }
    found: list[dict[str, Any]] = []
    for row in rows:
        delisting = open_delistings.get(row.product_id)
        found.append(
            {
                "product": row.product,
                "section": score_section(row),
                "score": row.score,
                "bounds": bounds_for(row, delisted=delisting is not None),
                "delisting": delisting,
                "open_appeal": appeals.get(delisting.pk) if delisting else None,
            }
        )
    found.sort(
        key=lambda item: (item["delisting"] is None, item["score"] is None, item["score"] or 0, item["product"].pk)
    )
    return found


def delistings_for(*, actor: Actor) -> QuerySet[Delisting]:
    """The actor's own products' delistings, newest first (a platform member sees every merchant's)."""
    actor.require(role=Role.VIEWER)
    found = Delisting.objects.select_related("product").order_by("-created_at", "-pk")
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return found
    return found.filter(product__merchant=actor.organization)


def appeals_queue(*, actor: Actor) -> QuerySet[DelistingAppeal]:
    """Open appeals, oldest first: what operators decide next."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    return (
        DelistingAppeal.objects.filter(status=AppealStatus.OPEN)
        .select_related("delisting__product__merchant")
        .order_by("created_at", "pk")
    )


def appeal_detail(*, actor: Actor, appeal_id: int) -> dict[str, Any]:
    """One appeal with the breakdown at delisting (its signed values) and now (the stored score)."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    appeal = DelistingAppeal.objects.select_related("delisting__product__merchant").filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(errors.APPEAL_NOT_FOUND, _("找不到该申诉"))
    delisting = appeal.delisting
    row = ProductScore.objects.filter(product_id=delisting.product_id, version=delisting.version).first()
    return {
        "appeal": appeal,
        "delisting": delisting,
        "now": None
        if row is None
        else {"section": score_section(row), "bounds": bounds_for(row, delisted=delisting.status in OPEN_STATUSES)},
        "history": list(DelistingAppeal.objects.filter(delisting=delisting).exclude(pk=appeal.pk).order_by("pk")),
    }


# -- the public history -------------------------------------------------------------------------------------------


class DelistingHistoryEntry(TypedDict, closed=True):
    kind: str  # delisting, appeal, decision or relisting
    date: str  # YYYY-MM-DD (Beijing)
    data: dict[str, str]  # score, upper, bar / outcome, reason / cause
    proof: LedgerProof


class DelistingHistorySection(TypedDict, closed=True):
    """Every signed step of the product's delistings, oldest first: drawn under its score."""

    entries: list[DelistingHistoryEntry]


def _matches(entry: DelistingEntry, statement: dict[str, Any] | None) -> bool:
    if statement is None or statement.get("type") != entry.statement_type:
        return False
    if statement.get("gtin") != entry.product.gtin:
        return False
    return all(statement.get(key) == value for key, value in entry.data.items())


def history_section_for(*, product: Product) -> DelistingHistorySection | None:
    """The product's delisting history with each entry's proof, or None when it was never delisted."""
    entries = list(
        DelistingEntry.objects.filter(product=product).select_related("product__merchant").order_by("created_at", "pk")
    )
    if not entries:
        return None
    proofs = record_proofs(
        entries,
        leaf_hash=lambda e: e.leaf_hash,
        matches=_matches,
        signer_of=lambda e: e.product.merchant_id if e.kind == EntryKind.APPEAL else None,
    )
    return {
        "entries": [
            {
                "kind": e.kind,
                "date": local_date(e.created_at).isoformat(),
                "data": {k: str(v) for k, v in e.data.items()},
                "proof": proofs[e.pk].as_dict(),
            }
            for e in entries
        ]
    }

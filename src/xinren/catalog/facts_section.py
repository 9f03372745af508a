"""The facts section of a product's pages: the signed facts, who signed them and when, and their history.

Read from the signed versions alone (`ProductFacts`), never from the product's working copy, so that a page shows
only what the merchant signed; each version carries its proof state, so an edited row is shown as not verified.
"""

from __future__ import annotations

from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from xinren.attest.proofs import LedgerProof, signed_leaf_proofs

from .choices import NetContentUnit, ProductCategory
from .facts import amount_text
from .models import Product, ProductFacts
from .statements import PRODUCT_FACTS_RECORD

# The facts in the order a page lists them and a history entry names them.
FIELDS = ("name", "category", "origin", "net_content", "shelf_life", "ingredients", "description")


class FactsValues(TypedDict, closed=True):
    """One version's facts as a page shows them (the category and the units in the page's language)."""

    name: str
    category: str
    origin: str
    net_content: str
    shelf_life: str
    ingredients: str
    description: str


class FactsChange(TypedDict, closed=True):
    field: str  # one of FIELDS
    before: str
    after: str


class FactsVersion(TypedDict, closed=True):
    """One signed version, newest first in the history: what it changed from the one it superseded."""

    version: int
    date: str  # YYYY-MM-DD, when it was signed
    first: bool  # the first version (signed when the product was published)
    changes: list[FactsChange]
    proof: LedgerProof


class FactsSection(TypedDict, closed=True):
    """The current signed facts with their proof, and every version."""

    values: FactsValues
    version: int
    signed_at: str  # YYYY-MM-DD
    signer: str  # the merchant's name
    proof: LedgerProof
    history: list[FactsVersion]


def _values(row: ProductFacts) -> FactsValues:
    amount = amount_text(row.net_content_amount)
    unit = row.net_content_unit
    unit_text = str(NetContentUnit(unit).label) if unit == NetContentUnit.PIECE else unit
    return {
        "name": row.name,
        "category": str(ProductCategory(row.category).label) if row.category in ProductCategory.values
        else row.category,
        "origin": " · ".join(part for part in (row.origin_region, row.origin_place) if part),
        "net_content": f"{amount} {unit_text}" if amount is not None else "",
        "shelf_life": _("%(days)s 天") % {"days": row.shelf_life_days} if row.shelf_life_days else "",
        "ingredients": row.ingredients,
        "description": row.description,
    }


def facts_section_for(*, product: Product) -> FactsSection | None:
    """The product's signed facts and their history, or None when none are signed (a product published before
    facts were signed: its page says the facts are not signed)."""
    rows = list(ProductFacts.objects.filter(product=product).select_related("product").order_by("version"))
    if not rows:
        return None
    proofs = signed_leaf_proofs(PRODUCT_FACTS_RECORD, [row.ledger_leaf_hash for row in rows])
    history: list[FactsVersion] = []
    previous: FactsValues | None = None
    for row in rows:
        values = _values(row)
        changes: list[FactsChange] = [] if previous is None else [
            {"field": field, "before": previous[field], "after": values[field]}  # type: ignore[literal-required]
            for field in FIELDS if previous[field] != values[field]  # type: ignore[literal-required]
        ]
        history.append({
            "version": row.version, "date": localdate(row.created_at).isoformat(), "first": previous is None,
            "changes": changes, "proof": proofs[row.ledger_leaf_hash].as_dict(),
        })
        previous = values
    current = rows[-1]
    return {
        "values": _values(current),
        "version": current.version,
        "signed_at": localdate(current.created_at).isoformat(),
        "signer": product.merchant.name,
        "proof": proofs[current.ledger_leaf_hash].as_dict(),
        "history": history[::-1],
    }

"""What a merchant signs about a product itself (`product.facts`): name, origin, category, net content, shelf life,
ingredients and description, one version per change (catalog/facts.py)."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import CATALOG_KINDS
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import GTIN, LEAF_HASH, NONEMPTY, ORGANIZATION, TEXT, statement_type

from .choices import NetContentUnit, ProductCategory
from .facts import facts_of, facts_payload
from .models import ProductFacts

PRODUCT_FACTS = statement_type(
    name="product.facts", context="catalog",
    summary="What a product is (name, origin, category, net content, shelf life, ingredients, description), "
            "signed on publishing and on every change; a change names the entry it supersedes.",
    signers=CATALOG_KINDS,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "version": {"type": "integer", "minimum": 1},
        "supersedes": LEAF_HASH,
        "facts": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 128},
                "category": {"enum": list(ProductCategory.values)},
                "origin": {
                    "type": "object",
                    "properties": {"region": NONEMPTY, "place": TEXT},
                    "required": ["region", "place"],
                    "additionalProperties": False,
                },
                "net_content": {"anyOf": [{"type": "null"}, {
                    "type": "object",
                    "properties": {
                        "amount": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,3})?$"},
                        "unit": {"enum": list(NetContentUnit.values)},
                    },
                    "required": ["amount", "unit"],
                    "additionalProperties": False,
                }]},
                "shelf_life_days": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 1, "maximum": 3650}]},
                "ingredients": TEXT,
                "description": TEXT,
            },
            "required": ["name", "category", "origin", "net_content", "shelf_life_days", "ingredients",
                         "description"],
            "additionalProperties": False,
        },
    },
    required=["merchant", "gtin", "version", "facts"],
)


def product_facts_matches(row: ProductFacts, statement: dict[str, Any] | None) -> bool:
    """The stored version says what the merchant signed: its product, version, predecessor and every fact."""
    expected: dict[str, Any] = {
        "type": PRODUCT_FACTS.name, "merchant": f"org:{row.product.merchant_id}", "gtin": row.product.gtin,
        "version": row.version, "facts": facts_payload(facts_of(row)),
        "supersedes": row.supersedes or None,
    }
    return statement_says(statement, expected)


PRODUCT_FACTS_RECORD = signed_record(
    model=ProductFacts, statement_type=PRODUCT_FACTS, matches=product_facts_matches, signer="product.merchant",
    protected=("product", "version", "name", "category", "origin_region", "origin_place", "net_content_amount",
               "net_content_unit", "shelf_life_days", "ingredients", "description", "supersedes"),
    select_related=("product",),
)

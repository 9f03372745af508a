"""Which qualifications a merchant needs to sell each product category (docs/governance.md).

A category is sold under one of its alternatives: every kind in one tuple must be held. A business licence
(营业执照) is needed for every category and is checked on its own; the table names what comes on top of it.
Fresh produce a farm sells (食用农产品) needs no food licence; processed and packaged food needs a production
licence (SC) if the merchant makes it, or a business licence for food (JY) if it only sells it.
"""

from __future__ import annotations

from xinren.catalog.choices import ProductCategory
from xinren.verification.choices import CredentialKind

K = CredentialKind
FOOD = ((K.FOOD_PRODUCTION,), (K.FOOD_BUSINESS,))

REQUIRED_QUALIFICATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    ProductCategory.WILD_MUSHROOM: (),
    ProductCategory.FRUIT: (),
    ProductCategory.VEGETABLES: (),
    ProductCategory.FRESH_FLOWERS: (),
    ProductCategory.HANDICRAFT: (),
    ProductCategory.OTHER: (),
    ProductCategory.TEA: FOOD,
    ProductCategory.BAKED_GOODS: FOOD,
    ProductCategory.GRAIN_OIL: FOOD,
    ProductCategory.MEAT_EGGS: FOOD,
    ProductCategory.HONEY: FOOD,
    ProductCategory.COFFEE: FOOD,
    ProductCategory.COSMETICS: ((K.COSMETICS_FILING,),),
    ProductCategory.MEDICAL_DEVICE: ((K.DEVICE_FILING,),),
    ProductCategory.PHARMACY: ((K.DRUG_BUSINESS,),),
}


def required_alternatives(category: str) -> tuple[tuple[str, ...], ...]:
    """The alternatives (each a tuple of credential kinds) one of which covers `category`; () when none is needed."""
    return REQUIRED_QUALIFICATIONS[ProductCategory(category)]


def categories_covered_by(kind: str) -> frozenset[str]:
    """The categories a credential of `kind` can cover (for the licence-expiry watch)."""
    return frozenset(
        c for c, alternatives in REQUIRED_QUALIFICATIONS.items() if any(kind in alt for alt in alternatives)
    )

"""Product facts (商品信息) as signed statements: the one validator and the one service that signs them.

Name, origin (region and place), category, net content, shelf life, ingredients and description are what a page
says a product is. They are checked here (`facts_clean`) by every entry path — the merchant console, the API and
the demo loader all go through `catalog.services` — and signed by the merchant's key (`product.facts`) when the
product is published and whenever they change after that. A change is a new version naming the leaf hash of the
one it supersedes; old versions are never rewritten (docs/adr/0034).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinren import adlaw
from xinren.accounts.actors import Actor
from xinren.attest.signing import statement_sign_and_append
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput
from xinren.core.regions import region_code_from_text

from . import errors
from .choices import NetContentUnit, ProductCategory, ProductStatus
from .claims import credential_kinds
from .models import Product, ProductFacts

NAME_MAX = 128
PLACE_MAX = 128
INGREDIENTS_MAX = 2000
DESCRIPTION_MAX = 5000
# A shelf life beyond ten years is a typing slip (aged pu'er tea is sold at 3650 days).
SHELF_LIFE_DAYS = (1, 3650)
# The largest net content believable for one consumer unit, per unit (a 50 kg sack of rice, 1,000 pieces).
NET_CONTENT_MAX = {
    NetContentUnit.GRAM: Decimal(50_000), NetContentUnit.KILOGRAM: Decimal(50),
    NetContentUnit.MILLILITRE: Decimal(50_000), NetContentUnit.LITRE: Decimal(50), NetContentUnit.PIECE: Decimal(1000),
}
FACT_FIELDS = (
    "name", "category", "origin_region", "origin_place", "net_content_amount", "net_content_unit", "shelf_life_days",
    "ingredients", "description",
)
# The copy the Advertising Law checks (xinren.adlaw): what the page says to sell. Ingredients are a list of
# substances, checked by the label rules, not as advertising (docs/compliance.md).
COPY_FIELDS = ("name", "description")


@dataclass(frozen=True)
class Facts:
    """A product's facts, checked: what a statement of `product.facts` carries."""

    name: str
    category: str
    origin_region: str
    origin_place: str
    net_content_amount: Decimal | None
    net_content_unit: str
    shelf_life_days: int | None
    ingredients: str
    description: str

    def as_fields(self) -> dict[str, Any]:
        return asdict(self)


def _refuse(code: str, message: Any, field: str, value: object) -> InvalidInput:
    return InvalidInput(code, message, details={"field": field, "value": str(value)[:200]})


def _amount(value: Decimal | float | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise _refuse(errors.FACTS_NET_CONTENT, _("净含量必须是大于零的数"), "net_content_amount", value) from exc
    exponent = number.as_tuple().exponent
    if not number.is_finite() or number <= 0 or not isinstance(exponent, int) or exponent < -3:
        raise _refuse(errors.FACTS_NET_CONTENT, _("净含量必须是大于零的数，最多三位小数"), "net_content_amount", value)
    return number


def copy_findings(
    *, name: str, description: str, category: str, facts: adlaw.Facts = adlaw.UNKNOWN
) -> list[tuple[str, adlaw.Finding]]:
    """The Advertising Law findings of a product's copy, each with the field it is in. `facts` is what the caller
    knows of the merchant's verified credentials; the catalog alone knows none (docs/adr/0049)."""
    texts = {"name": name, "description": description}
    return [
        (field, finding)
        for field in COPY_FIELDS
        for finding in adlaw.check(texts[field], field=field, category=category, facts=facts)
    ]


def copy_refuse(findings: list[tuple[str, adlaw.Finding]], *, code: str = errors.FACTS_COPY_NONCOMPLIANT) -> None:
    """Refuse copy with a blocking finding, naming the first one's article, span and suggested rewrite (also used
    for the other copy merchants publish about a product: trial invitations)."""
    blocked = [(field, finding) for field, finding in findings if finding.severity == adlaw.BLOCK]
    if not blocked:
        return
    field, first = blocked[0]
    message = _("商品文案不符合《广告法》：%(message)s。建议：%(suggestion)s") % {
        "message": first.message, "suggestion": first.suggestion,
    }
    raise InvalidInput(code, message, details={
        "field": field, "terms_version": adlaw.TERMS_VERSION,
        "findings": [{"field": name, **finding.as_dict()} for name, finding in blocked],
    })


def facts_clean(
    *,
    name: str,
    category: str,
    origin_region: str,
    origin_place: str = "",
    net_content_amount: Decimal | float | str | None = None,
    net_content_unit: str = "",
    shelf_life_days: int | None = None,
    ingredients: str = "",
    description: str = "",
    merchant_id: int | None = None,
) -> Facts:
    """Check a product's facts before anything is stored or signed: a signed statement is forever.

    With `merchant_id`, a certification claim in the copy (有机, 绿色食品) is checked against the merchant's verified
    credentials and refused without one (`claims.py`); without it, such a claim only warns. A place the copy names as
    the origin ("产自四川") must agree with `origin_region`."""
    name, origin_region, origin_place = name.strip(), origin_region.strip(), origin_place.strip()
    if category not in ProductCategory.values:
        raise _refuse("product.category_invalid", _("未知的品类"), "category", category)
    if not name or not origin_region:
        raise InvalidInput("product.required", _("请填写名称和产地"))
    if len(name) > NAME_MAX:
        raise _refuse(errors.FACTS_TOO_LONG, _("名称不能超过 128 个字"), "name", name)
    if len(origin_region) > PLACE_MAX or len(origin_place) > PLACE_MAX:
        raise _refuse(errors.FACTS_TOO_LONG, _("产地不能超过 128 个字"), "origin_place", origin_place)
    if len(ingredients) > INGREDIENTS_MAX:
        raise _refuse(errors.FACTS_TOO_LONG, _("配料不能超过 2000 个字"), "ingredients", len(ingredients))
    if len(description) > DESCRIPTION_MAX:
        raise _refuse(errors.FACTS_TOO_LONG, _("描述不能超过 5000 个字"), "description", len(description))
    amount = _amount(net_content_amount)
    unit = net_content_unit or ""
    if (amount is None) != (unit == ""):
        raise _refuse(errors.FACTS_NET_CONTENT, _("净含量需同时填写数量和单位"), "net_content_unit", unit)
    if unit and unit not in NetContentUnit.values:
        raise _refuse(errors.FACTS_NET_CONTENT, _("未知的净含量单位"), "net_content_unit", unit)
    if amount is not None and amount > NET_CONTENT_MAX[NetContentUnit(unit)]:
        raise _refuse(errors.FACTS_NET_CONTENT, _("净含量过大，不像是一件商品"), "net_content_amount", amount)
    if shelf_life_days is not None and not SHELF_LIFE_DAYS[0] <= shelf_life_days <= SHELF_LIFE_DAYS[1]:
        raise _refuse(errors.FACTS_SHELF_LIFE, _("保质期应在 1 至 3650 天之间"), "shelf_life_days", shelf_life_days)
    credentials = None if merchant_id is None else credential_kinds(merchant_id)
    copy = adlaw.Facts(credentials=credentials, origin_code=region_code_from_text(origin_region))
    copy_refuse(copy_findings(name=name, description=description.strip(), category=category, facts=copy))
    return Facts(
        name=name, category=category, origin_region=origin_region, origin_place=origin_place,
        net_content_amount=amount, net_content_unit=unit, shelf_life_days=shelf_life_days,
        ingredients=ingredients.strip(), description=description.strip(),
    )


def facts_of(row: Product | ProductFacts) -> Facts:
    """The facts a product (its working copy) or a signed version holds."""
    return Facts(**{name: getattr(row, name) for name in FACT_FIELDS})


def amount_text(amount: Decimal | None) -> str | None:
    """A net content amount as signed: a plain decimal without trailing zeros ("500", "1.5")."""
    if amount is None:
        return None
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def facts_payload(facts: Facts) -> dict[str, Any]:
    """The `facts` object of a `product.facts` statement."""
    amount = amount_text(facts.net_content_amount)
    return {
        "name": facts.name,
        "category": facts.category,
        "origin": {"region": facts.origin_region, "place": facts.origin_place},
        "net_content": None if amount is None else {"amount": amount, "unit": facts.net_content_unit},
        "shelf_life_days": facts.shelf_life_days,
        "ingredients": facts.ingredients,
        "description": facts.description,
    }


def facts_subject(product: Product) -> str:
    """The subject of a product's facts: its Digital Link on the resolver, as its page's other statements."""
    return product.digital_link.uri(settings.XINREN_RESOLVER)


def facts_current(product: Product) -> ProductFacts | None:
    """The latest signed version of a product's facts, or None when none is signed yet (a draft)."""
    return ProductFacts.objects.filter(product=product).order_by("-version").first()


def product_facts_sign(*, actor: Actor, product: Product) -> ProductFacts | None:
    """Sign the product's facts with its merchant's key when they differ from the latest signed version.

    Called by the catalog services (in their transaction, the product row locked) on publishing and on every
    change of a product that is not a draft; a draft's facts are signed when it is first published. Returns the
    new version, or None when the signed facts already say this.
    """
    # stored before these rules: checked again
    facts = facts_clean(**facts_of(product).as_fields(), merchant_id=product.merchant_id)
    latest = facts_current(product)
    if latest is not None and facts_of(latest) == facts:
        return None
    version = 1 if latest is None else latest.version + 1
    statement: dict[str, Any] = {
        "type": "product.facts",
        "subject": facts_subject(product),
        "merchant": f"org:{product.merchant_id}",
        "gtin": product.gtin,
        "version": version,
        "facts": facts_payload(facts),
    }
    if latest is not None:
        statement["supersedes"] = latest.ledger_leaf_hash
    entry = statement_sign_and_append(organization=product.merchant, statement=statement)
    row = ProductFacts.objects.create(
        product=product, version=version, supersedes=latest.ledger_leaf_hash if latest else "",
        ledger_leaf_hash=entry.leaf_hash, signed_by=actor.user, **facts.as_fields(),
    )
    audit_record(
        actor=actor.user, organization=actor.organization, action="product.facts_sign", target=row,
        data={"version": version, "leaf_hash": row.ledger_leaf_hash},
    )
    return row


def facts_signable(product: Product) -> bool:
    """Whether a change to the product's facts is signed now (it is published or delisted, not a draft)."""
    return product.status != ProductStatus.DRAFT

"""Product facts are signed statements: checked before signing, signed on publish and on change, never rewritten."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from xinren.accounts.choices import Role
from xinren.attest.proofs import envelope_statement
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product, ProductFacts
from xinren.catalog.services import product_register, product_set_status, product_update
from xinren.catalog.statements import PRODUCT_FACTS_RECORD
from xinren.core.errors import InvalidInput, NotFound, PermissionDenied
from xinren.ledger.store.models import LogEntry, PendingEntry

from ..factories import actor_for, make_gtin

pytestmark = pytest.mark.django_db

FACTS = {
    "name": "楚雄野生牛肝菌 500g",
    "category": "wild_mushroom",
    "origin_region": "云南省楚雄州南华县",
    "origin_place": "五街镇",
    "net_content_amount": "500",
    "net_content_unit": "g",
    "shelf_life_days": 7,
    "ingredients": "黄牛肝菌",
    "description": "雨季清晨采摘",
}


def _statement(row: ProductFacts) -> dict:
    leaf = bytes.fromhex(row.ledger_leaf_hash)
    entry = LogEntry.objects.filter(leaf_hash=leaf).first() or PendingEntry.objects.get(leaf_hash=leaf)
    statement = envelope_statement(bytes(entry.envelope))
    assert statement is not None
    return statement


def _draft(actor, **overrides) -> Product:
    return product_register(actor=actor, gtin=make_gtin(), **{**FACTS, **overrides})


def _update(actor, product: Product, **overrides) -> Product:
    return product_update(actor=actor, product_id=product.pk, **{**FACTS, **overrides})


def test_a_draft_is_not_signed_and_publishing_signs_its_facts(merchant_actor):
    # given a draft
    product = _draft(merchant_actor)
    assert not ProductFacts.objects.filter(product=product).exists()
    # when it is published
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    # then version 1 is signed with the merchant's key, saying exactly the facts
    row = ProductFacts.objects.get(product=product)
    assert (row.version, row.supersedes, row.signed_by) == (1, "", merchant_actor.user)
    statement = _statement(row)
    assert statement["type"] == "product.facts"
    assert statement["merchant"] == f"org:{product.merchant_id}"
    assert statement["subject"].endswith(f"/01/{product.gtin}")
    assert "supersedes" not in statement
    assert statement["facts"] == {
        "name": "楚雄野生牛肝菌 500g", "category": "wild_mushroom",
        "origin": {"region": "云南省楚雄州南华县", "place": "五街镇"},
        "net_content": {"amount": "500", "unit": "g"}, "shelf_life_days": 7, "ingredients": "黄牛肝菌",
        "description": "雨季清晨采摘",
    }
    assert PRODUCT_FACTS_RECORD.matches(row, statement)


def test_draft_edits_are_not_signed(merchant_actor):
    product = _draft(merchant_actor)
    _update(merchant_actor, product, origin_place="大地基乡")
    assert not ProductFacts.objects.filter(product=product).exists()


def test_a_change_after_publishing_is_a_new_version_naming_the_one_it_supersedes(merchant_actor):
    # given a published product
    product = _draft(merchant_actor)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    first = ProductFacts.objects.get(product=product)
    # when its origin changes
    _update(merchant_actor, product, origin_region="云南省迪庆州香格里拉市", origin_place="尼西乡")
    # then a second version names the first; the first is untouched
    second = ProductFacts.objects.get(product=product, version=2)
    assert second.supersedes == first.ledger_leaf_hash
    assert (second.origin_region, second.origin_place) == ("云南省迪庆州香格里拉市", "尼西乡")
    assert _statement(second)["supersedes"] == first.ledger_leaf_hash
    first.refresh_from_db()
    assert (first.origin_region, first.origin_place) == ("云南省楚雄州南华县", "五街镇")
    assert PRODUCT_FACTS_RECORD.matches(first, _statement(first))


def test_saving_the_same_facts_or_relisting_signs_nothing_new(merchant_actor):
    product = _draft(merchant_actor)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    _update(merchant_actor, product, net_content_amount=Decimal("500.000"))
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.DELISTED)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    assert ProductFacts.objects.filter(product=product).count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "  "}, "product.required"),
        ({"category": "spaceship"}, "product.category_invalid"),
        ({"net_content_amount": "0"}, "product.net_content_invalid"),
        ({"net_content_amount": "-5"}, "product.net_content_invalid"),
        ({"net_content_amount": "1.0005"}, "product.net_content_invalid"),
        ({"net_content_amount": "1e999999"}, "product.net_content_invalid"),
        ({"net_content_amount": "NaN"}, "product.net_content_invalid"),
        ({"net_content_amount": "五百"}, "product.net_content_invalid"),
        ({"net_content_amount": "90", "net_content_unit": "kg"}, "product.net_content_invalid"),
        ({"net_content_unit": ""}, "product.net_content_invalid"),
        ({"net_content_unit": "oz"}, "product.net_content_invalid"),
        ({"shelf_life_days": 0}, "product.shelf_life_invalid"),
        ({"shelf_life_days": 3651}, "product.shelf_life_invalid"),
        ({"ingredients": "盐" * 2001}, "product.text_too_long"),
    ],
)
def test_implausible_facts_are_refused_and_nothing_is_written(merchant_actor, overrides, code):
    # given a published product with signed facts
    product = _draft(merchant_actor)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    entries = PendingEntry.objects.count() + LogEntry.objects.count()
    # when a change with an implausible fact is asked
    with pytest.raises(InvalidInput) as exc:
        _update(merchant_actor, product, **overrides)
    # then it is refused with its reason, and nothing changed or was signed
    assert exc.value.code == code
    product.refresh_from_db()
    assert (product.name, product.net_content_amount, product.shelf_life_days) == (
        "楚雄野生牛肝菌 500g", Decimal("500.000"), 7)
    assert ProductFacts.objects.filter(product=product).count() == 1
    assert PendingEntry.objects.count() + LogEntry.objects.count() == entries
    # and registering with it is refused too
    with pytest.raises(InvalidInput):
        _draft(merchant_actor, **overrides)
    assert Product.objects.count() == 1


def test_another_merchant_cannot_change_the_facts(merchant_actor, other_actor):
    product = _draft(merchant_actor)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    with pytest.raises(NotFound) as exc:
        _update(other_actor, product, name="冒充")
    assert exc.value.code == "product.not_found"
    assert ProductFacts.objects.filter(product=product).count() == 1


def test_a_viewer_cannot_change_the_facts(merchant_actor, merchant):
    product = _draft(merchant_actor)
    with pytest.raises(PermissionDenied):
        _update(actor_for(merchant, Role.VIEWER), product, name="改名")


def test_the_database_refuses_to_rewrite_a_signed_version(merchant_actor):
    product = _draft(merchant_actor)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    row = ProductFacts.objects.get(product=product)
    with pytest.raises(DatabaseError), transaction.atomic():
        ProductFacts.objects.filter(pk=row.pk).update(origin_region="云南省迪庆州")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProductFacts.objects.filter(pk=row.pk).delete()

"""A place the copy names as the goods' origin must agree with the product's stated origin (Advertising Law art. 8,
28(2)); a place named for another reason is no origin claim."""

import pytest

from xinren import adlaw
from xinren.catalog.models import Product
from xinren.catalog.services import product_register
from xinren.core.errors import InvalidInput
from xinren.core.regions import region_code_from_text

from ..factories import make_gtin

MENGHAI = region_code_from_text("云南省西双版纳州勐海县")


@pytest.mark.parametrize(
    ("copy", "spans"),
    [
        ("产自四川的古树茶", ["四川"]),  # another province
        ("产地：昆明", ["昆明"]),  # another prefecture of the same province
        ("昆明特产，春茶压制", ["昆明"]),  # the cue after the place
        ("云南特产，春茶压制", []),  # the origin's province
        ("产自西双版纳", []),  # the origin itself
        ("普洱茶，四川风味", []),  # places named for other reasons: a kind of tea, a taste
        ("并非产自四川", []),  # negated
        ("发货自昆明，顺丰冷链", []),  # a shipping point, not an origin
        ("原产地：四川省", ["四川省"]),  # the full name
    ],
)
def test_a_named_origin_must_agree_with_the_stated_one(copy, spans):
    # when
    findings = adlaw.check(copy, category="tea", facts=adlaw.Facts(origin_code=MENGHAI))
    # then
    assert [(f.rule_id, f.span) for f in findings if f.rule_id == "origin.contradicted"] == [
        ("origin.contradicted", span) for span in spans
    ]
    assert all(f.severity == adlaw.BLOCK for f in findings if f.rule_id == "origin.contradicted")


def test_without_a_known_origin_nothing_is_contradicted():
    assert adlaw.check("产自四川", category="tea") == []


@pytest.mark.django_db
def test_a_product_whose_copy_contradicts_its_origin_is_refused(merchant_actor):
    # when
    with pytest.raises(InvalidInput) as refused:
        product_register(
            actor=merchant_actor, gtin=make_gtin(), name="勐海古树普洱", category="tea",
            origin_region="云南省西双版纳州勐海县", description="四川特产，春茶压制",
        )  # fmt: skip
    # then
    assert refused.value.code == "product.copy_noncompliant"
    assert "“四川”" in str(refused.value.message) and "西双版纳" in str(refused.value.message)
    assert Product.objects.count() == 0

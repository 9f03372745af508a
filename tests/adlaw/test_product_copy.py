"""Product copy is checked under the Advertising Law by the one facts validator: blocking findings refuse, nothing is
stored or signed; warnings are shown on the console's product page."""

import datetime as dt

import pytest
from django.test import Client

from xinren.adlaw import TERMS_VERSION
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product, ProductFacts
from xinren.catalog.services import product_register, product_set_status, product_update
from xinren.core.errors import InvalidInput
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from ..factories import make_gtin
from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call

pytestmark = pytest.mark.django_db

FACTS = {
    "name": "勐海古树普洱",
    "category": "tea",
    "origin_region": "云南省西双版纳州勐海县",
    "description": "春茶压制",
}


def test_a_disease_claim_in_the_description_is_refused_naming_article_span_and_rewrite(merchant_actor):
    # when
    with pytest.raises(InvalidInput) as refused:
        product_register(actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": "治疗高血压 最好的"})
    # then
    error = refused.value
    assert error.code == "product.copy_noncompliant"
    assert "第十七条" in str(error.message) and "“治疗”" in str(error.message) and "建议" in str(error.message)
    assert error.details["field"] == "description"
    assert error.details["terms_version"] == TERMS_VERSION
    assert [(f["field"], f["rule_id"], f["span"], f["start"]) for f in error.details["findings"]] == [
        ("description", "disease.claim", "治疗", 0),
        ("description", "abs.superlative", "最好", 6),
    ]
    assert Product.objects.count() == 0


def test_an_absolute_term_in_the_name_is_refused_on_update_and_nothing_is_signed(merchant_actor):
    # given a published product
    product = product_register(actor=merchant_actor, gtin=make_gtin(), **FACTS)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    # when its name is changed to an absolute claim
    with pytest.raises(InvalidInput) as refused:
        product_update(actor=merchant_actor, product_id=product.pk, **{**FACTS, "name": "全网第一普洱"})
    # then
    assert refused.value.code == "product.copy_noncompliant"
    assert refused.value.details["field"] == "name"
    product.refresh_from_db()
    assert product.name == "勐海古树普洱"
    assert ProductFacts.objects.filter(product=product).count() == 1


def test_warnings_and_exemptions_do_not_refuse(merchant_actor):
    # when
    product = product_register(
        actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": "第一批春茶，最佳饮用期三年，本店销量第一"}
    )
    # then
    assert product.description == "第一批春茶，最佳饮用期三年，本店销量第一"


def test_the_console_refuses_with_the_message_and_shows_warnings(merchant_actor):
    # given
    staff: Client = browser_of(merchant_actor.user)
    product = product_register(actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": "古树茶园，专家推荐"})
    # when
    page = staff.get(f"/merchant/products/{product.pk}/").content.decode()
    # then
    assert 'id="copy-findings"' in page
    assert "“专家推荐”以专家" in page
    # when a blocking claim is posted from the edit form
    form = {**FACTS, "description": "包治百病", "origin_latitude": "", "origin_longitude": ""}
    response = staff.post(f"/merchant/products/{product.pk}/edit/", form)
    # then the form shows the refusal and nothing changed
    assert response.status_code == 422
    assert "商品文案不符合《广告法》" in response.content.decode()
    product.refresh_from_db()
    assert product.description == "古树茶园，专家推荐"


def test_a_trial_invitation_title_is_checked_too(merchant_actor):
    # given
    import datetime as dt

    from xinren.community.models import TrialEvent
    from xinren.community.services.trials import trial_event_create

    product = product_register(actor=merchant_actor, gtin=make_gtin(), **FACTS)
    # when
    with pytest.raises(InvalidInput) as refused:
        trial_event_create(
            actor=merchant_actor,
            product_id=product.pk,
            kind="trial",
            title="试喝降血糖好茶",
            slots=5,
            starts_on=dt.date(2026, 12, 10),
            ends_on=dt.date(2026, 12, 20),
        )
    # then
    assert refused.value.code == "trial.copy_noncompliant"
    assert [(f["field"], f["span"]) for f in refused.value.details["findings"]] == [("title", "降血糖")]
    assert TrialEvent.objects.count() == 0


def test_the_api_refuses_with_the_one_error_shape(merchant_key):
    # when
    body = {**FACTS, "gtin": make_gtin(), "name": "顶级普洱 抗癌"}
    response = call(Client(), "POST", "/products", key=merchant_key, body=body)
    # then
    error = assert_error(response, 422, "product.copy_noncompliant")
    assert [(f["rule_id"], f["span"]) for f in error["details"]["findings"]] == [
        ("abs.grade", "顶级"),
        ("disease.claim", "抗癌"),
    ]
    assert "第九条第三项" in error["message"]
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("claim", "kind"), [("有机茶园", CredentialKind.ORGANIC), ("绿色食品认证", CredentialKind.GREEN_FOOD)]
)
def test_a_certification_claim_needs_the_merchants_verified_credential(merchant_actor, claim, kind):
    # when the merchant holds no such credential
    with pytest.raises(InvalidInput) as refused:
        product_register(actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": f"{claim}，春茶压制"})
    # then the claim is refused as false, nothing stored
    assert refused.value.code == "product.copy_noncompliant"
    assert Product.objects.count() == 0
    # when it holds one that has expired, still refused
    Credential.objects.create(
        organization=merchant_actor.organization, kind=kind, number="C-1", holder_name="x",
        status=CredentialStatus.VERIFIED, valid_until=dt.date(2020, 1, 1),
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        product_register(actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": f"{claim}，春茶压制"})
    # when it holds one in force, the claim is true and the product is registered
    Credential.objects.create(
        organization=merchant_actor.organization, kind=kind, number="C-2", holder_name="x",
        status=CredentialStatus.VERIFIED,
    )  # fmt: skip
    product = product_register(actor=merchant_actor, gtin=make_gtin(), **{**FACTS, "description": f"{claim}，春茶压制"})
    assert product.description.startswith(claim)

"""The qualification watch: a warning 30 days before a licence expires, suspension of the listings it covered on
expiry, lifting when a renewed licence passes, and a sweep that changes nothing when run again."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import ListingSuspension
from xinren.core.audit import AuditEntry
from xinren.core.errors import InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.governance import watch
from xinren.governance.models import QualificationWarning
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential, CredentialCheck

from ..factories import OrganizationFactory, ProductFactory, actor_for
from .factories_watch import TODAY, credential_make, pinned_clock, registry_has, statements  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock", "platform")]

YESTERDAY = TODAY - dt.timedelta(days=1)


def test_a_licence_expiring_within_30_days_is_warned_once(merchant):
    # given
    soon = credential_make(merchant, valid_until=TODAY + dt.timedelta(days=20))
    credential_make(merchant, kind=CredentialKind.FOOD_PRODUCTION, number="SC10653010200012",
                    valid_until=TODAY + dt.timedelta(days=31))
    # when
    first = watch.qualifications_watch(today=TODAY)
    second = watch.qualifications_watch(today=TODAY)
    # then
    assert (first.warned, second.warned) == (1, 0)
    assert list(QualificationWarning.objects.values_list("credential_id", "valid_until")) == [
        (soon.pk, TODAY + dt.timedelta(days=20))
    ]
    assert AuditEntry.objects.filter(action="qualification.warn").count() == 1


def test_a_licence_already_renewed_is_not_warned(merchant):
    # given: the JY expiring in 10 days has a successor valid for years
    credential_make(merchant, valid_until=TODAY + dt.timedelta(days=10))
    credential_make(merchant, number="JY25301020000002", valid_until=TODAY + dt.timedelta(days=1800))
    # when
    result = watch.qualifications_watch(today=TODAY)
    # then
    assert result.warned == 0
    assert not QualificationWarning.objects.exists()


def test_an_expired_food_licence_suspends_the_food_it_covered_and_nothing_else(merchant):
    # given
    jy = credential_make(merchant, valid_until=YESTERDAY)
    tea = ProductFactory(merchant=merchant, category=ProductCategory.TEA, name="普洱熟茶")
    mushroom = ProductFactory(merchant=merchant, category=ProductCategory.WILD_MUSHROOM)
    other_tea = ProductFactory(category=ProductCategory.TEA)  # another merchant's
    PageRefresh.objects.all().delete()
    # when
    result = watch.qualifications_watch(today=TODAY)
    # then
    assert result.suspended == 1
    suspension = ListingSuspension.objects.get()
    assert (suspension.product, suspension.reason_code, suspension.source, suspension.lifted_at) == (
        tea, "licence_expired", f"credential:{jy.pk}", None
    )
    assert suspension.reason == "商家的食品经营许可证已于 2026-12-06 到期，该商品暂停销售，待新证核验通过后恢复"
    assert set(PageRefresh.objects.values_list("kind", "object_id")) == {("product", tea.pk)}
    [statement] = statements("governance.listing.suspension")
    assert {k: statement[k] for k in ("merchant", "gtin", "reason_code", "action", "source")} == {
        "merchant": f"org:{merchant.pk}", "gtin": tea.gtin, "reason_code": "licence_expired",
        "action": "suspended", "source": f"credential:{jy.pk}",
    }
    assert not ListingSuspension.objects.filter(product__in=[mushroom, other_tea]).exists()


def test_a_merchant_holding_sc_and_jy_keeps_selling_food_when_one_expires(merchant):
    # given
    credential_make(merchant, valid_until=YESTERDAY)
    credential_make(merchant, kind=CredentialKind.FOOD_PRODUCTION, number="SC10653010200012")
    ProductFactory(merchant=merchant, category=ProductCategory.TEA)
    # when
    result = watch.qualifications_watch(today=TODAY)
    # then
    assert result.suspended == 0
    assert not ListingSuspension.objects.exists()


def test_a_merchant_that_never_held_a_food_licence_is_not_touched(merchant):
    # given: an expired organic certificate says nothing about selling food
    credential_make(merchant, kind=CredentialKind.ORGANIC, number="ORG-1", valid_until=YESTERDAY)
    ProductFactory(merchant=merchant, category=ProductCategory.TEA)
    # when
    watch.qualifications_watch(today=TODAY)
    # then
    assert not ListingSuspension.objects.exists()


def test_an_expired_business_licence_suspends_every_listing(merchant):
    # given
    credential_make(merchant, kind=CredentialKind.BUSINESS_LICENCE, number=merchant.uscc, valid_until=YESTERDAY)
    products = {ProductFactory(merchant=merchant, category=c).pk
                for c in (ProductCategory.TEA, ProductCategory.FRUIT)}
    # when
    watch.qualifications_watch(today=TODAY)
    # then
    assert set(ListingSuspension.objects.values_list("product_id", flat=True)) == products
    assert ListingSuspension.objects.first().reason.startswith("商家的营业执照已于 2026-12-06 到期")


def test_running_the_sweep_twice_changes_nothing(merchant):
    # given
    credential_make(merchant, valid_until=YESTERDAY)
    ProductFactory(merchant=merchant, category=ProductCategory.TEA)
    watch.qualifications_watch(today=TODAY)
    before = (ListingSuspension.objects.count(), PageRefresh.objects.count(), AuditEntry.objects.count(),
              len(statements("governance.listing.suspension")))
    # when
    again = watch.qualifications_watch(today=TODAY)
    # then
    assert (again.warned, again.suspended, again.lifted) == (0, 0, 0)
    assert (ListingSuspension.objects.count(), PageRefresh.objects.count(), AuditEntry.objects.count(),
            len(statements("governance.listing.suspension"))) == before


def test_withdrawing_the_expired_licence_does_not_put_the_food_back_on_sale(merchant):
    # given
    jy = credential_make(merchant, valid_until=YESTERDAY)
    ProductFactory(merchant=merchant, category=ProductCategory.TEA)
    watch.qualifications_watch(today=TODAY)
    # when
    Credential.objects.filter(pk=jy.pk).update(status=CredentialStatus.WITHDRAWN)
    result = watch.qualifications_watch(today=TODAY)
    # then
    assert result.lifted == 0
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1


# -- renewal -------------------------------------------------------------------------------------------------------


@pytest.fixture
def suspended_tea(merchant):  # type: ignore[no-untyped-def]
    """The merchant's JY expired yesterday and its tea is suspended."""
    jy = credential_make(merchant, valid_until=YESTERDAY)
    tea = ProductFactory(merchant=merchant, category=ProductCategory.TEA)
    watch.qualifications_watch(today=TODAY)
    assert ListingSuspension.objects.filter(product=tea, lifted_at__isnull=True).exists()
    return jy, tea


def test_a_renewed_licence_that_passes_lifts_the_suspension(merchant, suspended_tea):
    # given
    jy, tea = suspended_tea
    registry_has(merchant, "JY15301020099999")
    actor = actor_for(merchant)
    # when
    renewed = watch.qualification_renew(
        actor=actor, credential_id=jy.pk, number="jy15301020099999 ", valid_from=dt.date(2026, 12, 1),
        valid_until=dt.date(2031, 11, 30), issuer="昆明市市场监督管理局",
    )
    # then
    assert (renewed.number, renewed.status, renewed.valid_until, renewed.scope) == (
        "JY15301020099999", CredentialStatus.VERIFIED, dt.date(2031, 11, 30), ["tea"]
    )
    assert Credential.objects.get(pk=jy.pk).status == CredentialStatus.WITHDRAWN
    suspension = ListingSuspension.objects.get(product=tea)
    assert suspension.lifted_at is not None
    assert [s["action"] for s in statements("governance.listing.suspension")] == ["suspended", "lifted"]
    assert AuditEntry.objects.filter(action="qualification.renew", target_id=str(renewed.pk)).exists()


@pytest.mark.parametrize(
    ("number", "valid_until", "rule", "field"),
    [
        ("JY1530102", dt.date(2031, 11, 30), "licence.format", "number"),
        ("SC15301020099999", dt.date(2031, 11, 30), "licence.format", "number"),
        ("JY15301020099999", TODAY, "licence.expired", "valid_until"),
        ("JY15301020099999", None, "licence.expired", "valid_until"),
    ],
)
def test_a_renewal_that_fails_its_checks_is_refused_and_changes_nothing(
    merchant, suspended_tea, number, valid_until, rule, field
):
    # given
    jy, _tea = suspended_tea
    registry_has(merchant, "JY15301020099999")
    before = (Credential.objects.count(), CredentialCheck.objects.count(), AuditEntry.objects.count())
    # when
    with pytest.raises(InvalidInput) as caught:
        watch.qualification_renew(actor=actor_for(merchant), credential_id=jy.pk, number=number,
                                  valid_until=valid_until)
    # then
    assert caught.value.code == "qualification.renewal_invalid"
    assert caught.value.details == {"field": field, "rules": [rule]}
    assert (Credential.objects.count(), CredentialCheck.objects.count(), AuditEntry.objects.count()) == before
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1


def test_a_renewal_the_registry_does_not_confirm_is_refused_and_changes_nothing(merchant, suspended_tea):
    # given: the number is well formed but no issuing body lists it
    jy, _tea = suspended_tea
    before = (Credential.objects.count(), CredentialCheck.objects.count(),
              len(statements("verification.result")))
    # when
    with pytest.raises(InvalidInput) as caught:
        watch.qualification_renew(actor=actor_for(merchant), credential_id=jy.pk, number="JY15301020012345",
                                  valid_until=dt.date(2031, 11, 30))
    # then
    assert caught.value.code == "qualification.renewal_not_confirmed"
    assert "查无此证" in str(caught.value.message)
    assert (Credential.objects.count(), CredentialCheck.objects.count(),
            len(statements("verification.result"))) == before
    assert Credential.objects.get(pk=jy.pk).status == CredentialStatus.VERIFIED
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1


def test_another_organizations_credential_is_not_found(merchant, suspended_tea):
    # given
    jy, _tea = suspended_tea
    stranger = actor_for(OrganizationFactory())
    # when / then
    with pytest.raises(NotFound):
        watch.qualification_renew(actor=stranger, credential_id=jy.pk, number="JY15301020099999",
                                  valid_until=dt.date(2031, 11, 30))
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1


def test_a_viewer_cannot_renew(merchant, suspended_tea):
    # given
    from xinren.accounts.choices import Role
    from xinren.core.errors import PermissionDenied

    jy, _tea = suspended_tea
    # when / then
    with pytest.raises(PermissionDenied):
        watch.qualification_renew(actor=actor_for(merchant, Role.VIEWER), credential_id=jy.pk,
                                  number="JY15301020099999", valid_until=dt.date(2031, 11, 30))

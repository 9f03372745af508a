"""Organizations, memberships and API keys."""

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, Role
from xinren.accounts.models import ApiKey, Membership, Organization
from xinren.accounts.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    membership_add,
    organization_create,
)
from xinren.core.errors import Conflict, InvalidInput, PermissionDenied
from xinren.core.models import AuditEntry

from ..factories import UserFactory, actor_for, make_uscc

pytestmark = pytest.mark.django_db


def test_organization_create_makes_owner_and_audits():
    # given
    owner = UserFactory()
    uscc = make_uscc()
    # when
    org = organization_create(name="大理鲜花饼坊", kind=OrganizationKind.MERCHANT, uscc=uscc, owner=owner)
    # then
    assert org.uscc == uscc
    assert Membership.objects.get(organization=org).role == Role.OWNER
    assert AuditEntry.objects.filter(action="organization.create", target_id=str(org.pk)).count() == 1


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        ("91350100M000100Y44", "organization.uscc_invalid"),
        ("", "organization.uscc_required"),
        ("91350100M000100Y4", "organization.uscc_invalid"),
    ],
)
def test_organization_create_refuses_bad_uscc(uscc, code):
    with pytest.raises(InvalidInput) as exc:
        organization_create(name="某商家", kind=OrganizationKind.MERCHANT, uscc=uscc)
    assert exc.value.code == code
    assert Organization.objects.count() == 0


def test_organization_create_refuses_taken_uscc(merchant):
    with pytest.raises(Conflict):
        organization_create(name="冒名商家", kind=OrganizationKind.MERCHANT, uscc=merchant.uscc)
    assert Organization.objects.count() == 1


def test_membership_add_needs_admin(merchant_actor, merchant_admin):
    newcomer = UserFactory()
    with pytest.raises(PermissionDenied):
        membership_add(actor=merchant_actor, user=newcomer, role=Role.STAFF)
    assert not Membership.objects.filter(user=newcomer).exists()

    membership = membership_add(actor=merchant_admin, user=newcomer, role=Role.STAFF)
    assert membership.organization == merchant_admin.organization


def test_admin_cannot_appoint_owner(merchant_admin):
    with pytest.raises(PermissionDenied):
        membership_add(actor=merchant_admin, user=UserFactory(), role=Role.OWNER)


def test_api_key_round_trip(merchant_admin):
    # given
    key, raw = api_key_create(actor=merchant_admin, name="ERP")
    # when
    actor = api_key_authenticate(raw=raw)
    # then
    assert isinstance(actor, Actor)
    assert actor.organization == merchant_admin.organization
    assert actor.role == Role.STAFF
    assert raw not in key.key_hash
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_api_key_refused_when_wrong_revoked_or_suspended(merchant_admin):
    key, raw = api_key_create(actor=merchant_admin, name="ERP")
    assert api_key_authenticate(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert api_key_authenticate(raw="nonsense") is None

    api_key_revoke(actor=merchant_admin, key_id=key.pk)
    assert api_key_authenticate(raw=raw) is None

    _, raw2 = api_key_create(actor=merchant_admin, name="WMS")
    Organization.objects.filter(pk=merchant_admin.organization.pk).update(status=OrganizationStatus.SUSPENDED)
    assert api_key_authenticate(raw=raw2) is None


def test_staff_cannot_create_api_keys(merchant_actor):
    with pytest.raises(PermissionDenied):
        api_key_create(actor=merchant_actor, name="ERP")
    assert ApiKey.objects.count() == 0


def test_api_key_of_other_org_cannot_be_revoked(merchant_admin, other_merchant):
    other_admin = actor_for(other_merchant, Role.ADMIN)
    key, raw = api_key_create(actor=other_admin, name="ERP")
    with pytest.raises(Exception) as exc:
        api_key_revoke(actor=merchant_admin, key_id=key.pk)
    assert getattr(exc.value, "code", None) == "api_key.not_found"
    assert api_key_authenticate(raw=raw) is not None

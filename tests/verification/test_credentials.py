"""Merchants submit credentials; each check is recorded and signed by the platform."""

from __future__ import annotations

import json

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.core.errors import Conflict, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.verification.models import Credential, CredentialCheck
from xinren.verification.services import credential_recheck, credential_submit, credential_withdraw

from ..factories import ProductFactory, actor_for
from .conftest import csv_row, organic_import

pytestmark = pytest.mark.django_db


def test_a_valid_certificate_is_verified_and_the_result_signed_by_the_platform(merchant_actor, platform):
    # given
    merchant = merchant_actor.organization
    product = ProductFactory(merchant=merchant)
    organic_import(csv_row("CN-ORG-2026-000123", merchant))
    # when
    credential = credential_submit(actor=merchant_actor, kind="organic", number=" CN-ORG-2026-000123 ")
    # then
    assert (credential.status, credential.number, credential.holder_name) == (
        "verified",
        "CN-ORG-2026-000123",
        merchant.name,
    )
    check = CredentialCheck.objects.get(credential=credential)
    assert (check.status, check.verifier, check.holder_uscc) == ("valid", "registry", merchant.uscc)
    entry = PendingEntry.objects.get(leaf_hash=bytes.fromhex(check.ledger_leaf_hash))
    statement = json.loads(parse_envelope(bytes(entry.envelope)).payload)
    assert statement == {
        "type": "verification.result",
        "subject": f"org:{merchant.pk}",
        "kind": "organic",
        "number": "CN-ORG-2026-000123",
        "holder_name": merchant.name,
        "holder_uscc": merchant.uscc,
        "verifier": "registry",
        "source": "国家认监委 2026-11 导出",
        "status": "valid",
        "valid_until": "2027-12-31",
        "time": "2026-11-20T02:00:00+00:00",
    }
    assert entry.signer_key_id == platform.signing_keys.get().key_id
    assert PageRefresh.objects.filter(kind="product", object_id=product.pk).exists()


def test_an_unknown_number_is_stored_as_failed(merchant_actor, platform):
    credential = credential_submit(actor=merchant_actor, kind="organic", number="NOPE-1")
    assert credential.status == "failed"
    assert credential.checks.get().status == "not_found"


def test_the_platform_is_created_lazily_without_posing_as_the_demo(merchant_actor):
    credential_submit(actor=merchant_actor, kind="business_credit", number=merchant_actor.organization.uscc)
    platform = Organization.objects.get(kind=OrganizationKind.PLATFORM)
    assert (platform.slug, platform.uscc) == ("xinren-platform", None)


@pytest.mark.parametrize("kind", [OrganizationKind.LAB, OrganizationKind.ALLIANCE, OrganizationKind.LOGISTICS])
def test_only_merchants_and_suppliers_submit(kind, platform):
    from ..factories import OrganizationFactory

    actor = actor_for(OrganizationFactory(kind=kind), Role.OWNER)
    with pytest.raises(PermissionDenied) as caught:
        credential_submit(actor=actor, kind="organic", number="X")
    assert caught.value.code == "permission.organization_kind"
    assert Credential.objects.count() == 0 and CredentialCheck.objects.count() == 0


def test_a_viewer_cannot_submit(merchant, platform):
    with pytest.raises(PermissionDenied):
        credential_submit(actor=actor_for(merchant, Role.VIEWER), kind="organic", number="X")
    assert Credential.objects.count() == 0


def test_the_same_live_number_twice_is_a_conflict(merchant_actor, platform):
    credential_submit(actor=merchant_actor, kind="organic", number="X")
    with pytest.raises(Conflict) as caught:
        credential_submit(actor=merchant_actor, kind="organic", number="X")
    assert caught.value.code == "credential.exists"
    assert Credential.objects.count() == 1 and CredentialCheck.objects.count() == 1


def test_recheck_follows_the_registry_and_withdrawal_is_final(merchant_actor, other_actor, platform):
    # given
    merchant = merchant_actor.organization
    organic_import(csv_row("C-1", merchant))
    credential = credential_submit(actor=merchant_actor, kind="organic", number="C-1")
    organic_import(csv_row("C-1", merchant, status="revoked"))
    # when
    check = credential_recheck(actor=merchant_actor, credential_id=credential.pk)
    # then
    credential.refresh_from_db()
    assert (check.status, credential.status) == ("revoked", "failed")
    from xinren.core.errors import NotFound

    with pytest.raises(NotFound):
        credential_withdraw(actor=other_actor, credential_id=credential.pk)
    credential_withdraw(actor=merchant_actor, credential_id=credential.pk)
    with pytest.raises(Conflict):
        credential_recheck(actor=merchant_actor, credential_id=credential.pk)
    credential.refresh_from_db()
    assert credential.status == "withdrawn" and credential.checks.count() == 2


def test_the_certificate_scan_comes_from_the_evidence_pipeline(merchant_actor, other_actor, platform):
    # given
    from xinren.core.errors import InvalidInput
    from xinren.evidence.services import evidence_attach, media_ingest

    from ..evidence.samples import png

    product = ProductFactory(merchant=merchant_actor.organization)
    scan = evidence_attach(
        actor=merchant_actor,
        media=media_ingest(content=png(), filename="cert.png"),
        product=product,
        purpose="certificate",
        caption="有机证书扫描件",
    )
    photo = evidence_attach(
        actor=merchant_actor, media=media_ingest(content=png(), filename="farm.png"), product=product, purpose="origin"
    )
    # when
    credential = credential_submit(actor=merchant_actor, kind="organic", number="S-1", evidence_id=scan.pk)
    # then
    assert (credential.evidence_id, credential.evidence_leaf_hash) == (scan.pk, scan.leaf_hash)
    for actor, evidence in ((merchant_actor, photo), (other_actor, scan)):
        with pytest.raises(InvalidInput) as caught:
            credential_submit(actor=actor, kind="organic", number="S-2", evidence_id=evidence.pk)
        assert caught.value.code == "credential.evidence_invalid"
    assert Credential.objects.count() == 1

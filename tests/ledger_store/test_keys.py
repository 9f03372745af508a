"""Signing keys: custody encrypted at rest, registration, rotation and revocation as log statements."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from xinren.attest import keys, signing
from xinren.attest.models import SigningKey
from xinren.core.errors import Conflict, DomainError, PermissionDenied
from xinren.ledger import verify_bundle
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store import selectors
from xinren.ledger.store.audit import log_audit
from xinren.ledger.store.models import KeyRecord, KeyStatus, LogEntry
from xinren.ledger.store.sequencer import log_integrate

from ..statement_types import note
from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db


def _statement(entry: LogEntry) -> dict:  # type: ignore[type-arg]
    return json.loads(parse_envelope(bytes(entry.envelope)).payload)


def test_custodial_key_is_encrypted_at_rest(merchant_admin) -> None:
    # when
    key = keys.custodial_key_create(actor=merchant_admin)
    # then
    blob = bytes(key.encrypted_private_key or b"")
    seed = keys.seed_decrypt(blob, key_id=key.key_id)
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw() == bytes(key.public_key)
    assert seed not in blob
    assert len(blob) == 1 + 4 + 12 + 32 + 16


def test_custodial_seed_does_not_decrypt_under_another_key_id(merchant_admin) -> None:
    key = keys.custodial_key_create(actor=merchant_admin)
    with pytest.raises(DomainError) as refused:
        keys.seed_decrypt(bytes(key.encrypted_private_key or b""), key_id="0" * 64)
    assert refused.value.code == "signing_key.corrupt"


def test_custodial_seed_does_not_decrypt_under_another_encryption_key(merchant_admin, settings) -> None:
    key = keys.custodial_key_create(actor=merchant_admin)
    settings.XINREN_KEY_ENCRYPTION_KEY = "11" * 32
    with pytest.raises(DomainError) as refused:
        keys.seed_decrypt(bytes(key.encrypted_private_key or b""), key_id=key.key_id)
    assert refused.value.code == "signing_key.encryption_key_mismatch"


def test_a_short_encryption_key_is_a_configuration_error(settings) -> None:
    settings.XINREN_KEY_ENCRYPTION_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured):
        keys.seed_encrypt(b"\0" * 32, key_id="k")


def test_a_second_custodial_key_is_refused(merchant_admin) -> None:
    keys.custodial_key_create(actor=merchant_admin)
    with pytest.raises(Conflict) as refused:
        keys.custodial_key_create(actor=merchant_admin)
    assert refused.value.code == "signing_key.custodial_exists"
    assert SigningKey.objects.count() == 1


def test_staff_may_not_manage_keys(merchant_actor) -> None:
    with pytest.raises(PermissionDenied):
        keys.custodial_key_create(actor=merchant_actor)
    assert SigningKey.objects.count() == 0
    assert KeyRecord.objects.count() == 0


def test_the_first_statement_of_an_organization_creates_its_custodial_key(merchant) -> None:
    # when
    signing.statement_sign_and_append(organization=merchant, statement=note(subject="s"))
    signing.statement_sign_and_append(organization=merchant, statement=note(subject="t"))
    # then
    assert SigningKey.objects.filter(organization=merchant, custodial=True).count() == 1


def test_registering_a_key_is_a_statement_in_the_log(lab, lab_key, lab_private_key) -> None:
    # when
    log_integrate()
    # then: entry 0 is the registrar's self-registration, entry 1 the lab's key
    registrar, registration = LogEntry.objects.order_by("index")[:2]
    assert _statement(registrar)["type"] == "key.register"
    assert _statement(registrar)["subject"] == "platform"
    statement = _statement(registration)
    assert (statement["type"], statement["subject"], statement["key"]["id"]) == ("key.register", f"org:{lab.pk}",
                                                                                  lab_key.key_id)
    assert statement["key"]["custodial"] is False
    assert registration.signer_key_id == registrar.signer_key_id


def test_rotation_keeps_old_entries_verifiable(lab_key, lab_admin, lab_actor, lab_private_key) -> None:
    # given: an entry signed with the first key
    old_ref = signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(1)))
    log_integrate()
    new_private = Ed25519PrivateKey.generate()
    # when
    new_key = keys.signing_key_rotate(actor=lab_admin, key_id=lab_key.key_id,
                                      public_key=new_private.public_key().public_bytes_raw())
    signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(new_private, note_statement(2)))
    log_integrate()
    # then
    lab_key.refresh_from_db()
    assert (lab_key.status, new_key.status, new_key.replaces_id) == ("retired", "active", lab_key.pk)
    rotation = LogEntry.objects.get(statement_type="key.rotate")
    assert _statement(rotation)["replaces"] == lab_key.key_id
    old_index = selectors.entry_status(bytes.fromhex(old_ref.leaf_hash)).index
    assert old_index is not None
    assert verify_bundle(selectors.bundle_get(old_index).to_text(), selectors.log_vkey()).ok is True
    report = log_audit()
    assert report.problem is None
    assert report.signatures == LogEntry.objects.count()


def test_rotating_a_custodial_key_retires_the_old_one(merchant, merchant_admin) -> None:
    # given
    signing.statement_sign_and_append(organization=merchant, statement=note(subject="s"))
    old = SigningKey.objects.get(organization=merchant)
    # when
    new = keys.signing_key_rotate(actor=merchant_admin, key_id=old.key_id)
    ref = signing.statement_sign_and_append(organization=merchant, statement=note(subject="t"))
    log_integrate()
    # then
    old.refresh_from_db()
    assert old.status == "retired"
    assert ref.signer_key_id == new.key_id
    assert KeyRecord.objects.get(key_id=old.key_id).status == KeyStatus.RETIRED
    assert log_audit().problem is None


def test_revocation_is_a_statement_and_the_directory_follows(lab_key, lab_admin) -> None:
    # when
    keys.signing_key_revoke(actor=lab_admin, key_id=lab_key.key_id, reason="私钥泄露")
    log_integrate()
    # then
    lab_key.refresh_from_db()
    assert (lab_key.status, lab_key.revocation_reason) == ("revoked", "私钥泄露")
    statement = _statement(LogEntry.objects.get(statement_type="key.revoke"))
    assert (statement["key"]["id"], statement["reason"]) == (lab_key.key_id, "私钥泄露")
    assert KeyRecord.objects.get(key_id=lab_key.key_id).status == KeyStatus.REVOKED
    assert log_audit().problem is None


def test_a_revoked_key_cannot_be_revoked_or_rotated_again(lab_key, lab_admin) -> None:
    keys.signing_key_revoke(actor=lab_admin, key_id=lab_key.key_id, reason="泄露")
    count = LogEntry.objects.count()
    with pytest.raises(Conflict):
        keys.signing_key_revoke(actor=lab_admin, key_id=lab_key.key_id, reason="again")
    with pytest.raises(Conflict):
        keys.signing_key_rotate(actor=lab_admin, key_id=lab_key.key_id,
                                public_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    assert LogEntry.objects.count() == count


def test_registering_the_same_public_key_twice_is_refused(lab_key, lab_admin, lab_private_key) -> None:
    with pytest.raises(Conflict) as refused:
        keys.signing_key_register(actor=lab_admin, public_key=lab_private_key.public_key().public_bytes_raw())
    assert refused.value.code == "ledger.key_exists"
    assert SigningKey.objects.count() == 1


def test_another_organizations_key_cannot_be_revoked(lab_key, merchant_admin) -> None:
    with pytest.raises(DomainError) as refused:
        keys.signing_key_revoke(actor=merchant_admin, key_id=lab_key.key_id, reason="x")
    assert refused.value.code == "signing_key.not_found"
    lab_key.refresh_from_db()
    assert lab_key.status == "active"

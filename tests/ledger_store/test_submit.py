"""Third-party envelopes: what is refused, with which code, and that nothing is written then."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.accounts.choices import Role
from xinren.attest import keys, signing
from xinren.core.errors import DomainError, PermissionDenied
from xinren.ledger.dsse import key_id_for, sign_envelope
from xinren.ledger.store import services as log_services
from xinren.ledger.store.models import KeyRecord, LogEntry, PendingEntry
from xinren.ledger.store.services import statement_bytes

from ..factories import actor_for
from ..statement_types import note
from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db


def _refused(actor, envelope: bytes) -> DomainError:  # type: ignore[no-untyped-def]
    before = (PendingEntry.objects.count(), LogEntry.objects.count(), KeyRecord.objects.count())
    with pytest.raises(DomainError) as refused:
        signing.envelope_submit(actor=actor, envelope_bytes=envelope)
    assert (PendingEntry.objects.count(), LogEntry.objects.count(), KeyRecord.objects.count()) == before
    return refused.value


def _refused_by_log(organization, envelope: bytes) -> DomainError:  # type: ignore[no-untyped-def]
    before = (PendingEntry.objects.count(), LogEntry.objects.count())
    with pytest.raises(DomainError) as refused:
        log_services.envelope_submit(envelope_bytes=envelope, owner=keys.owner_of(organization))
    assert (PendingEntry.objects.count(), LogEntry.objects.count()) == before
    return refused.value


def test_malformed_envelope_is_refused(lab_key, lab_actor) -> None:
    error = _refused(lab_actor, b'{"payload": "not base64!", "payloadType": "x", "signatures": []}')
    assert (error.code, error.status, error.details["reason"]) == ("ledger.envelope_malformed", 422,
                                                                   "envelope_malformed")


def test_not_json_is_refused(lab_key, lab_actor) -> None:
    error = _refused(lab_actor, b"\xff\xfe not json")
    assert error.code == "ledger.envelope_malformed"


def test_oversize_envelope_is_refused(lab_key, lab_actor, lab_private_key) -> None:
    # given: a validly signed envelope padded with JSON whitespace to one byte over the entry limit
    statement = note_statement(1, padding="x" * 48_000)
    envelope = signed(lab_private_key, statement)
    envelope = envelope + b" " * (65_536 - len(envelope))
    assert len(envelope) == 65_536
    # when
    error = _refused(lab_actor, envelope)
    # then
    assert (error.code, error.details["size"], error.details["limit"]) == ("ledger.envelope_too_large", 65_536, 65_535)


def test_an_envelope_of_exactly_the_limit_is_accepted(lab_key, lab_actor, lab_private_key) -> None:
    # given
    envelope = signed(lab_private_key, note_statement(1, padding="x" * 48_000))
    envelope = envelope + b" " * (65_535 - len(envelope))
    # when
    ref = signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    # then
    assert bytes(PendingEntry.objects.get(leaf_hash=bytes.fromhex(ref.leaf_hash)).envelope) == envelope


def test_bad_signature_is_refused(lab_key, lab_actor, lab_private_key) -> None:
    # given: the payload altered after signing
    document = json.loads(signed(lab_private_key, note_statement(1)))
    document["payload"] = base64.b64encode(statement_bytes(note_statement(2))).decode()
    # when
    error = _refused(lab_actor, json.dumps(document).encode())
    # then
    assert (error.code, error.status) == ("ledger.signature_invalid", 403)


def test_unregistered_key_is_refused(lab_key, lab_actor) -> None:
    stranger = Ed25519PrivateKey.generate()
    error = _refused(lab_actor, signed(stranger, note_statement(1)))
    assert error.code == "ledger.key_unknown"
    assert error.details["key_ids"] == [key_id_for(stranger.public_key())]


def test_another_organizations_key_is_refused(lab_key, lab_private_key, logistics_actor) -> None:
    # given: the logistics firm submits an envelope signed with the lab's key
    error = _refused(logistics_actor, signed(lab_private_key, note_statement(1)))
    # then
    assert (error.code, error.status) == ("ledger.key_wrong_owner", 403)


def test_revoked_key_is_refused(lab_key, lab_admin, lab_actor, lab_private_key) -> None:
    # given
    keys.signing_key_revoke(actor=lab_admin, key_id=lab_key.key_id, reason="私钥泄露")
    # when
    error = _refused(lab_actor, signed(lab_private_key, note_statement(1)))
    # then
    assert (error.code, error.details["key_id"]) == ("ledger.key_revoked", lab_key.key_id)


def test_rotated_out_key_is_refused(lab_key, lab_admin, lab_actor, lab_private_key) -> None:
    # given
    keys.signing_key_rotate(actor=lab_admin, key_id=lab_key.key_id,
                            public_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    # when
    error = _refused(lab_actor, signed(lab_private_key, note_statement(1)))
    # then
    assert error.code == "ledger.key_retired"


def test_wrong_payload_type_is_refused(lab_key, lab_actor, lab_private_key) -> None:
    envelope = sign_envelope(statement_bytes(note_statement(1)), key=lab_private_key,
                             keyid=key_id_for(lab_private_key.public_key()), payload_type="application/json").to_json()
    error = _refused(lab_actor, envelope)
    assert error.code == "ledger.payload_type_unexpected"


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ({"subject": "x"}, "type"),
        ({"type": "Lab Report", "subject": "x"}, "type"),
        ({"type": "lab.report", "subject": ""}, "subject"),
        ({"type": "lab.report", "subject": "x", "corrects": "not-a-hash"}, "corrects"),
    ],
)
def test_invalid_statement_is_refused_by_the_log(lab_key, lab, lab_private_key, statement, reason) -> None:
    # The log itself (below the statement-type registry) refuses what is not a statement at all.
    error = _refused_by_log(lab, signed(lab_private_key, statement))
    assert error.code == "ledger.statement_invalid"
    assert reason in error.details["reason"]


@pytest.mark.parametrize(
    ("statement", "code", "detail"),
    [
        ({"type": "lab.reprot", "subject": "x"}, "statement.type_unregistered", {"type": "lab.reprot"}),
        (note(facts="not an object"), "statement.payload_invalid", {"type": "test.note", "path": "facts"}),
        (note(color="red"), "statement.payload_invalid", {"type": "test.note", "path": ""}),
        ({"type": "cost.breakdown", "subject": "x"}, "statement.signer_not_allowed", {"signer_kind": "lab"}),
    ],
)
def test_a_statement_the_registry_does_not_admit_is_refused(  # type: ignore[no-untyped-def]
    lab_key, lab_actor, lab_private_key, statement, code, detail
) -> None:
    error = _refused(lab_actor, signed(lab_private_key, statement))
    assert error.code == code
    assert {key: error.details[key] for key in detail} == detail


def test_a_payload_that_is_not_an_object_is_refused(lab_key, lab_actor, lab_private_key) -> None:
    envelope = sign_envelope(b"[1, 2]", key=lab_private_key, keyid=key_id_for(lab_private_key.public_key())).to_json()
    error = _refused(lab_actor, envelope)
    assert (error.code, error.details["reason"]) == ("ledger.statement_invalid", "the statement is not a JSON object")


def test_third_parties_cannot_submit_key_statements(lab_key, lab, lab_actor, lab_private_key) -> None:
    envelope = signed(lab_private_key, {"type": "key.register", "subject": "org:1", "key": {"id": "k"}})
    assert _refused(lab_actor, envelope).code == "statement.signer_not_allowed"
    assert _refused_by_log(lab, envelope).code == "ledger.statement_type_reserved"


def test_a_batch_is_all_or_nothing(lab_key, lab_actor, lab_private_key) -> None:
    # given: the third envelope of four is signed by an unknown key
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(4)]
    envelopes[2] = signed(Ed25519PrivateKey.generate(), note_statement(2))
    before = PendingEntry.objects.count()
    # when
    with pytest.raises(DomainError) as refused:
        signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    # then
    assert (refused.value.code, refused.value.details["position"]) == ("ledger.key_unknown", 2)
    assert PendingEntry.objects.count() == before


def test_a_batch_is_accepted_whole(lab_key, lab_actor, lab_private_key) -> None:
    # given
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(50)]
    before = PendingEntry.objects.count()
    # when
    refs = signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    # then
    assert len({r.leaf_hash for r in refs}) == 50
    assert PendingEntry.objects.count() == before + 50


def test_a_viewer_may_not_submit(lab, lab_key, lab_private_key) -> None:
    viewer = actor_for(lab, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        signing.envelope_submit(actor=viewer, envelope_bytes=signed(lab_private_key, note_statement(1)))
    assert PendingEntry.objects.filter(statement_type="lab.report").count() == 0

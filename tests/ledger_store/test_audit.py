"""`audit` re-reads everything and reports the first inconsistency: entries, hashes, checkpoints, keys."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.attest import signing
from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinren.ledger.hashstore import MemoryHashStore, stored_hash_index
from xinren.ledger.merkle import leaf_hash
from xinren.ledger.note import Signer
from xinren.ledger.store.audit import log_audit
from xinren.ledger.store.log_key import log_signer
from xinren.ledger.store.models import KeyRecord, LogEntry, LogState, SignedCheckpoint, TreeHash
from xinren.ledger.store.sequencer import log_integrate
from xinren.ledger.store.services import statement_bytes

from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_of_20(lab_key, lab_actor, lab_private_key) -> None:  # type: ignore[no-untyped-def]
    for start in (0, 6, 12):
        envelopes = [signed(lab_private_key, note_statement(n)) for n in range(start, start + 6)]
        signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
        log_integrate()
    assert LogEntry.objects.count() == 20


def test_an_untouched_log_is_consistent(log_of_20) -> None:
    report = log_audit()
    assert report.problem is None
    assert (report.entries, report.signatures, report.checkpoints) == (20, 20, 3)
    assert report.stored_hashes == TreeHash.objects.count() == 38


def test_the_audit_can_verify_signatures_in_worker_processes(log_of_20) -> None:
    report = log_audit(workers=2, chunk=7)
    assert report.problem is None
    assert report.signatures == 20


def test_a_rewritten_entry_is_found(log_of_20, lab_private_key) -> None:
    # given: someone replaces entry 9's envelope and its leaf hash, but cannot re-sign the checkpoint
    forged = signed(lab_private_key, note_statement(999))
    LogEntry.objects.filter(index=9).update(envelope=forged, leaf_hash=leaf_hash(forged))
    # when
    problem = log_audit().problem
    # then
    assert problem is not None
    assert problem.position == 9
    assert "stored hash" in problem.message


def test_an_entry_whose_bytes_changed_is_found(log_of_20) -> None:
    entry = LogEntry.objects.get(index=4)
    LogEntry.objects.filter(index=4).update(envelope=bytes(entry.envelope).replace(b"payload", b"payloaD"))
    problem = log_audit().problem
    assert problem is not None
    assert (problem.position, problem.message) == (4, "entry 4: its leaf hash does not match its envelope")


def test_a_signature_that_does_not_verify_is_found_even_if_the_log_key_re_signed(log_of_20) -> None:
    # given: an insider holding the log key rewrites entry 19, rebuilds the tree and re-signs the checkpoint
    entry = LogEntry.objects.get(index=19)
    document = json.loads(bytes(entry.envelope))
    document["payload"] = base64.b64encode(statement_bytes(note_statement(999))).decode()
    forged = json.dumps(document, separators=(",", ":")).encode()
    LogEntry.objects.filter(index=19).update(envelope=forged, leaf_hash=leaf_hash(forged))
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    tree = MemoryHashStore(leaves)
    TreeHash.objects.all().delete()
    TreeHash.objects.bulk_create(
        TreeHash(id=stored_hash_index(s.level, s.index), hash=s.hash) for s in MemoryHashStore().append(leaves)
    )
    note = sign_checkpoint(Checkpoint("xinren.example/log", 20, tree.root()), log_signer())
    SignedCheckpoint.objects.filter(size=20).update(note=note, root=tree.root())
    LogState.objects.update(root=tree.root())
    # when
    for workers in (1, 2):
        problem = log_audit(workers=workers).problem
        # then
        assert problem is not None
        assert (problem.position, problem.kind) == (19, "signature")
        assert problem.message.startswith("entry 19: envelope signature by ")


def test_a_tampered_stored_hash_is_found(log_of_20) -> None:
    TreeHash.objects.filter(id=stored_hash_index(1, 6)).update(hash=b"\1" * 32)
    problem = log_audit().problem
    assert problem is not None
    assert (problem.position, problem.message) == (13, "entry 13: stored hash of subtree (1, 6) is wrong")


def test_a_missing_stored_hash_is_found(log_of_20) -> None:
    TreeHash.objects.filter(id=stored_hash_index(0, 17)).delete()
    problem = log_audit().problem
    assert problem is not None
    assert problem.position == 17


def test_a_checkpoint_with_a_forged_signature_is_found(log_of_20) -> None:
    # given: a checkpoint re-signed by another key
    checkpoint = SignedCheckpoint.objects.get(size=14)
    forged = sign_checkpoint(Checkpoint("xinren.example/log", 14, bytes(checkpoint.root)),
                             Signer.generate("xinren.example/log"))
    SignedCheckpoint.objects.filter(pk=checkpoint.pk).update(note=forged)
    # when
    problem = log_audit().problem
    # then
    assert problem is not None
    assert (problem.position, problem.message) == (
        14, "checkpoint of size 14: the log's signature does not hold (no_known_signature)")


def test_a_checkpoint_whose_root_column_was_changed_is_found(log_of_20) -> None:
    SignedCheckpoint.objects.filter(size=8).update(root=b"\2" * 32)
    problem = log_audit().problem
    assert problem is not None
    assert (problem.position, problem.message) == (8, "checkpoint of size 8: the signed note and the stored "
                                                      "columns differ")


def test_a_deleted_entry_is_found(log_of_20) -> None:
    LogEntry.objects.filter(index=11).delete()
    problem = log_audit().problem
    assert problem is not None
    assert (problem.position, problem.message) == (11, "entry 11 is missing (the next stored entry is 12)")


def test_a_swapped_key_in_the_directory_is_found(log_of_20, lab_key) -> None:
    # given: someone replaces the lab's public key in the directory to forge its signatures
    KeyRecord.objects.filter(key_id=lab_key.key_id).update(
        public_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    )
    problem = log_audit().problem
    assert problem is not None
    assert problem.position == 20
    assert "public key or owner differs" in problem.message

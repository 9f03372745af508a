"""Appending, integrating and proving: the store's answers verify with the pure package alone."""

from __future__ import annotations

import pytest

from xinren.attest import signing
from xinren.core.errors import InvalidInput
from xinren.ledger import verify_bundle, verify_consistency, verify_inclusion
from xinren.ledger.checkpoint import open_checkpoint
from xinren.ledger.hashstore import MemoryHashStore
from xinren.ledger.merkle import EMPTY_ROOT, leaf_hash
from xinren.ledger.store import selectors, services
from xinren.ledger.store.errors import LogCorrupted
from xinren.ledger.store.log_key import log_verifier
from xinren.ledger.store.models import LogEntry, LogState, PendingEntry, SignedCheckpoint, TreeHash
from xinren.ledger.store.sequencer import log_integrate, log_integrate_all

from ..statement_types import note
from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db


def _submit(lab_actor, lab_private_key, count: int, start: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(n))).leaf_hash
        for n in range(start, start + count)
    ]


def test_append_answers_at_once_and_the_proof_follows_integration(lab_key, lab_actor, lab_private_key) -> None:
    # given
    envelope = signed(lab_private_key, note_statement(1))
    # when
    ref = signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    # then
    assert ref.leaf_hash == leaf_hash(envelope).hex()
    assert ref.statement_type == "test.note"
    assert selectors.entry_status(leaf_hash(envelope)).pending is True
    # when
    result = log_integrate()
    # then
    status = selectors.entry_status(leaf_hash(envelope))
    assert status.pending is False
    proof = selectors.inclusion_proof_get(index=status.index)
    verify_inclusion(leaf_hash(envelope), status.index, result.new_size, proof.path, result.root)
    assert PendingEntry.objects.count() == 0


def test_every_entry_proves_and_checkpoints_are_consistent(lab_key, lab_actor, lab_private_key) -> None:
    # given: three integrations of growing batches (the first entries are the key statements)
    _submit(lab_actor, lab_private_key, 3)
    first = log_integrate()
    _submit(lab_actor, lab_private_key, 7, start=3)
    second = log_integrate()
    _submit(lab_actor, lab_private_key, 20, start=10)
    third = log_integrate()
    # then: every stored entry verifies against the third checkpoint with the pure package
    opened = open_checkpoint(third.checkpoint or "", log_verifier()).checkpoint
    assert opened.size == third.new_size == LogEntry.objects.count()
    reference = MemoryHashStore(leaf_hash(bytes(e)) for e in LogEntry.objects.values_list("envelope", flat=True))
    assert reference.root() == opened.root
    for index in range(opened.size):
        proof = selectors.inclusion_proof_get(index=index)
        verify_inclusion(proof.leaf_hash, index, opened.size, proof.path, opened.root)
    # and consistency holds between each pair of signed checkpoints
    for old, new in [(first, second), (second, third), (first, third)]:
        _, _, path = selectors.consistency_proof_get(first=old.new_size, second=new.new_size)
        verify_consistency(old.new_size, new.new_size, path, old.root, new.root)


def test_inclusion_proof_at_an_older_size(lab_key, lab_actor, lab_private_key) -> None:
    # given
    hashes = _submit(lab_actor, lab_private_key, 4)
    old = log_integrate()
    _submit(lab_actor, lab_private_key, 9, start=4)
    log_integrate()
    # when
    proof = selectors.inclusion_proof_get(leaf_hash=bytes.fromhex(hashes[0]), size=old.new_size)
    # then
    assert proof.size == old.new_size
    assert proof.checkpoint is not None and proof.checkpoint.startswith(f"xinren.example/log\n{old.new_size}\n")
    verify_inclusion(bytes.fromhex(hashes[0]), proof.index, old.new_size, proof.path, old.root)


def test_bundle_verifies_offline(lab_key, lab_actor, lab_private_key) -> None:
    # given
    _submit(lab_actor, lab_private_key, 5)
    log_integrate()
    # when
    bundle = selectors.bundle_get(4)
    # then
    verdict = verify_bundle(bundle.to_text(), selectors.log_vkey())
    assert verdict.ok is True
    assert verify_bundle(bundle.to_json(), selectors.log_vkey()).ok is True


def test_integrating_an_empty_pool_signs_the_empty_tree_once() -> None:
    # when
    first = log_integrate()
    second = log_integrate()
    # then
    assert (first.new_size, first.root) == (0, EMPTY_ROOT)
    assert first.checkpoint is not None
    assert second.checkpoint is None
    assert list(SignedCheckpoint.objects.values_list("size", flat=True)) == [0]


def test_integration_takes_batches_in_arrival_order(lab_key, lab_actor, lab_private_key) -> None:
    # given
    hashes = _submit(lab_actor, lab_private_key, 10)
    # when
    results = log_integrate_all(limit=4)
    # then
    assert [r.new_size for r in results] == [4, 8, 12]
    indexes = [selectors.entry_status(bytes.fromhex(h)).index for h in hashes]
    assert indexes == list(range(2, 12))  # 0 and 1: the registrar's and the lab's key statements
    assert SignedCheckpoint.objects.count() == 3


def test_resubmitting_a_pending_envelope_keeps_one_entry(lab_key, lab_actor, lab_private_key) -> None:
    # given
    envelope = signed(lab_private_key, note_statement(1))
    first = signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    # when
    again = signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    log_integrate()
    # then
    assert again == first
    assert LogEntry.objects.filter(leaf_hash=leaf_hash(envelope)).count() == 1


def test_resubmitting_a_logged_envelope_is_idempotent(lab_key, lab_actor, lab_private_key) -> None:
    # given
    envelope = signed(lab_private_key, note_statement(1))
    signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    done = log_integrate()
    # when: a client retries after a timeout
    again = signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    result = log_integrate()
    # then: the retry finds the entry where it already was, and the log did not grow
    assert again.leaf_hash == leaf_hash(envelope).hex()
    assert selectors.entry_status(leaf_hash(envelope)).index == 2
    assert result.new_size == done.new_size
    assert PendingEntry.objects.count() == 0


def test_a_correction_points_at_the_entry_it_corrects(lab_key, lab_actor, lab_private_key) -> None:
    # given
    original = _submit(lab_actor, lab_private_key, 1)[0]
    log_integrate()
    # when
    correction = signing.envelope_submit(
        actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(2, corrects=original))
    )
    log_integrate()
    # then
    corrections = list(selectors.corrections_of(bytes.fromhex(original)))
    assert [bytes(c.leaf_hash).hex() for c in corrections] == [correction.leaf_hash]
    assert LogEntry.objects.filter(leaf_hash=bytes.fromhex(original)).count() == 1


def test_a_correction_of_an_unknown_entry_is_refused(lab_key, lab_actor, lab_private_key) -> None:
    # given
    before = PendingEntry.objects.count()
    envelope = signed(lab_private_key, note_statement(2, corrects="ab" * 32))
    # when
    with pytest.raises(InvalidInput) as refused:
        signing.envelope_submit(actor=lab_actor, envelope_bytes=envelope)
    # then
    assert refused.value.code == "ledger.corrects_unknown"
    assert PendingEntry.objects.count() == before


def test_custodial_statement_is_signed_by_the_organizations_key(merchant) -> None:
    # when
    ref = signing.statement_sign_and_append(
        organization=merchant, statement=note(subject="https://x.example/01/1", facts={})
    )
    log_integrate()
    # then
    key = merchant.signing_keys.get()
    assert ref.signer_key_id == key.key_id
    entry = LogEntry.objects.get(leaf_hash=bytes.fromhex(ref.leaf_hash))
    assert (entry.statement_type, entry.subject, entry.signer_key_id) == ("test.note", "https://x.example/01/1",
                                                                         key.key_id)


def test_a_damaged_store_stops_integration_instead_of_forking(lab_key, lab_actor, lab_private_key) -> None:
    # given
    _submit(lab_actor, lab_private_key, 3)
    done = log_integrate()
    _submit(lab_actor, lab_private_key, 1, start=3)
    TreeHash.objects.filter(pk=TreeHash.objects.order_by("-id").values_list("id", flat=True)[0]).update(hash=b"\0" * 32)
    # when
    with pytest.raises(LogCorrupted) as refused:
        log_integrate()
    # then
    assert refused.value.code == "ledger.log_corrupt"
    assert LogState.objects.get().size == done.new_size
    assert SignedCheckpoint.objects.count() == 1
    assert PendingEntry.objects.count() == 1


def test_there_is_no_update_path_for_entries() -> None:
    # then: the services offer appends only, and the admin is read-only
    from django.contrib import admin

    from xinren.ledger.store.admin import LogEntryAdmin

    assert not [name for name in dir(services) if name.startswith("entry_") and name not in {"entry_append"}]
    model_admin = LogEntryAdmin(LogEntry, admin.site)
    assert model_admin.has_change_permission(None) is False  # type: ignore[arg-type]
    assert model_admin.has_delete_permission(None) is False  # type: ignore[arg-type]
    assert model_admin.has_add_permission(None) is False  # type: ignore[arg-type]


def test_statuses_of_many_entries_at_once(lab_key, lab_actor, lab_private_key) -> None:
    # given: two integrated, one pending, one unknown
    hashes = [bytes.fromhex(h) for h in _submit(lab_actor, lab_private_key, 2)]
    log_integrate()
    hashes += [bytes.fromhex(h) for h in _submit(lab_actor, lab_private_key, 1, start=2)]
    # when
    statuses = selectors.entry_statuses([*hashes, b"\0" * 32])
    # then
    assert {h: s.index for h, s in statuses.items()} == {hashes[0]: 2, hashes[1]: 3, hashes[2]: None}


def test_development_integrates_after_the_append_commits(settings, lab_key, lab_actor, lab_private_key,
                                                         django_capture_on_commit_callbacks) -> None:
    # given
    settings.XINREN_LOG_INTEGRATE_ON_COMMIT = True
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ref = signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(1)))
    # then
    assert selectors.entry_status(bytes.fromhex(ref.leaf_hash)).index == 2
    assert PendingEntry.objects.count() == 0

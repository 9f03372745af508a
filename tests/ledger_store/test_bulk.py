"""The set-based write path: pooling a batch in one statement and moving it into the log in another.

Run on SQLite (executemany) and on PostgreSQL (binary COPY, `DELETE … RETURNING` into `INSERT … SELECT`).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinren.attest import signing
from xinren.core.errors import DomainError
from xinren.ledger.hashstore import CompactRange, inclusion_proof, stored_hash_count, stored_hash_index
from xinren.ledger.merkle import leaf_hash, verify_inclusion
from xinren.ledger.store import selectors
from xinren.ledger.store.audit import log_audit
from xinren.ledger.store.hashes import DatabaseHashReader
from xinren.ledger.store.models import LogEntry, PendingEntry, TreeHash
from xinren.ledger.store.sequencer import log_integrate

from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db


def _pending_hashes() -> list[bytes]:
    return [bytes(h) for h in PendingEntry.objects.order_by("id").values_list("leaf_hash", flat=True)]


def test_a_batch_is_pooled_in_order_with_every_column(lab_key, lab_actor, lab_private_key) -> None:
    # given
    corrected = signing.envelope_submit(actor=lab_actor, envelope_bytes=signed(lab_private_key, note_statement(0)))
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(1, 4)]
    envelopes.append(signed(lab_private_key, note_statement(4, corrects=corrected.leaf_hash)))
    # when
    refs = signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    # then
    assert [r.leaf_hash for r in refs] == [leaf_hash(e).hex() for e in envelopes]
    rows = list(PendingEntry.objects.filter(statement_type="test.note").order_by("id").values_list(
        "leaf_hash", "envelope", "signer_key_id", "subject", "corrects"))
    subject = note_statement(0)["subject"]
    assert [(bytes(h), bytes(e), k, s, c if c is None else bytes(c)) for h, e, k, s, c in rows] == [
        (bytes.fromhex(corrected.leaf_hash), signed(lab_private_key, note_statement(0)), lab_key.key_id, subject, None),
        *[(leaf_hash(e), e, lab_key.key_id, subject, None) for e in envelopes[:3]],
        (leaf_hash(envelopes[3]), envelopes[3], lab_key.key_id, subject, bytes.fromhex(corrected.leaf_hash)),
    ]


def test_an_envelope_repeated_within_a_batch_is_pooled_once(lab_key, lab_actor, lab_private_key) -> None:
    # given
    one, two = (signed(lab_private_key, note_statement(n)) for n in (1, 2))
    before = _pending_hashes()
    # when
    refs = signing.envelopes_submit(actor=lab_actor, envelopes=[one, two, one])
    # then: every position is answered, and the pool holds each envelope once, in first-seen order
    assert [r.leaf_hash for r in refs] == [leaf_hash(one).hex(), leaf_hash(two).hex(), leaf_hash(one).hex()]
    assert _pending_hashes() == [*before, leaf_hash(one), leaf_hash(two)]


def test_a_batch_overlapping_the_pool_adds_only_the_new_envelopes(lab_key, lab_actor, lab_private_key) -> None:
    # given: one envelope of the batch is already pooled (a client retrying a batch that half timed out)
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(5)]
    signing.envelope_submit(actor=lab_actor, envelope_bytes=envelopes[2])
    before = _pending_hashes()
    # when
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    # then
    assert _pending_hashes() == [*before, *(leaf_hash(e) for i, e in enumerate(envelopes) if i != 2)]


def test_an_envelope_already_in_the_log_is_dropped_by_the_next_integration(
    lab_key, lab_actor, lab_private_key
) -> None:
    # given: envelope 1 is logged, then resubmitted in a batch with a new one
    first, second = (signed(lab_private_key, note_statement(n)) for n in (1, 2))
    signing.envelope_submit(actor=lab_actor, envelope_bytes=first)
    done = log_integrate()
    signing.envelopes_submit(actor=lab_actor, envelopes=[first, second])
    # when
    result = log_integrate()
    # then: only the new one became an entry, right after the old log, and the pool is empty
    assert (result.old_size, result.new_size) == (done.new_size, done.new_size + 1)
    assert selectors.entry_status(leaf_hash(first)).index == done.new_size - 1
    assert selectors.entry_status(leaf_hash(second)).index == done.new_size
    assert PendingEntry.objects.count() == 0
    assert log_audit().problem is None


def test_a_batch_with_one_bad_envelope_writes_nothing(lab_key, lab_actor, lab_private_key) -> None:
    # given: the last of three is signed by a key nobody registered
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(2)]
    envelopes.append(signed(Ed25519PrivateKey.generate(), note_statement(2)))
    before = (_pending_hashes(), LogEntry.objects.count(), TreeHash.objects.count())
    # when
    with pytest.raises(DomainError) as refused:
        signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    # then
    assert (refused.value.code, refused.value.details["position"]) == ("ledger.key_unknown", 2)
    assert (_pending_hashes(), LogEntry.objects.count(), TreeHash.objects.count()) == before


def test_integration_moves_rows_unchanged_and_numbers_stored_hashes_consecutively(
    lab_key, lab_actor, lab_private_key
) -> None:
    # given
    log_integrate()
    old_size, old_count = LogEntry.objects.count(), TreeHash.objects.count()
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(9)]
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    received = dict(PendingEntry.objects.values_list("leaf_hash", "received_at"))
    # when
    result = log_integrate()
    # then: entries carry the pending rows' bytes and arrival time, in arrival order
    entries = list(LogEntry.objects.filter(index__gte=old_size).order_by("index").values_list(
        "index", "envelope", "received_at", "leaf_hash"))
    assert [(i, bytes(e)) for i, e, _, _ in entries] == list(enumerate(envelopes, old_size))
    assert [r for _, _, r, _ in entries] == [received[h] for _, _, _, h in entries]
    # and the new stored hashes are exactly those the tree completes, numbered from the old count
    tree = CompactRange.load(old_size, DatabaseHashReader())
    expected = tree.extend(leaf_hash(e) for e in envelopes)
    assert old_count == stored_hash_count(old_size)
    assert [stored_hash_index(s.level, s.index) for s in expected] == list(range(old_count, old_count + len(expected)))
    stored = dict(TreeHash.objects.filter(id__gte=old_count).values_list("id", "hash"))
    assert {k: bytes(v) for k, v in stored.items()} == {
        stored_hash_index(s.level, s.index): s.hash for s in expected}
    assert result.root == tree.root()


def test_a_proof_reads_its_hashes_in_one_logged_query(lab_key, lab_actor, lab_private_key) -> None:
    # given: a log of 40 entries
    signing.envelopes_submit(actor=lab_actor, envelopes=[signed(lab_private_key, note_statement(n)) for n in range(38)])
    result = log_integrate()
    # when
    with CaptureQueriesContext(connection) as queries:
        path = inclusion_proof(21, result.new_size, DatabaseHashReader())
    # then: one query, visible to Django's query log on either database
    assert len(queries) == 1
    assert "ledger_treehash" in queries[0]["sql"]
    entry = LogEntry.objects.get(index=21)
    verify_inclusion(bytes(entry.leaf_hash), 21, result.new_size, path, result.root)

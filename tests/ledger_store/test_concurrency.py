"""Several integrators at once on PostgreSQL: the row lock keeps sequencing single-file."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection

from xinren.attest import signing
from xinren.ledger.checkpoint import open_checkpoint, verify_checkpoints_consistent
from xinren.ledger.store import selectors
from xinren.ledger.store.audit import log_audit
from xinren.ledger.store.log_key import log_verifier
from xinren.ledger.store.models import LogEntry, PendingEntry, SignedCheckpoint
from xinren.ledger.store.sequencer import Integration, log_integrate, log_integrate_all

from .conftest import note_statement, signed


@pytest.mark.django_db(transaction=True)
def test_concurrent_integrators_never_double_sequence(require_postgres, lab_key, lab_actor, lab_private_key) -> None:
    # given: four threads (each its own connection) that submit and integrate in turns
    results: list[Integration] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(thread: int) -> None:
        try:
            for round_ in range(5):
                start = thread * 1000 + round_ * 10
                envelopes = [signed(lab_private_key, note_statement(n)) for n in range(start, start + 10)]
                signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
                result = log_integrate(limit=7)
                with lock:
                    results.append(result)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.extend(log_integrate_all())
    # then
    assert failures == []
    assert PendingEntry.objects.count() == 0
    indexes = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(202))  # registrar + lab key statements + 4 × 5 × 10 reports
    grew = sorted((r.old_size, r.new_size) for r in results if r.integrated)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(grew))
    sizes = list(SignedCheckpoint.objects.order_by("size").values_list("size", flat=True))
    assert len(sizes) == len(set(sizes))
    verifier = log_verifier()
    checkpoints = [open_checkpoint(c.note, verifier).checkpoint for c in SignedCheckpoint.objects.order_by("size")]
    for old, new in itertools.pairwise(checkpoints):
        _, _, path = selectors.consistency_proof_get(first=old.size, second=new.size)
        verify_checkpoints_consistent(old, new, path)
    assert log_audit().problem is None

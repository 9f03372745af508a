"""The reconciliation split over workers finds what the one-process pass finds (attest.audit, `workers`).

Forked workers open their own connections and cannot see a test's transaction, so here the pool is replaced by
one that runs each chunk at once, in this process: what is tested is how the rows are cut into key ranges, handed
out and their findings put back together. The bench (bench/ledger/audit_two_way.py --tamper) runs the real pool.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest

from tests.attest.test_tamper import delete_lab_report, edit_event_document, roll_back_profile
from tests.fixtures.immutable import tampering
from xinren.attest import audit
from xinren.attest.audit import EDITED, MISSING, STALE, records_reconcile
from xinren.attest.records import signed_records
from xinren.demo.loader import DemoWorld
from xinren.ledger.store import audit as ledger_audit
from xinren.ledger.store.sequencer import log_integrate_all


class _InlinePool:
    """A stand-in for the process pool: runs each task when it is submitted."""

    def __init__(self, workers: int, **_options: Any) -> None:
        self.tasks = 0

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        self.tasks += 1
        future: Future[Any] = Future()
        future.set_result(function(*args))
        return future

    def shutdown(self, cancel_futures: bool = False) -> None:
        pass


def test_workers_are_used_only_where_they_see_the_same_rows(db: None) -> None:
    # a test runs inside a transaction that other connections cannot see
    assert audit._workers_see_this_connection() is False


def test_chunks_in_workers_find_what_one_pass_finds(demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a demo with an edited event, a deleted lab report and a rolled-back cold-chain range
    log_integrate_all()
    with tampering():
        edit_event_document()
        delete_lab_report()
        roll_back_profile()
    one_pass = records_reconcile(workers=1)
    # when the rows are handed out in chunks of 7 to "workers"
    monkeypatch.setattr(audit, "_workers_see_this_connection", lambda: True)
    monkeypatch.setattr(audit, "ProcessPoolExecutor", _InlinePool)
    lines: list[str] = []
    in_workers = records_reconcile(workers=3, chunk=7, progress=lines.append)
    # then every row is checked once and the same problems are found
    assert {EDITED, MISSING, STALE} <= {problem.kind for problem in one_pass.problems}
    assert in_workers.problems == one_pass.problems
    assert (in_workers.rows, in_workers.entries) == (one_pass.rows, one_pass.entries)
    # and progress is told record by record, in order, as the chunks come back
    labels = [record.label for record in signed_records()]
    told = [line.split(":")[0] for line in lines]
    assert len(told) > 1 and told == sorted(told, key=labels.index)
    assert lines[-1].endswith(f": {in_workers.rows} rows")


def test_the_log_audits_workers_find_what_one_pass_finds(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the same tampering, checked by the separate pass in one process
    log_integrate_all()
    with tampering():
        edit_event_document()
        delete_lab_report()
        roll_back_profile()
    one_pass = records_reconcile(workers=1)
    # when `xinren ledger audit` checks the rows inside the log audit's batches, handed out to "workers"
    monkeypatch.setattr(audit, "_workers_see_this_connection", lambda: True)
    monkeypatch.setattr(ledger_audit, "ProcessPoolExecutor", _InlinePool)
    monkeypatch.setattr(audit, "ProcessPoolExecutor", _InlinePool)
    monkeypatch.setattr(ledger_audit, "_BATCH", 5)
    log, fused = audit.audit_two_way(workers=3, chunk=7)
    # then the log holds, and the rows' findings are the same, from as many rows and entries
    assert log.ok, log.problem
    assert fused.problems == one_pass.problems
    assert (fused.rows, fused.entries) == (one_pass.rows, one_pass.entries)
    # and the entries of every record with an indexed leaf hash were checked in the log audit's pass
    assert "trace.event" in {record.statement_type.name for record in signed_records() if audit._fusable(record)}

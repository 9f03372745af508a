"""`xinren ledger audit` with two-way reconciliation over N domain entries (default 1M), as a ratio to the log-only
audit in the same run (issue 11: goal ≤ 1.5×).

The log is built in bulk as `audit_time.py` builds it, but its entries are real domain statements with rows:
`trace.event` statements (one EPCIS 2.0 ObjectEvent each, ~600 bytes, as `trace.services` signs them) signed by a
third-party key that is registered in the log's key directory *and* to a merchant organization (an attest
`SigningKey` row, so the reconciliation finds who signed), and for each entry the `trace_traceevent` row that
restates it, its `ledger_leaf_hash` the entry's leaf hash. Trace events are what the log mostly holds (every
capture of every lot); the other signed records are declared and scanned too, with no rows.

Then, in one run: `log_audit(workers=W)` alone (the baseline), then `audit_two_way(workers=W)` — what `xinren ledger
audit` does: the log audit with the rows checked in its own pass, then what that pass cannot see — and the ratio of
the two. With `--separate`, the earlier protocol instead: `log_audit` again followed by `records_reconcile` (the
rows checked in a pass of their own, reading every statement a second time). The reconciliation
must find no problem on the clean build; with `--tamper` the run then lifts the triggers (as the tamper suite's
`tampering()` does), edits one event document and deletes another row, and requires the reconciliation to report
exactly those two.

Usage: python bench/ledger/audit_two_way.py --db sqlite|postgres [--entries 1000000] [--workers 2] [--reuse]
       [--separate [--once] [--skip-log]] [--tamper] [--profile FILE] [--build-only]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CHECKPOINT_CHUNK, ROOT, bench_private_key, log_chunk_write, use_database

CHUNK = CHECKPOINT_CHUNK  # (common.py: a checkpoint every 100k entries)
GTIN = "06901234567892"
EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))
STEPS = (("commissioning", "active", "ADD"), ("shipping", "in_transit", "OBSERVE"),
         ("receiving", "in_progress", "OBSERVE"), ("retail_selling", "retail_sold", "OBSERVE"))


def event_document(n: int) -> dict[str, Any]:
    """The n-th EPCIS event: an item (one of 250k serials) at one of four steps, a minute apart."""
    step, disposition, action = STEPS[n % len(STEPS)]
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": (EPOCH + timedelta(minutes=n)).astimezone(SHANGHAI).isoformat(timespec="seconds"),
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"https://id.gs1.org/01/{GTIN}/21/S{n // len(STEPS):07d}"],
        "action": action,
        "bizStep": step,
        "disposition": disposition,
        "readPoint": {"id": f"urn:epc:id:sgln:6901234.00{n % 7:03d}.0"},
        "bizLocation": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "bizTransactionList": [{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:6901234000017:{n // 40}"}],
        "ilmd": {"cbvmda:countryOfOrigin": "CN"} if step == "commissioning" else {},
        "sensorElementList": [{"sensorMetadata": {"time": "2026-03-01T08:00:00+08:00"}, "sensorReport": [
            {"type": "gs1:Temperature", "value": 4.0 + (n % 20) / 10, "uom": "CEL"}]}],
    }


def _generate(args: tuple[int, int, str, str]) -> list[tuple[bytes, str, str, str, str, str, str, str, str]]:
    """Worker: for events start..stop, the signed envelope and what the row stores."""
    from xinren.ledger.dsse import sign_envelope
    from xinren.ledger.store.services import statement_bytes
    from xinren.trace.statements import event_statement

    start, stop, key_id, recorder = args
    key = bench_private_key()
    out = []
    for n in range(start, stop):
        document = event_document(n)
        statement = event_statement(document=document, recorder=recorder)
        envelope = sign_envelope(statement_bytes(statement), key=key, keyid=key_id).to_json()
        out.append((envelope, statement["subject"], document["eventID"], document["eventTime"],
                    document["action"], document["bizStep"], document["disposition"], document["readPoint"]["id"],
                    json.dumps(document, ensure_ascii=False, separators=(",", ":"))))
    return out


def set_up() -> tuple[str, int]:
    """A merchant organization whose own key (registered in the log and to the organization) signs the events."""
    from xinren.accounts.choices import OrganizationKind
    from xinren.accounts.models import Organization
    from xinren.attest.keys import owner_of
    from xinren.attest.models import SigningKey
    from xinren.ledger.store.sequencer import log_integrate
    from xinren.ledger.store.services import key_register

    organization = Organization.objects.create(
        name="基准测试茶园", slug="bench-tea", kind=OrganizationKind.MERCHANT, uscc="91330100MA2BENCH01")
    public = bench_private_key().public_key().public_bytes_raw()
    record = key_register(public_key=public, owner=owner_of(organization), custodial=False)
    log_integrate()
    SigningKey.objects.create(organization=organization, key_id=record.key_id, public_key=public, label="bench")
    return record.key_id, organization.pk


def build(entries: int, key_id: str, organization: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone as django_timezone

    from xinren.ledger.hashstore import CompactRange, stored_hash_index
    from xinren.ledger.merkle import leaf_hash
    from xinren.ledger.store.hashes import DatabaseHashReader
    from xinren.ledger.store.models import LogState
    from xinren.trace.models import TraceEvent

    started = time.time()
    base = LogState.objects.get().size
    tree = CompactRange.load(base, DatabaseHashReader())
    now = connection.ops.adapt_datetimefield_value(django_timezone.now())
    recorder = f"org:{organization}"
    table = connection.ops.quote_name(TraceEvent._meta.db_table)
    insert_event = (
        f"INSERT INTO {table} (created_at, updated_at, event_id, is_error_declaration, organization_id, event_type,"
        " action, biz_step, disposition, event_time, event_time_zone_offset, record_time, read_point, biz_location,"
        " ledger_leaf_hash, document, context) VALUES"
        " (%s, %s, %s, %s, %s, 'ObjectEvent', %s, %s, %s, %s, '+08:00', %s, %s, %s, %s, %s, '[]')"
    )
    ranges = [(n, min(n + CHUNK, entries), key_id, recorder) for n in range(0, entries, CHUNK)]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        for part in pool.imap(_generate, ranges):
            rows, hashes, events = [], [], []
            for envelope, subject, event_id, event_time, action, step, disposition, read_point, document in part:
                leaf = leaf_hash(envelope)
                rows.append((tree.size, leaf, envelope, key_id, "trace.event", subject, None, now, now))
                moment = connection.ops.adapt_datetimefield_value(datetime.fromisoformat(event_time))
                events.append((now, now, event_id, False, organization, action, step, disposition, moment, now,
                               read_point, "urn:epc:id:sgln:6901234.00001.0", leaf.hex(), document))
                hashes.extend((stored_hash_index(s.level, s.index), s.hash) for s in tree.append(leaf))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert_event, events)
                log_chunk_write(cursor, tree, rows, hashes, last=tree.size == base + entries)
            if tree.size % 100_000 < CHUNK:
                print(f"  {tree.size} entries", file=sys.stderr, flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.time() - started


def tamper() -> dict[str, Any]:
    """Edit one event's document and delete another event with the triggers lifted; the audit must name both.
    Both rows are put back afterwards (the same way), so that the database can be reused."""
    from django.db import transaction

    from xinren.attest.audit import audit_two_way, records_reconcile
    from xinren.trace.models import TraceEvent

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.immutable import tampering  # the tamper suite's way of lifting the triggers

    ids = TraceEvent.objects.order_by("pk").values_list("pk", flat=True)
    first, last = ids[:1][0], ids.reverse()[:1][0]
    edited, deleted = first + (last - first) // 3, first + 2 * (last - first) // 3
    original = TraceEvent.objects.get(pk=edited).document
    gone = TraceEvent.objects.filter(pk=deleted).values()[0]
    with transaction.atomic(), tampering():
        TraceEvent.objects.filter(pk=edited).update(document={**original, "disposition": "damaged"})
        TraceEvent.objects.filter(pk=deleted).delete()
    report = records_reconcile()
    _log, fused = audit_two_way()
    with transaction.atomic(), tampering():
        TraceEvent.objects.filter(pk=edited).update(document=original)
        TraceEvent.objects.bulk_create([TraceEvent(**gone)])
    found = [(problem.kind, problem.row, problem.index) for problem in report.problems]
    assert fused.problems == report.problems, (fused.problems, report.problems)
    caught = sorted(kind for kind, _row, _index in found) == ["edited", "missing"] and ("edited", edited) in [
        (kind, row) for kind, row, _index in found]
    return {"edited_row": edited, "deleted_row": deleted, "found": found, "caught": caught,
            "seconds": round(report.seconds, 1)}


def timed(function: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """What `function` returns, its wall-clock seconds and the CPU seconds it took (this process and its workers,
    which the pools have joined by the time it returns)."""
    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    wall, before = time.monotonic(), cpu()
    result = function(**kwargs)
    return result, round(time.monotonic() - wall, 1), round(cpu() - before, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run of this size")
    parser.add_argument("--tamper", action="store_true", help="afterwards, tamper with two rows and audit again")
    parser.add_argument("--build-only", action="store_true", help="build the database only (for --reuse)")
    parser.add_argument("--separate", action="store_true",
                        help="time the log audit and then records_reconcile (the separate pass) instead")
    parser.add_argument("--once", action="store_true",
                        help="run the log audit once: two-way = that run + the reconciliation (saves a log audit)")
    parser.add_argument("--skip-log", action="store_true", help="time the reconciliation alone (profiling)")
    parser.add_argument("--profile", help="write a cProfile of the reconciliation to this file")
    args = parser.parse_args()
    use_database(args.db, f"twoway{args.entries}", fresh=not args.reuse)
    build_seconds = 0.0
    if not args.reuse:
        key_id, organization = set_up()
        from django.db import connection

        connection.close()  # the pool forks; children must not share the connection
        build_seconds = build(args.entries, key_id, organization)
    if args.build_only:
        print(json.dumps({"db": args.db, "entries": args.entries, "build_seconds": round(build_seconds, 1)}))
        return
    from xinren.attest.audit import audit_two_way, records_reconcile
    from xinren.ledger.store.audit import log_audit

    result: dict[str, Any] = {"db": args.db, "workers": args.workers, "build_seconds": round(build_seconds, 1),
                              "load_before": round(os.getloadavg()[0], 1)}
    if not args.separate:
        baseline, result["log_only_seconds"], result["log_only_cpu"] = timed(log_audit, workers=args.workers)
        assert baseline.ok, baseline.problem
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            (log, report) = profiler.runcall(audit_two_way, workers=args.workers)
            profiler.dump_stats(args.profile)
        else:
            (log, report), result["two_way_seconds"], result["two_way_cpu"] = timed(
                audit_two_way, workers=args.workers)
            result["ratio"] = round(result["two_way_seconds"] / result["log_only_seconds"], 2)
            result["cpu_ratio"] = round(result["two_way_cpu"] / result["log_only_cpu"], 2)
        assert log.ok, log.problem
        result["entries"] = log.entries
        result["rows"], result["domain_entries"], result["problems"] = report.rows, report.entries, len(report.problems)
        assert report.consistent, report.problems[:5]
        result["load_after"] = round(os.getloadavg()[0], 1)
        if args.tamper:
            result["tamper"] = tamper()
            assert result["tamper"]["caught"], result["tamper"]
        print(json.dumps(result))
        return
    if not args.skip_log:
        baseline, result["log_only_seconds"], result["log_only_cpu"] = timed(log_audit, workers=args.workers)
        result["entries"] = baseline.entries
        assert baseline.ok, baseline.problem
        if not args.once:
            second, result["log_again_seconds"], result["log_again_cpu"] = timed(log_audit, workers=args.workers)
            assert second.ok, second.problem
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        report = profiler.runcall(records_reconcile, workers=args.workers)
        profiler.dump_stats(args.profile)
    else:
        report, result["reconcile_seconds"], result["reconcile_cpu"] = timed(records_reconcile, workers=args.workers)
    result["rows"], result["domain_entries"], result["problems"] = report.rows, report.entries, len(report.problems)
    assert report.consistent, report.problems[:5]
    if not args.skip_log and not args.profile:
        log_again = result.get("log_again_seconds", result["log_only_seconds"])
        log_again_cpu = result.get("log_again_cpu", result["log_only_cpu"])
        result["two_way_seconds"] = round(log_again + result["reconcile_seconds"], 1)
        result["ratio"] = round(result["two_way_seconds"] / result["log_only_seconds"], 2)
        # the same ratio in CPU seconds (all processes of the benchmark; PostgreSQL's own are not counted): what
        # the wall-clock ratio would be on cores that nobody else uses
        result["cpu_ratio"] = round((log_again_cpu + result["reconcile_cpu"]) / result["log_only_cpu"], 2)
    result["load_after"] = round(os.getloadavg()[0], 1)
    if args.tamper:
        result["tamper"] = tamper()
        assert result["tamper"]["caught"], result["tamper"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()

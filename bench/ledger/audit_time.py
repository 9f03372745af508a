"""`audit` time for a log of N signed entries (default 1M).

The log is built in bulk: the registrar's and the benchmark key's statements go through the services,
then N envelopes are signed in worker processes and inserted with their stored hashes and a signed
checkpoint every 100k entries, as integrations would have left them. Then `log_audit(workers=…)` re-reads
everything: rehash, rebuild the tree, compare every stored hash, verify every checkpoint and signature.

Usage: python bench/ledger/audit_time.py --db sqlite|postgres [--entries 1000000] [--workers 2] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CHECKPOINT_CHUNK, log_chunk_write, make_envelopes, register_bench_key, use_database

CHUNK = CHECKPOINT_CHUNK  # (common.py: a checkpoint every 100k entries)


def _generate(args: tuple[int, int]) -> list[bytes]:
    return make_envelopes(*args, size=600)


def build(entries: int, key_id: str) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from xinren.ledger.hashstore import CompactRange, stored_hash_index
    from xinren.ledger.merkle import leaf_hash
    from xinren.ledger.store.hashes import DatabaseHashReader
    from xinren.ledger.store.models import LogState

    started = time.time()
    base = LogState.objects.get().size
    tree = CompactRange.load(base, DatabaseHashReader())
    now = timezone.now()
    ranges = [(n, min(n + CHUNK, entries)) for n in range(0, entries, CHUNK)]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        for part in pool.imap(_generate, ranges):
            rows, hashes = [], []
            for envelope in part:
                leaf = leaf_hash(envelope)
                rows.append((tree.size, leaf, envelope, key_id, "lab.report",
                             f"https://xinren.example/01/06901234567892/21/{tree.size - base}", None, now, now))
                hashes.extend((stored_hash_index(s.level, s.index), s.hash) for s in tree.append(leaf))
            with transaction.atomic(), connection.cursor() as cursor:
                log_chunk_write(cursor, tree, rows, hashes, last=tree.size == base + entries)
            if tree.size % 100_000 < CHUNK:
                print(f"  {tree.size} entries", file=sys.stderr, flush=True)
    return time.time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    use_database(args.db, f"audit{args.entries}", fresh=not args.reuse)
    build_seconds = 0.0
    if not args.reuse:
        key_id = register_bench_key()
        from django.db import connection

        connection.close()  # the pool forks; children must not share the connection
        build_seconds = build(args.entries, key_id)
    from xinren.ledger.store.audit import log_audit

    report = log_audit(workers=args.workers)
    print(json.dumps({"db": args.db, "entries": report.entries, "build_seconds": round(build_seconds, 1),
                      "audit_seconds": round(report.seconds, 1), "workers": args.workers,
                      "signatures": report.signatures, "checkpoints": report.checkpoints,
                      "problem": None if report.problem is None else report.problem.message}))


if __name__ == "__main__":
    main()

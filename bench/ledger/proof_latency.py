"""Inclusion-proof latency as the log grows: stored hashes built in bulk with CompactRange, then timed.

The tree is built directly (synthetic leaf hashes, `CompactRange.extend`, one bulk insert of the stored
hashes, a signed checkpoint), which reaches 10M entries in minutes; proofs are then served exactly as
the /log/proof/inclusion view serves them: `inclusion_proof(index, size, DatabaseHashReader())`, one
query. A database is kept per size (var/bench or PostgreSQL) and reused with --reuse.

Usage: python bench/ledger/proof_latency.py --db sqlite|postgres --size 1000000 [--proofs 5000] [--reuse]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import use_database


def build(size: int, vendor: str) -> float:
    from django.db import connection, transaction

    from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
    from xinren.ledger.hashstore import CompactRange, stored_hash_index
    from xinren.ledger.store.log_key import log_origin, log_signer
    from xinren.ledger.store.models import LogState, SignedCheckpoint

    started = time.time()
    tree = CompactRange()
    step = 250_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, size, step):
            stored = tree.extend(hashlib.sha256(b"%d" % n).digest() for n in range(start, min(size, start + step)))
            rows = [(stored_hash_index(s.level, s.index), s.hash) for s in stored]
            if vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3: COPY is an order of magnitude faster than INSERT
                with raw.copy("COPY ledger_treehash (id, hash) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany("INSERT INTO ledger_treehash (id, hash) VALUES (%s, %s)", rows)
            print(f"  {min(size, start + step)} leaves", file=sys.stderr, flush=True)
        root = tree.root()
        note = sign_checkpoint(Checkpoint(log_origin(), size, root), log_signer())
        SignedCheckpoint.objects.create(size=size, root=root, note=note)
        LogState.objects.update_or_create(pk=1, defaults={"size": size, "root": root})
    if vendor == "postgresql":
        # What autovacuum does to a live log; left to autovacuum, it would run during the measurement.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) ledger_treehash")
    return time.time() - started


def measure(size: int, proofs: int) -> dict[str, float]:
    from xinren.ledger.hashstore import inclusion_proof
    from xinren.ledger.merkle import verify_inclusion
    from xinren.ledger.store.hashes import DatabaseHashReader
    from xinren.ledger.store.models import SignedCheckpoint

    root = bytes(SignedCheckpoint.objects.get(size=size).root)
    reader = DatabaseHashReader()
    rng = random.Random(7)
    for _ in range(200):  # warm the connection and the page cache
        inclusion_proof(rng.randrange(size), size, reader)
    timings = []
    for _ in range(proofs):
        index = rng.randrange(size)
        t = time.perf_counter()
        path = inclusion_proof(index, size, reader)
        timings.append(time.perf_counter() - t)
    verify_inclusion(hashlib.sha256(b"%d" % index).digest(), index, size, path, root)
    timings.sort()
    return {"p50_ms": round(timings[len(timings) // 2] * 1000, 3),
            "p99_ms": round(timings[int(len(timings) * 0.99) - 1] * 1000, 3),
            "max_ms": round(timings[-1] * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true", help="keep the database built by an earlier run")
    args = parser.parse_args()
    use_database(args.db, f"proof{args.size}", fresh=not args.reuse)
    from django.db import connection

    build_seconds = 0.0 if args.reuse else build(args.size, connection.vendor)
    result = {"db": args.db, "size": args.size, "build_seconds": round(build_seconds, 1),
              **measure(args.size, args.proofs)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

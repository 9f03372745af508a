"""Shared set-up of the ledger benchmarks: a fresh database (SQLite file or PostgreSQL), Django, keys.

The database is chosen before Django starts: `use_database("sqlite")` makes var/bench/ledger-<name>.sqlite3,
`use_database("postgres")` makes a fresh database xinren_bench_ledger_<name> on 127.0.0.1:5432.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")

OWNER = "org:bench"
SEED = hashlib.sha256(b"xinren ledger benchmark key").digest()


def database_url(kind: str, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'ledger-{name}.sqlite3'}"
    return f"{PG_URL}/xinren_bench_ledger_{name}"


def use_database(kind: str, name: str, *, fresh: bool) -> None:
    """Point Django at the benchmark database (recreated when `fresh`) and set Django up."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url(kind, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    if fresh and kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    if fresh and kind == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS xinren_bench_ledger_{name}")
            conn.execute(f"CREATE DATABASE xinren_bench_ledger_{name}")
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def bench_private_key():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(SEED)


def register_bench_key() -> str:
    from xinren.ledger.store.sequencer import log_integrate
    from xinren.ledger.store.services import key_register

    key = bench_private_key()
    record = key_register(public_key=key.public_key().public_bytes_raw(), owner=OWNER, custodial=False)
    log_integrate()
    return record.key_id


def make_envelopes(start: int, stop: int, size: int = 600) -> list[bytes]:
    """Third-party-signed envelopes whose statements are about `size` bytes (signed client-side)."""
    from xinren.ledger.dsse import key_id_for, sign_envelope
    from xinren.ledger.store.services import statement_bytes

    key = bench_private_key()
    key_id = key_id_for(key.public_key())
    out = []
    for n in range(start, stop):
        statement = {"type": "lab.report", "subject": f"https://xinren.example/01/06901234567892/21/{n}",
                     "time": "2026-11-22T10:00:00+08:00", "facts": {"n": n, "pad": ""}}
        pad = size - len(statement_bytes(statement))
        statement["facts"]["pad"] = "x" * max(0, pad)
        out.append(sign_envelope(statement_bytes(statement), key=key, keyid=key_id).to_json())
    return out


def log_chunk_write(cursor, tree, rows, hashes, *, last: bool) -> None:  # type: ignore[no-untyped-def]
    """Insert a chunk of log entries and their stored hashes as integrations leave them, with a signed checkpoint
    every 100k entries and at the end (`tree` is the CompactRange the entries were appended to)."""
    from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
    from xinren.ledger.store.log_key import log_origin, log_signer
    from xinren.ledger.store.models import LogState, SignedCheckpoint

    cursor.executemany(
        'INSERT INTO ledger_logentry ("index", leaf_hash, envelope, signer_key_id, statement_type,'
        " subject, corrects, received_at, integrated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )
    cursor.executemany("INSERT INTO ledger_treehash (id, hash) VALUES (%s, %s)", hashes)
    if tree.size % 100_000 < CHECKPOINT_CHUNK or last:
        root = tree.root()
        note = sign_checkpoint(Checkpoint(log_origin(), tree.size, root), log_signer())
        SignedCheckpoint.objects.create(size=tree.size, root=root, note=note)
        LogState.objects.filter(pk=1).update(size=tree.size, root=root)


# The builders' chunk size: a checkpoint lands in the chunk that crosses each 100k boundary.
CHECKPOINT_CHUNK = 10_000

"""Run as a script by test_crash.py: `setup`, `burst` (killed with SIGKILL midway) or `finish`.

The database comes from DATABASE_URL (a SQLite file of the test's own). `burst` prints each leaf hash
only after its append returned, i.e. after the pending row committed: those are the acknowledged ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")

import django

django.setup()

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from django.core.management import call_command  # noqa: E402

from xinren.ledger.dsse import key_id_for, sign_envelope  # noqa: E402
from xinren.ledger.store import services  # noqa: E402
from xinren.ledger.store.audit import log_audit  # noqa: E402
from xinren.ledger.store.models import LogEntry  # noqa: E402
from xinren.ledger.store.sequencer import log_integrate, log_integrate_all  # noqa: E402

OWNER = "org:1"
PRIVATE = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"crash test key").digest())


def main(command: str) -> None:
    if command == "setup":
        call_command("migrate", verbosity=0)
        services.key_register(public_key=PRIVATE.public_key().public_bytes_raw(), owner=OWNER, custodial=False)
        log_integrate()
    elif command == "burst":
        key_id = key_id_for(PRIVATE.public_key())
        for n in range(100_000):
            statement = {"type": "trace.event", "subject": f"https://x.example/01/{n}", "n": n}
            envelope = sign_envelope(services.statement_bytes(statement), key=PRIVATE, keyid=key_id).to_json()
            pending = services.envelope_submit(envelope_bytes=envelope, owner=OWNER)
            print(pending.leaf_hash, flush=True)
            if n % 20 == 19:
                log_integrate()
    elif command == "finish":
        log_integrate_all()
        report = log_audit()
        leaves = [bytes(h).hex() for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
        problem = None if report.problem is None else report.problem.message
        print(json.dumps({"leaves": leaves, "problem": problem, "size": report.size}))


if __name__ == "__main__":
    main(sys.argv[1])

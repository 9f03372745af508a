"""(a) Raw Ed25519 verification rate for 600-byte messages on all cores (one process per core).

Usage: python bench/ledger/ed25519_rate.py [--seconds 10] [--processes N]
Prints one JSON line: {"processes", "seconds", "verifications", "rate_per_s"}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _worker(seconds: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    messages = [os.urandom(600) for _ in range(64)]
    signed = [(m, key.sign(m)) for m in messages]
    count = 0
    started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for message, signature in signed:
            public.verify(signature, message)
        count += len(signed)
    results.put((count, time.process_time() - started))


def measure(seconds: float, processes: int) -> dict[str, float]:
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=_worker, args=(seconds, results)) for _ in range(processes)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    counts = [results.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    total, cpu = sum(c for c, _ in counts), sum(s for _, s in counts)
    # CPU time per verification does not depend on other load; the rate does.
    return {"processes": processes, "seconds": round(elapsed, 2), "verifications": total,
            "rate_per_s": round(total / seconds), "cpu_us_per_verification": round(cpu / total * 1e6, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(json.dumps(measure(args.seconds, args.processes)))

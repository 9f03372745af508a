"""(b) End-to-end rate of third-party-signed statements through the batch submit path until provable.

Submitter processes push pre-signed envelopes through `envelopes_submit` (strict parsing, key lookup,
signature check, pending insert) in batches; one sequencer process runs `log_integrate` in a loop
(stored hashes, entries, signed checkpoint). The rate counted is entries *integrated* (inclusion proof
available) per second over the window; the backlog left at the end shows whether it was sustained.

Usage: python bench/ledger/submit_rate.py --db sqlite|postgres [--seconds 60] [--submitters N] [--batch 1000]
       [--interval 0.25] [--baseline-seconds 10]
The run is bracketed by (a), the raw Ed25519 rate on all cores (ed25519_rate.py), measured right before and
right after the window: this VM's verification speed drifts by up to a third within minutes, so `b_over_a`
divides by the mean of the two and `b_over_a_range` gives the ratio against each. Inside the window each
submitter also times 8 raw verifications of 600-byte messages after every batch (its own CPU time, <1 % of
the work, not counted as submitter cost): `a_in_window_per_s` is the rate (a) would measure at the speed the
cores had during the window, and `b_over_a_in_window` the ratio against it.
Besides the rates it prints the CPU time per entry of each part (submitters, sequencer, PostgreSQL
backends): unlike the rates, those do not depend on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OWNER, make_envelopes, register_bench_key, use_database
from ed25519_rate import measure as ed25519_measure


def _generate(args: tuple[int, int]) -> list[bytes]:
    return make_envelopes(*args)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process on this machine (a PostgreSQL backend, say), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[int, int]:
    """(all, idle) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _probe_material():  # type: ignore[no-untyped-def]
    """(public key, [(600-byte message, signature)]) for the in-window verification probe, as in (a)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    messages = [os.urandom(600) for _ in range(8)]
    return key.public_key(), [(m, key.sign(m)) for m in messages]


def _submitter(envelopes: list[bytes], batch: int, seconds: float, ready, counter, cpu, probes) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from xinren.ledger.store.services import envelopes_submit

    connection.close()
    backend = _backend_pid()
    ready.wait()
    stop_at = time.time() + seconds
    probe_key, probe_signed = _probe_material()
    probe_cpu = 0.0
    probe_count = 0
    started, backend_started = time.process_time(), 0.0 if backend is None else _cpu_seconds(backend)
    for start in range(0, len(envelopes), batch):
        if time.time() >= stop_at:
            break
        envelopes_submit(envelopes=envelopes[start : start + batch], owner=OWNER)
        with counter.get_lock():
            counter.value += len(envelopes[start : start + batch])
        # The in-window probe: a few raw verifications, timed in this process's CPU time (<1 % of the work).
        t = time.process_time()
        for message, signature in probe_signed:
            probe_key.verify(signature, message)
        probe_cpu += time.process_time() - t
        probe_count += len(probe_signed)
    cpu.append(("submitters", time.process_time() - started - probe_cpu))
    probes.append((probe_cpu, probe_count))
    if backend is not None:
        cpu.append(("database (submitters)", _cpu_seconds(backend) - backend_started))


def _sequencer(seconds: float, ready, timeline, limit: int, interval: float, cpu) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from xinren.ledger.store.sequencer import log_integrate

    connection.close()
    backend = _backend_pid()
    ready.wait()
    stop_at = time.time() + seconds
    started, backend_started = time.process_time(), 0.0 if backend is None else _cpu_seconds(backend)
    while time.time() < stop_at:
        result = log_integrate(limit=limit)
        timeline.append((time.time(), result.new_size))
        if interval or not result.integrated:
            time.sleep(interval or 0.02)
    cpu.append(("sequencer", time.process_time() - started))
    if backend is not None:
        cpu.append(("database (sequencer)", _cpu_seconds(backend) - backend_started))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    # As many submitters as the deployed gunicorn has workers (2 × cores + 1): a submitter waiting for the
    # write lock or its commit leaves its core to another.
    parser.add_argument("--submitters", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=8192, help="entries per integration (checkpoint)")
    parser.add_argument("--interval", type=float, default=0.25,
                        help="seconds the sequencer sleeps between integrations (production: --interval 1)")
    parser.add_argument("--envelopes", type=int, default=0, help="how many to pre-sign (default: enough)")
    parser.add_argument("--baseline-seconds", type=float, default=10,
                        help="length of each (a) run before and after the window (0: none)")
    args = parser.parse_args()
    use_database(args.db, "submit", fresh=True)
    register_bench_key()
    from django.db import connection

    from xinren.ledger.store.models import LogEntry, PendingEntry
    from xinren.ledger.store.selectors import inclusion_proof_get, log_size

    count = args.envelopes or int(args.seconds * 20_000)
    started = time.time()
    chunks = [(n, min(n + 5000, count)) for n in range(0, count, 5000)]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        envelopes = [e for part in pool.map(_generate, chunks) for e in part]
    signing = time.time() - started
    base = log_size()
    connection.close()
    # Before forking, as CPython's gc documentation advises for pre-forked servers (and a preloaded
    # gunicorn should do): the collector in the children then never rescans Django's startup objects
    # or the pre-signed input, which otherwise costs ~10 µs per entry.
    gc.freeze()
    manager = multiprocessing.Manager()
    timeline = manager.list()
    cpu = manager.list()
    probes = manager.list()
    counter = multiprocessing.Value("q", 0)
    share = len(envelopes) // args.submitters
    # Every process is forked and connected before the window opens (forking this large a process takes
    # a noticeable fraction of a second): the window measures warm processes only.
    ready = multiprocessing.Barrier(args.submitters + 2)
    cores = os.cpu_count() or 1
    before = ed25519_measure(args.baseline_seconds, cores) if args.baseline_seconds else None
    procs = [multiprocessing.Process(target=_submitter, args=(envelopes[i * share:(i + 1) * share], args.batch,
                                                             args.seconds, ready, counter, cpu, probes))
             for i in range(args.submitters)]
    procs.append(multiprocessing.Process(target=_sequencer, args=(args.seconds, ready, timeline, args.limit,
                                                                  args.interval, cpu)))
    for p in procs:
        p.start()
    ready.wait()
    machine_before = _machine_busy()
    t0 = time.time()
    stop_at = t0 + args.seconds
    for p in procs:
        p.join()
    elapsed = time.time() - t0
    machine_after = _machine_busy()
    after = ed25519_measure(args.baseline_seconds, cores) if args.baseline_seconds else None
    final = [size for t, size in timeline if t <= stop_at]
    # Entries provable by the end of each 10 s slice of the window: a sustained rate stays level.
    slices = []
    for end in range(10, int(args.seconds) + 1, 10):
        upto = [size for t, size in timeline if t <= t0 + end]
        slices.append(max(upto) if upto else base)
    per_slice = [round((b - a) / 10) for a, b in zip([base, *slices[:-1]], slices, strict=True)]
    integrated = (max(final) if final else base) - base
    accepted = counter.value
    backlog = PendingEntry.objects.count()
    size = LogEntry.objects.count()
    samples = []
    for index in random.sample(range(size), min(200, size)):
        t = time.perf_counter()
        inclusion_proof_get(index=index)
        samples.append(time.perf_counter() - t)
    samples.sort()
    spent: dict[str, float] = {}
    for part, seconds in cpu:
        spent[part] = spent.get(part, 0.0) + seconds
    rate = integrated / args.seconds
    probe_cpu, probe_count = sum(p[0] for p in probes), sum(p[1] for p in probes)
    probe_us = probe_cpu / max(probe_count, 1) * 1e6
    # What (a) would measure at this machine's speed during the window: every core verifying full time.
    in_window = cores * 1e6 / probe_us if probe_us else 0.0
    baseline: dict[str, object] = {
        "probe_cpu_us_per_verification": round(probe_us, 1),
        "a_in_window_per_s": round(in_window),
        "b_over_a_in_window": round(rate / in_window, 3) if in_window else None,
    }
    if before is not None and after is not None:
        baseline |= {
            "a_before_per_s": before["rate_per_s"], "a_after_per_s": after["rate_per_s"],
            "a_cpu_us_per_verification": [before["cpu_us_per_verification"], after["cpu_us_per_verification"]],
            "b_over_a": round(rate / ((before["rate_per_s"] + after["rate_per_s"]) / 2), 3),
            "b_over_a_range": sorted(round(rate / a["rate_per_s"], 3) for a in (before, after)),
        }
    print(json.dumps({
        "db": args.db, "seconds": round(elapsed, 1), "submitters": args.submitters, "batch": args.batch,
        "interval": args.interval,
        "presign_seconds": round(signing, 1), "accepted": accepted, "accepted_per_s": round(accepted / args.seconds),
        "integrated": integrated, "integrated_per_s": round(integrated / args.seconds), "backlog_at_end": backlog,
        "checkpoints": len({s for _, s in timeline}), "integrated_per_s_by_10s": per_slice,
        "proof_p99_ms": round(samples[int(len(samples) * 0.99) - 1] * 1000, 2),
        # CPU time per accepted entry, by part (PostgreSQL backends included): independent of other load.
        "cpu_us_per_entry": {part: round(seconds / max(accepted, 1) * 1e6, 1) for part, seconds in spent.items()},
        "cpu_busy": round(sum(spent.values()) / (elapsed * (os.cpu_count() or 1)), 2),
        # Every process on the machine (PostgreSQL's background writers, other users): 1.0 = all cores.
        "machine_busy": round(1 - (machine_after[1] - machine_before[1]) / max(machine_after[0] - machine_before[0], 1),
                              2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **baseline,
    }))


if __name__ == "__main__":
    main()

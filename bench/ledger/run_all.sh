#!/usr/bin/env bash
# The ledger benchmarks, in the order the issue lists them; results go to bench/results/ledger-*.json.
# SECONDS_PER_RUN (default 60) is the sustained window of (b); PROOF_SIZES the log sizes for proof latency;
# PROOF_DBS and AUDIT_DBS the databases to measure them on. Each (b) run measures (a) itself, right before
# and right after its window, and probes the verification speed inside it (submit_rate.py's docstring), so
# that each ratio compares rates measured seconds apart on the same machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
OUT=bench/results
mkdir -p "$OUT"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
PROOF_SIZES=${PROOF_SIZES:-"1000000 10000000"}
PROOF_DBS=${PROOF_DBS:-"postgres sqlite"}
AUDIT_DBS=${AUDIT_DBS:-"sqlite"}
TWO_WAY_DBS=${TWO_WAY_DBS:-"sqlite postgres"}

have() { [ "$1" != postgres ] || pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL not reachable: skipped"; false; }; }

echo "== (a) raw Ed25519 verification, all cores ($(uptime))"
$PY bench/ledger/ed25519_rate.py --seconds 10 | tee "$OUT/ledger-ed25519.json"
for db in sqlite postgres; do
    have "$db" || continue
    echo "== (b) batch submit until provable, $db, ${SECONDS_PER_RUN}s, bracketed by (a) ($(uptime))"
    $PY bench/ledger/submit_rate.py --db "$db" --seconds "$SECONDS_PER_RUN" | tee "$OUT/ledger-submit-$db.json"
done

for db in $PROOF_DBS; do
    have "$db" || continue
    for size in $PROOF_SIZES; do
        echo "== inclusion-proof latency at $size entries ($db) ($(uptime))"
        $PY bench/ledger/proof_latency.py --db "$db" --size "$size" | tee "$OUT/ledger-proof-$db-$size.json"
    done
done

for db in $AUDIT_DBS; do
    have "$db" || continue
    echo "== audit of 1M entries ($db) ($(uptime))"
    $PY bench/ledger/audit_time.py --db "$db" --entries 1000000 | tee "$OUT/ledger-audit-$db.json"
done

for db in $TWO_WAY_DBS; do
    have "$db" || continue
    echo "== two-way audit of 1M trace events with their rows, ratio to the log audit ($db) ($(uptime))"
    $PY bench/ledger/audit_two_way.py --db "$db" --entries 1000000 | tee "$OUT/ledger-audit-two-way-$db.json"
done

#!/usr/bin/env bash
# The ledger benchmarks, in the order the issue lists them; results go to bench/results/ledger-*.json.
# SECONDS_PER_RUN (default 60) is the sustained window of (b); PROOF_SIZES the log sizes for proof latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
OUT=bench/results
mkdir -p "$OUT"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
PROOF_SIZES=${PROOF_SIZES:-"1000000 10000000"}

echo "== (a) raw Ed25519 verification, all cores"
$PY bench/ledger/ed25519_rate.py --seconds 10 | tee "$OUT/ledger-ed25519.json"

for db in sqlite postgres; do
    if [ "$db" = postgres ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then echo "PostgreSQL not reachable: skipped"; continue; fi
    echo "== (b) batch submit until provable, $db, ${SECONDS_PER_RUN}s"
    $PY bench/ledger/submit_rate.py --db "$db" --seconds "$SECONDS_PER_RUN" | tee "$OUT/ledger-submit-$db.json"
done

for size in $PROOF_SIZES; do
    echo "== inclusion-proof latency at $size entries (SQLite)"
    $PY bench/ledger/proof_latency.py --db sqlite --size "$size" | tee "$OUT/ledger-proof-sqlite-$size.json"
done

echo "== audit of 1M entries (SQLite)"
$PY bench/ledger/audit_time.py --db sqlite --entries 1000000 | tee "$OUT/ledger-audit-sqlite.json"

#!/usr/bin/env bash
# The reviews/community benchmark on both databases: load REVIEWS reviews, then posting and feed with the
# integrity checks on vs off, then the LSH proposal. Results: bench/reviews/results/<db>-<size>-*.json.
# Each database is created fresh (SQLite file under var/bench/, PostgreSQL database xinren_bench_reviews).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
REVIEWS=${REVIEWS:-1000000}
POSTS=${POSTS:-200}
FEEDS=${FEEDS:-400}
DBS=${DBS:-"sqlite postgres"}
OUT=bench/reviews/results
mkdir -p "$OUT" var/bench

for db in $DBS; do
    if [ "$db" = sqlite ]; then
        file="var/bench/reviews-$REVIEWS.sqlite3"
        rm -f "$file" "$file-wal" "$file-shm"
        export DATABASE_URL="sqlite:///$PWD/$file"
    else
        if ! pg_isready -q -h 127.0.0.1 -p 5432; then echo "PostgreSQL not reachable: skipped"; continue; fi
        dropdb -h 127.0.0.1 -U postgres --if-exists xinren_bench_reviews
        createdb -h 127.0.0.1 -U postgres xinren_bench_reviews
        export DATABASE_URL="postgres://postgres@127.0.0.1:5432/xinren_bench_reviews"
    fi
    manifest="var/bench/reviews-$db-$REVIEWS.json"
    echo "== load $REVIEWS reviews ($db)"
    /usr/bin/time -v $PY bench/reviews/load.py --reviews "$REVIEWS" --post-lines $((POSTS * 2 + 50)) \
        --manifest "$manifest" 2> "$OUT/$db-$REVIEWS-load.time" | tee "$OUT/$db-$REVIEWS-load.json"
    echo "== posting and feed, checks on vs off ($db)"
    $PY bench/reviews/run.py --manifest "$manifest" --posts "$POSTS" --feeds "$FEEDS" \
        --out "$OUT/$db-$REVIEWS-run.json" > /dev/null
    cat "$OUT/$db-$REVIEWS-run.json"
    echo "== near-duplicate: today's scan vs LSH bands ($db)"
    $PY bench/reviews/lsh_proposal.py --texts 100 | tee "$OUT/$db-$REVIEWS-lsh.json"
done

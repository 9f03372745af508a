#!/usr/bin/env bash
# A longer schemathesis run than `make test` makes (tests/api/test_schemathesis.py with more examples and steps):
# prints the cases run per kind and status class, and pytest's verdict (the whole output in var/schemathesis-last.log).
# Usage: bash bench/schemathesis/run.sh [examples] [steps] [pytest arguments…]
set -euo pipefail
cd "$(dirname "$0")/../.."
examples="${1:-50}"
steps="${2:-60}"
tally="$(mktemp)"
log="var/schemathesis-last.log"  # pytest's whole output, failures in full
mkdir -p var
trap 'rm -f "$tally"' EXIT
start=$(date +%s)
status=0
XINREN_SCHEMATHESIS_EXAMPLES="$examples" XINREN_SCHEMATHESIS_STEPS="$steps" XINREN_SCHEMATHESIS_TALLY="$tally" \
    .venv/bin/pytest -q -n 2 -p no:cacheprovider tests/api/test_schemathesis.py "${@:3}" > "$log" 2>&1 || status=$?
grep -E '^(FAILED|ERROR)|^[0-9]+ (passed|failed)|  \| - ST[0-9]+' "$log" | sort | uniq -c || true
echo "examples per operation: $examples, stateful steps: $steps, wall time: $(( $(date +%s) - start )) s"
echo "cases run: $(wc -l < "$tally")"
awk '{ kind[$1]++; class[$1 " " substr($4, 1, 1) "xx"]++ } END { for (k in kind) print "  " k ": " kind[k];
      for (c in class) print "  " c ": " class[c] }' "$tally" | sort
exit "$status"

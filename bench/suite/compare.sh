#!/usr/bin/env bash
# `make test` wall time of an earlier commit and of this checkout, back to back on the same machine (one sitting),
# each with an empty mypy cache. Not a timed test: a benchmark, reported as both times and their ratio.
#
# Usage: bash bench/suite/compare.sh [BASE_REF]   (default b0fa172, main before the context-map issue)
# The base is checked out as a git worktree beside this checkout (so it finds the same ../shared/data and runs the
# same conformance tests) and installed there (its own .venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
base_ref="${1:-b0fa172}"
base="$(mktemp -d "$(dirname "$PWD")/suite-base.XXXXXX")"
logs="$PWD/bench/results"  # kept (git-ignored): the whole make test output of each side
mkdir -p "$logs"
trap 'git worktree remove --force "$base" >/dev/null 2>&1 || true; rm -rf "$base"' EXIT
git worktree add -q --detach "$base" "$base_ref"
(cd "$base" && make install >/dev/null 2>&1)
make install >/dev/null 2>&1

run() {  # label dir
    local start end
    rm -rf "$2/.mypy_cache"
    echo "== $1 ($(git -C "$2" rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    start=$(date +%s.%N)
    (cd "$2" && make test >"$logs/suite-$1.log" 2>&1) || { tail -20 "$logs/suite-$1.log" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$1 $(echo "$end - $start" | bc) $(grep -E ' in [0-9.]+s' "$logs/suite-$1.log" | tail -1 | tr -d '=')"
}
before=$(run before "$base")
after=$(run after "$PWD")
echo "$before"
echo "$after"
read -r _ t_before _ <<<"$before"
read -r _ t_after _ <<<"$after"
printf 'after / before = %.2f\n' "$(echo "$t_after / $t_before" | bc -l)"

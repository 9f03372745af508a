#!/usr/bin/env bash
# The scan-path benchmark (docs/adr/0002): nginx serving a static 8 KiB file (a), the consumer JSON (b) and
# the HTML scan page (c) for random items among 100k, under the production configuration of
# docs/operations.md (nginx from deploy/nginx.conf.template in front of gunicorn, published pages, scans
# logged by nginx and counted by scans_ingest). Loopback only; everything it starts, it stops.
#
# Environment: BENCH_ITEMS (100000), BENCH_DURATION (15s), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_PORT (8088), BENCH_REPUBLISH=1 to publish all pages again, BENCH_PUBLISH_DIR (see below),
# BENCH_KEEP=1 to keep the published pages in RAM for the next run, BENCH_EVIDENCE=0 for the foundation's
# pages (events only: no album, lab report, cost breakdown or cold chain; own database and pages),
# BENCH_PUBLISH_JOBS (1) processes for publish_pages --all, BENCH_COUNT_SCANS=0 to skip counting the logged scans afterwards (minutes for millions of lines). The reference file (a) is served
# with nginx's best settings for one hot file (open_file_cache, no logging): the ratios are conservative.
#
# The published pages live in RAM (tmpfs) by default: this VM's memory manager pages out file cache that
# has not been touched for ~30 s, so pages on disk would be read from a slow virtual disk, whereas a server
# keeps its hot pages in the page cache. BENCH_PUBLISH_DIR=var/bench/published measures the disk instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
BENCH=$ROOT/var/bench
ITEMS=${BENCH_ITEMS:-100000}
DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-8088}
RESULTS=$ROOT/bench/results
EVIDENCE=${BENCH_EVIDENCE:-1}
VARIANT=$([ "$EVIDENCE" = 1 ] && echo "" || echo "-plain")

export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
export DATABASE_URL="sqlite:///$BENCH/bench$VARIANT.sqlite3"
export XINREN_VAR_DIR=$BENCH
export XINREN_PUBLISH_DIR=${BENCH_PUBLISH_DIR:-/dev/shm/xinren-bench/published$VARIANT}
export XINREN_STATIC_ROOT=$BENCH/static
export XINREN_MEDIA_ROOT=$BENCH/media
export DJANGO_SECRET_KEY=bench-only-not-a-secret
export DJANGO_DEBUG=0
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export XINREN_GUNICORN_BIND="unix:$BENCH/gunicorn.sock"
export XINREN_GUNICORN_WORKERS=${BENCH_GUNICORN_WORKERS:-3}
PY="$BIN/python"
MANAGE="$PY manage.py"

log() { printf '\n== %s\n' "$*"; }

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null \
   || [ ! -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then
  log "installing nginx-light, its brotli_static module and wrk"
  apt-get install -y -q nginx-light libnginx-mod-http-brotli-static wrk >/dev/null
fi

NGINX_PREFIX=$BENCH/nginx
GUNICORN_PID=$BENCH/gunicorn.pid
stop_all() {
  if [ -f "$NGINX_PREFIX/nginx.pid" ]; then
    nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -s quit 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$NGINX_PREFIX/nginx.pid" ] || break; sleep 0.1; done
  fi
  if [ -f "$GUNICORN_PID" ]; then
    kill "$(cat "$GUNICORN_PID")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$GUNICORN_PID" ] || break; sleep 0.1; done
    rm -f "$GUNICORN_PID"
  fi
}
trap stop_all EXIT
stop_all

mkdir -p "$BENCH" "$RESULTS"

log "bench database ($ITEMS items)"
$PY bench/build_db.py --items "$ITEMS" --paths "$BENCH/paths$VARIANT.txt" $([ "$EVIDENCE" = 1 ] || echo --no-evidence)
[ -z "$VARIANT" ] || cp -p "$BENCH/paths$VARIANT.txt" "$BENCH/paths.txt"

# paths.txt is rewritten only when the database is built anew (the database file itself changes on every run).
FIRST=$(head -1 "$BENCH/paths.txt")
DONE=$XINREN_PUBLISH_DIR.done
if [ "${BENCH_REPUBLISH:-0}" = 1 ] || [ ! -f "$DONE" ] || [ "$BENCH/paths.txt" -nt "$DONE" ] \
   || [ ! -f "$XINREN_PUBLISH_DIR$FIRST/index.html" ]; then
  log "publishing every page into $XINREN_PUBLISH_DIR"
  rm -rf "$XINREN_PUBLISH_DIR" "$DONE"
  # One process by default: on SQLite each lot is one write transaction, and on this shared machine a second
  # process waited past the busy timeout and skipped its lots (they were then served by Django, not nginx).
  $MANAGE publish_pages --all --jobs "${BENCH_PUBLISH_JOBS:-1}"
  touch "$DONE"
fi
$MANAGE collectstatic --noinput -v0

log "static 8 KiB reference file"
mkdir -p "$BENCH/www"
$PY - "$BENCH/www/static-8k.html" <<'PYEOF'
import sys
head = "<!doctype html><html lang=zh-hans><meta charset=utf-8><title>8 KiB</title><body><p>"
tail = "</p></body></html>\n"
body = ("信任溯源 xinren " * 1000)
data = (head + body).encode()[: 8192 - len(tail.encode())]
data = data.decode("utf-8", "ignore").encode()
data += b" " * (8192 - len(data) - len(tail.encode())) + tail.encode()
assert len(data) == 8192
open(sys.argv[1], "wb").write(data)
PYEOF

log "starting nginx on 127.0.0.1:$PORT and gunicorn ($XINREN_GUNICORN_WORKERS sync workers)"
mkdir -p "$NGINX_PREFIX/logs" "$NGINX_PREFIX/temp"
rm -f "$NGINX_PREFIX"/logs/*.log "$BENCH/scans.state" "$BENCH"/wrk-*.json
sed -e "s|@USER@|$(id -un)|" \
    -e "s|@PID@|$NGINX_PREFIX/nginx.pid|" \
    -e "s|@LISTEN@|127.0.0.1:$PORT|" \
    -e "s|@PUBLISH_DIR@|$XINREN_PUBLISH_DIR|" \
    -e "s|@STATIC_ROOT@|$XINREN_STATIC_ROOT|" \
    -e "s|@MEDIA_ROOT@|$XINREN_MEDIA_ROOT|" \
    -e "s|@LOG_DIR@|$NGINX_PREFIX/logs|" \
    -e "s|@APP@|${XINREN_GUNICORN_BIND}|" \
    -e "s|@TEMP_DIR@|$NGINX_PREFIX/temp|" \
    -e "s|# @EXTRA_LOCATIONS@|location = /bench/static-8k.html { alias $BENCH/www/static-8k.html; access_log off; open_file_cache max=64 inactive=60s; open_file_cache_valid 60s; }|" \
    deploy/nginx.conf.template > "$NGINX_PREFIX/nginx.conf"
nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -t -q
nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf"
$BIN/gunicorn -c deploy/gunicorn.conf.py --pid "$GUNICORN_PID" --daemon
for _ in $(seq 100); do [ -S "$BENCH/gunicorn.sock" ] && break; sleep 0.1; done

BASE="http://127.0.0.1:$PORT"
BATCH_PATH=${FIRST%/21/*}
GTIN=$(echo "$FIRST" | cut -d/ -f3)
log "sanity checks (lot and product pages: not item scans)"
# A published file comes with an ETag from nginx; Django's answers have none.
curl -fsS -o /dev/null -D - "$BASE$BATCH_PATH" | grep -qi '^etag:' || { echo "lot page not served from a published file"; exit 1; }
curl -fsS -o /dev/null -w "lot page (published):  %{http_code} %{size_download} B\n" "$BASE$BATCH_PATH"
curl -fsS -o /dev/null -w "lot JSON (published):  %{http_code} %{content_type}\n" -H "Accept: application/json" "$BASE$BATCH_PATH"
curl -sS -o /dev/null -w "GTIN-13 form (Django): %{http_code} -> %{redirect_url}\n" "$BASE/01/${GTIN:1}"
curl -sS -o /dev/null -w "unknown code (Django): %{http_code}\n" "$BASE/01/$GTIN/10/NOPE/21/NOPE"
curl -fsS -o /dev/null -w "static 8 KiB:          %{http_code} %{size_download} B\n" "$BASE/bench/static-8k.html"
ITEM_BYTES=$(wc -c < "$XINREN_PUBLISH_DIR$FIRST/index.html")
ITEM_GZ=$(wc -c < "$XINREN_PUBLISH_DIR$FIRST/index.html.gz")
ITEM_BR=$(wc -c < "$XINREN_PUBLISH_DIR$FIRST/index.html.br" 2>/dev/null || echo 0)
echo "item page: $ITEM_BYTES B ($ITEM_GZ B gzip, $ITEM_BR B brotli), JSON: $(wc -c < "$XINREN_PUBLISH_DIR$FIRST/index.json") B"
curl -fsS -o /dev/null -w "item page, br asked:   %{http_code} %{size_download} B\n" -H "Accept-Encoding: gzip, deflate, br" "$BASE$FIRST"
# A running server is warm: its hot pages sit in the page cache. This VM's memory manager (DAMON) pages out
# file cache untouched for ~30 s, so each run's files are read once right before the run.
warm() { sed "s|\$|/$1|; s|^|$XINREN_PUBLISH_DIR|" "$BENCH/paths.txt" | xargs cat > /dev/null; }

SCANS_BEFORE=$($MANAGE shell -c "from xinren.trace.models import Scan; print(Scan.objects.count())" 2>/dev/null | tail -1)

run_wrk() {  # name, then env assignments for the Lua script
  local name=$1; shift
  log "wrk ($name): $THREADS threads, $CONNECTIONS connections, $DURATION"
  env "$@" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/random_paths.lua "$BASE" \
    | tee "$BENCH/wrk-$name.txt" | grep -E "Requests/sec|Transfer/sec|99%|Non-2xx|Socket errors" || true
  grep '^{' "$BENCH/wrk-$name.txt" > "$BENCH/wrk-$name.json"
}
run_wrk a FIXED_PATH=/bench/static-8k.html
warm index.json
run_wrk b PATHS_FILE="$BENCH/paths.txt" PREFIX=/api/v1/trace ACCEPT=application/json
warm index.html
run_wrk c PATHS_FILE="$BENCH/paths.txt" ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
warm index.html.gz
run_wrk d PATHS_FILE="$BENCH/paths.txt" ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" \
  ENCODING=gzip
# (e) as browsers ask over HTTPS (they offer br only there): nginx answers with the published .br twin.
if [ -f "$XINREN_PUBLISH_DIR$FIRST/index.html.br" ]; then
  warm index.html.br
  run_wrk e PATHS_FILE="$BENCH/paths.txt" ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" \
    ENCODING="gzip, deflate, br"
fi

log "stopping nginx (flushes the buffered scan log) and gunicorn"
stop_all
trap - EXIT
SCAN_LINES=$(wc -l < "$NGINX_PREFIX/logs/xinren-scans.log")

log "counting scans: scans_ingest"
if [ "${BENCH_COUNT_SCANS:-1}" = 1 ]; then
  $MANAGE scans_ingest --log "$NGINX_PREFIX/logs/xinren-scans.log" --state "$BENCH/scans.state" \
    --batch-bytes 4194304 | tee "$BENCH/ingest.txt"
else
  echo "not counted (BENCH_COUNT_SCANS=0)" | tee "$BENCH/ingest.txt"
fi
SCANS_AFTER=$($MANAGE shell -c "from xinren.trace.models import Scan; print(Scan.objects.count())" 2>/dev/null | tail -1)

if [ "${BENCH_KEEP:-0}" != 1 ] && [[ "$XINREN_PUBLISH_DIR" == /dev/shm/* ]]; then
  rm -rf "$XINREN_PUBLISH_DIR" "$DONE"  # give the RAM back
  rmdir --ignore-fail-on-non-empty "$(dirname "$XINREN_PUBLISH_DIR")"
fi

$PY - "$BENCH" "$RESULTS" "$SCANS_BEFORE" "$SCANS_AFTER" "$SCAN_LINES" "$ITEM_BYTES" "$ITEM_GZ" "$CONNECTIONS" "$THREADS" "$DURATION" "$ITEMS" "$ITEM_BR" <<'PYEOF'
import datetime, json, os, platform, subprocess, sys
bench, results, before, after, lines, item_bytes, item_gz, conns, threads, duration, items, item_br = sys.argv[1:]
runs = {k: json.load(open(f"{bench}/wrk-{k}.json")) for k in "abcde" if os.path.exists(f"{bench}/wrk-{k}.json")}
for r in runs.values():
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["p99_ms"] = r["p99_us"] / 1000
    r["errors"] = sum(r[k] for k in r if k.startswith("errors_"))
a = runs["a"]["rps"]
counted = int(after) - int(before)
made = sum(runs[k]["requests"] for k in "bcde" if k in runs)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
counting = os.environ.get("BENCH_COUNT_SCANS", "1") == "1"
if not counting:
    counted = int(lines)
out_pages = "with evidence sections" if os.environ.get("BENCH_EVIDENCE", "1") == "1" else "events only (foundation)"
rows = [
    ("(a) nginx, static 8 KiB file", runs["a"], "1.00"),
    ("(b) consumer JSON, random of %s" % items, runs["b"], "%.2f" % (runs["b"]["rps"] / a)),
    ("(c) HTML scan page, random of %s" % items, runs["c"], "%.2f" % (runs["c"]["rps"] / a)),
    ("(d) HTML scan page, gzip as browsers ask, random of %s" % items, runs["d"], "%.2f" % (runs["d"]["rps"] / a)),
]
if "e" in runs:
    rows.append(("(e) HTML scan page, brotli as browsers ask over HTTPS, random of %s" % items, runs["e"],
                 "%.2f" % (runs["e"]["rps"] / a)))
out = [f"Scan-path benchmark, {when}: {os.cpu_count()} cores ({cpu}), {nginx}, wrk -t{threads} -c{conns} -d{duration}, loopback",
       "", "| run | requests/s | p50 ms | p99 ms | errors | ratio to (a) |", "|---|---:|---:|---:|---:|---:|"]
for name, r, ratio in rows:
    out.append(f"| {name} | {r['rps']:,.0f} | {r['p50_us']/1000:.2f} | {r['p99_ms']:.2f} | {r['errors']} | {ratio} |")
out += ["", f"pages {out_pages}; item page {item_bytes} B ({item_gz} B gzip, {item_br} B brotli); published pages in "
        f"{os.environ.get('XINREN_PUBLISH_DIR')}",
        f"scans: wrk completed {made:,} item requests in (b) to (e); nginx logged {int(lines):,} scans; "
        f"scans_ingest counted {counted:,} (log - counted = {int(lines) - counted}; log - wrk = {int(lines) - made}: "
        "requests still in flight when wrk stopped, answered and logged by nginx but not read by wrk)",
       "scans_ingest afterwards: " + open(f"{bench}/ingest.txt").read().strip()]
ok = (runs["b"]["rps"] / a >= 0.5 and runs["c"]["rps"] / a >= 0.5 and runs["b"]["p99_ms"] <= 50
      and runs["c"]["p99_ms"] <= 50 and runs["d"]["p99_ms"] <= 50 and counted == int(lines) and 0 <= int(lines) - made <= 2 * int(conns))
out.append("goal (ratios >= 0.5, p99 <= 50 ms, every scan counted): " + ("MET" if ok else "NOT MET"))
text = "\n".join(out) + "\n"
print("\n" + text)
stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
for name in (f"scan_path-{stamp}.md", "scan_path-latest.md"):
    open(os.path.join(results, name), "w").write(text)
json.dump({"runs": runs, "scans_counted": counted, "scans_logged": int(lines), "wrk_item_requests": made},
          open(os.path.join(results, f"scan_path-{stamp}.json"), "w"), indent=2)
sys.exit(0 if ok else 1)
PYEOF

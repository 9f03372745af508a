"""In-browser verification of an item bundle with 12 records (plus the two key registrations it needs), timed in
Debian's headless Chromium: Web Crypto path and noble fallback path, as ratios to fetching and parsing the same
bundle without verifying, all in one run. Prints one JSON line.

Usage: .venv/bin/python bench/verify/run.py [--bundle ITEM_BUNDLE.json --key LOG_VKEY]
(by default a 12-record bundle made in memory; with --bundle, e.g. a demo item's /proofs/… answer)
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.ledger.browser_harness import PAGE, STATIC, chromium  # noqa: E402
from tests.ledger.item_bundle_fixture import make_item_bundle  # noqa: E402

GOAL_MS = 200


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the page; the page POSTs its timings to /result when it is done (real time, not virtual)."""

    result: list[bytes]

    def do_POST(self) -> None:
        self.result.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _measure(root: Path, text: str, vkey: str) -> dict[str, float]:
    shutil.copytree(STATIC, root / "static" / "public")
    shutil.copy(Path(__file__).with_name("bench.js"), root / "bench.js")
    (root / "bundle.json").write_text(text, encoding="utf-8")
    (root / "index.html").write_text(PAGE.format(vkey=vkey, extra='<script src="/bench.js"></script>'))
    results: list[bytes] = []
    handler = functools.partial(type("H", (_Handler,), {"result": results}), directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = subprocess.Popen(
        [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={root / 'profile'}", f"http://127.0.0.1:{server.server_address[1]}/index.html"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not results and time.monotonic() < deadline and browser.poll() is None:
            time.sleep(0.2)
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        server.shutdown()
    if not results:
        raise SystemExit("the page reported no result")
    return dict(json.loads(results[0]))


def main() -> int:
    if chromium() is None:
        print("needs Debian's chromium: apt-get install chromium", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", help="an item bundle file (default: 12 records made in memory)")
    parser.add_argument("--key", help="the log's verifier key, with --bundle")
    args = parser.parse_args()
    if args.bundle:
        text, vkey = Path(args.bundle).read_text(encoding="utf-8"), args.key
    else:
        text, vkey = make_item_bundle(records=12)
    document = json.loads(text)
    with tempfile.TemporaryDirectory() as folder:
        result = _measure(Path(folder), text, vkey)
    if "error" in result:
        print(result["error"], file=sys.stderr)
        return 1
    result |= {
        "entries_verified": len(document["records"]), "bundle_bytes": len(text.encode()),
        "webcrypto_ratio": round(result["webcrypto_ms"] / result["baseline_ms"], 2),
        "fallback_ratio": round(result["fallback_ms"] / result["baseline_ms"], 2),
        "goal_ms": GOAL_MS, "cpus": os.cpu_count(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

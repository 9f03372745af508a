"""Run static/public/verify.js in Debian's headless Chromium against an item bundle (tests and bench/verify).

A temporary folder holds a page with the #verify element as the item page draws it, the real verify.js and its
fallback, and the bundle; a local HTTP server serves it (127.0.0.1 is a secure context, so Web Crypto is there),
and `chromium --headless --dump-dom` loads it with #verify (Web Crypto) or #verify-fallback (noble) and prints the
DOM once the page is idle.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "src" / "xinren" / "web" / "static" / "public"
# The strict policy the production pages are to send: verify.js must work under it (no inline code, no eval).
PAGE = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>verify</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; object-src 'none'">
</head><body>
<section id="verify" data-bundle="/bundle.json" data-log-key="{vkey}"><button type="button" hidden>验证</button>
<div data-f="result" hidden></div></section>
<script src="/static/public/verify.js" defer></script>{extra}</body></html>"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(
    root: Path, bundle: str, vkey: str, *, extra: str = "", page: str | None = None, bundle_path: str = "bundle.json"
) -> Iterator[str]:
    """A local server for a page (by default a bare #verify element) that verifies `bundle`; yields its base URL."""
    shutil.copytree(STATIC, root / "static" / "public", dirs_exist_ok=True)
    (root / bundle_path).parent.mkdir(parents=True, exist_ok=True)
    (root / bundle_path).write_text(bundle, encoding="utf-8")
    (root / "index.html").write_text(page or PAGE.format(vkey=vkey, extra=extra), encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    handler.extensions_map = {**_Quiet.extensions_map, ".js": "text/javascript", ".json": "application/json"}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def dump_dom(url: str, *, budget_ms: int = 20000, timeout: float = 90) -> str:
    """The DOM after the page has settled (virtual time lets the verification finish before the dump)."""
    binary = chromium()
    assert binary is not None
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"xinren-chromium-{os.getpid()}-{threading.get_ident()}"
    try:
        result = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return result.stdout

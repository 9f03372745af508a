"""XINREN_PRODUCTION=1 alone turns on what a public deployment needs: Secure cookies, HSTS behind nginx, the headers.

Settings are read once per process, so each case runs a fresh interpreter with the environment it names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
secure = Client().get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
plain = Client().get("/accounts/login/")
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts_seconds": settings.SECURE_HSTS_SECONDS, "proxy_ssl_header": settings.SECURE_PROXY_SSL_HEADER,
    "https": {name: secure.get(name) for name in (
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
        "Referrer-Policy")},
    "plain_hsts": plain.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}))
"""


def _probe(tmp_path: Path, **environment: str) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "XINREN_"))}
    env.update(DJANGO_SETTINGS_MODULE="xinren.settings", XINREN_VAR_DIR=str(tmp_path),
               DJANGO_ALLOWED_HOSTS="testserver", **environment)
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {
    "XINREN_PRODUCTION": "1", "DJANGO_SECRET_KEY": "test-" + "x" * 50, "XINREN_LOG_SIGNING_KEY": "unused-here",
    "XINREN_KEY_ENCRYPTION_KEY": "unused-here", "XINREN_PAYMENT_WEBHOOK_SECRET": "unused-here",
    "XINREN_IDENTITY_HASH_KEY": "unused-here",
}


def test_production_alone_makes_cookies_secure_and_sends_hsts_behind_nginx(tmp_path):
    # when: nothing but the production switch and its required secrets
    probe = _probe(tmp_path, **PRODUCTION)
    # then
    assert (probe["session_secure"], probe["csrf_secure"], probe["csrf_cookie_secure"]) == (True, True, True)
    assert probe["hsts_seconds"] == 31536000
    assert probe["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert probe["https"]["Strict-Transport-Security"] == "max-age=31536000"
    assert probe["plain_hsts"] is None  # HSTS means nothing over plain http, and browsers ignore it there
    assert probe["https"]["X-Frame-Options"] == "DENY"
    assert probe["https"]["X-Content-Type-Options"] == "nosniff"
    assert probe["https"]["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in probe["https"]["Content-Security-Policy"]


def test_development_keeps_plain_http_cookies_and_no_hsts(tmp_path):
    probe = _probe(tmp_path, DJANGO_DEBUG="1")
    assert (probe["session_secure"], probe["csrf_secure"], probe["hsts_seconds"]) == (False, False, 0)
    assert probe["https"]["Strict-Transport-Security"] is None
    assert "script-src 'self' 'nonce-" in probe["https"]["Content-Security-Policy"]

"""The nginx template (deploy/nginx.conf.template): evidence media with their real types, security headers on
every location that serves files itself, and a configuration nginx accepts."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xinren.evidence.media import sniff

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf.template"
SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy",
                    "Strict-Transport-Security", "Referrer-Policy")


def _types() -> dict[str, str]:
    block = re.search(r"types \{(.*?)\}", TEMPLATE.read_text(), re.S)
    assert block
    table = {}
    for line in block.group(1).splitlines():
        words = line.split("#")[0].replace(";", "").split()
        for extension in words[1:]:
            table[extension] = words[0]
    return table


def _locations() -> dict[str, str]:
    text = TEMPLATE.read_text()
    return {match.group(1).strip(): match.group(2)
            for match in re.finditer(r"^ +location ([^{\n]+)\{(.*?)\n        \}", text, re.S | re.M)}


def test_every_stored_evidence_format_is_served_with_its_type():
    # given each format the evidence context stores, named by sniff.py
    stored = [value for value in vars(sniff).values() if isinstance(value, sniff.Sniffed) and value.supported]
    assert {format.ext for format in stored} >= {"jpg", "png", "webp", "mp4", "mov", "webm", "pdf"}
    # then nginx labels each with the type the upload was recognised as (not application/octet-stream)
    types = _types()
    assert {format.ext: types.get(format.ext) for format in stored} == {format.ext: format.mime for format in stored}


def test_each_location_serving_files_sends_every_security_header():
    locations = _locations()
    with_headers = [name for name, body in locations.items() if "add_header" in body]
    assert set(with_headers) >= {"/01/", "/scans/", "/static/", "/media/evidence/", "/media/"}
    for name in with_headers:
        headers = re.findall(r"add_header (\S+)", locations[name])
        assert set(SECURITY_HEADERS) <= set(headers), name
        assert "X-Frame-Options DENY" in locations[name], name
        assert "frame-ancestors 'none'" in locations[name], name
    for name in ("/media/evidence/", "/media/"):
        assert "sandbox;" in locations[name], name


def test_nginx_accepts_the_filled_template(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("CI must check the nginx template, and nginx is missing")
        pytest.skip("nginx is not installed here (apt-get install nginx); the template is checked on CI")
    for folder in ("published", "static", "media", "logs", "temp"):
        (tmp_path / folder).mkdir()
    filled = TEMPLATE.read_text()
    for name, value in {
        "USER": getpass.getuser(), "PID": tmp_path / "nginx.pid", "LISTEN": "127.0.0.1:18080",
        "PUBLISH_DIR": tmp_path / "published",
        "STATIC_ROOT": tmp_path / "static", "MEDIA_ROOT": tmp_path / "media", "LOG_DIR": tmp_path / "logs",
        "APP": "unix:" + str(tmp_path / "gunicorn.sock"), "TEMP_DIR": tmp_path / "temp",
    }.items():
        filled = filled.replace(f"@{name}@", str(value))
    config = tmp_path / "nginx.conf"
    config.write_text(filled)
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr

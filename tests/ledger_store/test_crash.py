"""No acknowledged entry is lost when a process dies mid-burst (kill -9), and the log stays consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCRIPT = Path(__file__).with_name("crash_burst.py")
SRC = Path(__file__).resolve().parents[2] / "src"


def _env(tmp_path: Path, url: str | None = None) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": url or f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "PYTHONPATH": f"{SRC}{os.pathsep}{SRC.parent}",
        "DJANGO_SETTINGS_MODULE": "xinren.settings",
        "DJANGO_DEBUG": "0",
    }


def _run(tmp_path: Path, command: str, url: str | None = None) -> str:
    result = subprocess.run([sys.executable, str(SCRIPT), command], env=_env(tmp_path, url), capture_output=True,
                            text=True, timeout=120, check=True)
    return result.stdout


def test_kill_9_during_a_burst_loses_no_acknowledged_entry(tmp_path) -> None:
    _kill_9_burst(tmp_path, None)


def test_kill_9_on_postgresql_loses_no_acknowledged_entry(require_postgres, tmp_path) -> None:
    # given: a database of the test's own, next to the test database (the burst runs in other processes)
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"xinren_crash_{os.getpid()}"
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        _kill_9_burst(tmp_path, urlunsplit(url._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _kill_9_burst(tmp_path: Path, url: str | None) -> None:
    # given
    _run(tmp_path, "setup", url)
    burst = subprocess.Popen([sys.executable, str(SCRIPT), "burst"], env=_env(tmp_path, url), stdout=subprocess.PIPE,
                             text=True)
    assert burst.stdout is not None
    acknowledged: list[str] = []
    # when: killed without warning after 150 acknowledged appends (mid-append or mid-integration)
    try:
        while len(acknowledged) < 150:
            line = burst.stdout.readline()
            assert line, "the burst process ended early"
            acknowledged.append(line.strip())
    finally:
        os.kill(burst.pid, signal.SIGKILL)
        burst.wait(timeout=30)
    acknowledged.extend(line.strip() for line in burst.stdout.read().splitlines() if len(line.strip()) == 64)
    result = json.loads(_run(tmp_path, "finish", url))
    # then: every acknowledged entry is in the log, and the audit finds nothing wrong
    assert burst.returncode == -signal.SIGKILL
    assert set(acknowledged) <= set(result["leaves"])
    assert result["problem"] is None
    assert result["size"] == len(result["leaves"]) >= 152

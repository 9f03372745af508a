"""`xinren ledger verify|audit|key` and `python -m xinren.ledger verify` (the latter without Django)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinren.attest import signing
from xinren.cli import main as xinren_main
from xinren.ledger.store import selectors
from xinren.ledger.store.models import TreeHash
from xinren.ledger.store.sequencer import log_integrate

from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def bundle_file(tmp_path, lab_key, lab_actor, lab_private_key) -> Path:  # type: ignore[no-untyped-def]
    signing.envelopes_submit(actor=lab_actor, envelopes=[signed(lab_private_key, note_statement(n)) for n in range(6)])
    log_integrate()
    path = tmp_path / "entry.tlog-proof"
    path.write_text(selectors.bundle_get(3).to_text(), encoding="utf-8")
    return path


def _run_pure(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m xinren.ledger …` in a fresh interpreter with no Django settings, as a third party runs it."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {"PYTHONPATH": str(SRC)}
    code = (
        "import sys, runpy\n"
        "sys.argv = ['python -m xinren.ledger', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('xinren.ledger', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django was imported'\n"
        "    raise\n"
    )
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


def test_verify_says_yes_without_django(bundle_file) -> None:
    # when
    result = _run_pure("verify", str(bundle_file), "--key", selectors.log_vkey())
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("yes: entry 3 is in xinren.example/log at size 8\n")


def test_verify_reads_the_key_from_a_file(bundle_file, tmp_path) -> None:
    key_file = tmp_path / "log.vkey"
    key_file.write_text(selectors.log_vkey() + "\n")
    result = _run_pure("verify", str(bundle_file), "--key", str(key_file))
    assert result.returncode == 0, result.stderr


def test_verify_says_a_precise_no_for_a_tampered_bundle(bundle_file) -> None:
    # given: one inclusion path hash altered
    lines = bundle_file.read_text().split("\n")
    lines[3] = "A" * 43 + "="
    bundle_file.write_text("\n".join(lines))
    # when
    result = _run_pure("verify", str(bundle_file), "--key", selectors.log_vkey())
    # then
    assert result.returncode == 1
    assert result.stdout.startswith("no: the inclusion check failed (root_mismatch): ")


def test_verify_says_no_for_another_logs_key(bundle_file) -> None:
    from xinren.ledger.note import Signer

    other = Signer.generate("xinren.example/log").verifier().vkey
    result = _run_pure("verify", str(bundle_file), "--key", other)
    assert result.returncode == 1
    assert result.stdout.startswith("no: the checkpoint check failed (no_known_signature): ")


def test_verify_reports_a_missing_file_as_a_usage_error(tmp_path) -> None:
    result = _run_pure("verify", str(tmp_path / "absent"), "--key", "x")
    assert result.returncode == 2


def test_the_console_script_dispatches_verify(bundle_file, capsys) -> None:
    code = xinren_main(["ledger", "verify", str(bundle_file), "--key", selectors.log_vkey()])
    assert code == 0
    assert capsys.readouterr().out.startswith("yes: entry 3")


def test_audit_exits_zero_then_non_zero_after_tampering(bundle_file, capsys) -> None:
    # when
    clean = xinren_main(["ledger", "audit", "--workers", "1"])
    TreeHash.objects.filter(id=0).update(hash=b"\0" * 32)
    tampered = xinren_main(["ledger", "audit", "--workers", "1"])
    # then
    out = capsys.readouterr().out
    assert (clean, tampered) == (0, 1)
    assert out.startswith("log consistent: 8 entries")
    assert "records consistent: " in out
    assert "INCONSISTENT at 0: entry 0: stored hash of subtree (0, 0) is wrong" in out


def test_key_prints_the_verifier_key(capsys) -> None:
    assert xinren_main(["ledger", "key"]) == 0
    assert capsys.readouterr().out == selectors.log_vkey() + "\n"


def test_unknown_commands_are_usage_errors(capsys) -> None:
    assert xinren_main(["shop"]) == 2
    assert xinren_main([]) == 2
    assert "ledger verify BUNDLE --key VKEY" in capsys.readouterr().out


def test_the_integrate_command_sequences_the_pool(lab_key, lab_actor, lab_private_key) -> None:
    # given
    from io import StringIO

    from django.core.management import call_command

    signing.envelopes_submit(actor=lab_actor, envelopes=[signed(lab_private_key, note_statement(n)) for n in range(3)])
    out = StringIO()
    # when
    call_command("ledger_integrate", "--follow", "--max-rounds", "2", "--interval", "0", "--no-witness", stdout=out)
    # then
    assert out.getvalue() == "integrated 5 entries; log size 5\n"
    assert selectors.log_size() == 5


def test_the_audit_command_fails_on_an_inconsistency(bundle_file, capsys) -> None:
    from django.core.management import CommandError, call_command

    TreeHash.objects.filter(id=1).update(hash=b"\0" * 32)
    with pytest.raises(CommandError):
        call_command("ledger_audit", "--workers", "1", "--log-only")
    assert "log INCONSISTENT at 1: entry 1: stored hash of subtree (0, 1) is wrong" in capsys.readouterr().out

"""Item proof bundles: the core verifier, the CLI and an independent verifier agree; every tampering fails all."""

from __future__ import annotations

import pytest

from xinren.ledger.cli import main
from xinren.ledger.item_bundle import parse_item_bundle, verify_item_bundle
from xinren.ledger.note import Signer

from . import independent_verifier
from .item_bundle_fixture import TAMPERINGS, make_item_bundle, tampered


@pytest.fixture(scope="module")
def bundle() -> tuple[str, str]:
    return make_item_bundle(records=12)


def test_a_bundle_verifies_and_says_what_each_record_states(bundle):
    # given
    text, vkey = bundle
    # when
    verdict = verify_item_bundle(text, vkey)
    # then
    assert verdict.ok, verdict.message
    assert len(verdict.records) == 14
    assert [r.index for r in verdict.records] == [*range(2, 14), 0, 1]
    assert verdict.records[0].statement["event"]["bizStep"].endswith("harvesting")
    assert [s.name for s in verdict.records[0].signers] == ["楚雄山珍"]
    assert [s.owner for s in verdict.records[-1].signers] == ["platform"]


def test_the_independent_verifier_accepts_the_same_bundle(bundle):
    text, vkey = bundle
    statements = independent_verifier.verify(text, vkey)
    assert len(statements) == 14


@pytest.mark.parametrize("how", TAMPERINGS)
def test_a_tampered_bundle_fails_in_both_python_verifiers(bundle, how):
    # given
    text, vkey = bundle
    bad = tampered(text, how)
    # when
    verdict = verify_item_bundle(bad, vkey)
    # then
    assert not verdict.ok
    expected = {"statement": "inclusion", "path": "inclusion", "checkpoint": "checkpoint", "key": "signature",
                "dropped_registration": "keys"}[how]
    assert verdict.check == expected
    with pytest.raises(independent_verifier.Refused):
        independent_verifier.verify(bad, vkey)


def test_a_bundle_naming_another_log_key_is_refused(bundle):
    text, _vkey = bundle
    other = Signer(name="xinren.test/log", seed=bytes(32)).verifier().vkey
    verdict = verify_item_bundle(text, other)
    assert (verdict.ok, verdict.check, verdict.code) == (False, "log_key", "log_key_mismatch")


def test_a_bundle_with_an_unknown_member_is_malformed(bundle):
    text, vkey = bundle
    bad = text.replace('"omitted":[]', '"omitted":[],"extra":1')
    verdict = verify_item_bundle(bad, vkey)
    assert (verdict.check, verdict.code) == ("bundle", "bundle_malformed")
    assert parse_item_bundle(text).records[0].index == 2


@pytest.mark.parametrize(
    ("lang", "first", "step"), [("zh", "是：14 条记录", "步骤：采收"), ("en", "yes: 14 records", "step: harvested")]
)
def test_cli_verifies_an_item_bundle_and_prints_the_statements(bundle, tmp_path, capsys, lang, first, step):
    # given
    text, vkey = bundle
    path = tmp_path / "item.json"
    path.write_text(text)
    # when
    code = main(["verify", str(path), "--key", vkey, "--lang", lang])
    # then
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(first)
    assert step in out and "楚雄山珍 (org:2)" in out


@pytest.mark.parametrize("how", TAMPERINGS)
def test_cli_refuses_a_tampered_bundle(bundle, tmp_path, capsys, how):
    text, vkey = bundle
    path = tmp_path / "item.json"
    path.write_text(tampered(text, how))
    assert main(["verify", str(path), "--key", vkey, "--lang", "en"]) == 1
    assert capsys.readouterr().out.startswith("no: the ")

"""Offline proof bundles: both spellings, and a precise no for every check that can fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from xinren.ledger import checkpoint as cp
from xinren.ledger import hashstore, merkle, note, proof
from xinren.ledger.b64 import b64encode

ORIGIN = "ledger.xinren.example/log"
ENTRIES = [f'{{"payload":"entry {i}"}}'.encode() for i in range(13)]


@pytest.fixture
def log_signer() -> note.Signer:
    return note.Signer(name=ORIGIN, seed=b"\x21" * 32)


@pytest.fixture
def witness() -> note.Signer:
    return note.Signer(name="witness.example/w", seed=b"\x22" * 32, sig_type=note.SIG_COSIGNATURE_V1)


@pytest.fixture
def store() -> hashstore.MemoryHashStore:
    return hashstore.MemoryHashStore(merkle.leaf_hash(e) for e in ENTRIES)


@pytest.fixture
def signed_checkpoint(store: hashstore.MemoryHashStore, log_signer: note.Signer, witness: note.Signer) -> str:
    signed = cp.sign_checkpoint(cp.Checkpoint(origin=ORIGIN, size=store.size, root=store.root()), log_signer)
    return cp.cosign_checkpoint(signed, witness, timestamp=1_700_000_000)


@pytest.fixture
def bundle(store: hashstore.MemoryHashStore, signed_checkpoint: str) -> proof.ProofBundle:
    return proof.make_bundle(entry=ENTRIES[6], index=6, signed_checkpoint=signed_checkpoint, reader=store)


def test_a_bundle_verifies_in_both_spellings(bundle: proof.ProofBundle, log_signer: note.Signer) -> None:
    # given
    vkey = log_signer.verifier().vkey
    # when
    verdicts = [proof.verify_bundle(b, vkey) for b in (bundle, bundle.to_text(), bundle.to_json().encode())]
    # then
    assert [(v.ok, v.check, v.code) for v in verdicts] == [(True, "all", "ok")] * 3
    assert verdicts[0].message == f"entry 6 is in {ORIGIN} at size 13"
    assert verdicts[0].leaf_hash == merkle.leaf_hash(ENTRIES[6])
    assert proof.parse_bundle(bundle.to_text()) == proof.parse_bundle(bundle.to_json()) == bundle


def test_the_text_spelling_is_a_c2sp_tlog_proof(bundle: proof.ProofBundle, signed_checkpoint: str) -> None:
    # when
    lines = bundle.to_text().split("\n")
    # then
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1].startswith("extra ")
    assert lines[2] == "index 6"
    assert len(lines[3:7]) == len(bundle.inclusion_path) == 4
    assert lines[7] == ""
    assert "\n".join(lines[8:]) == signed_checkpoint


def test_a_detached_bundle_needs_the_entry(bundle: proof.ProofBundle, log_signer: note.Signer) -> None:
    # given
    detached = proof.parse_bundle(proof.ProofBundle(None, 6, bundle.inclusion_path, bundle.checkpoint).to_text())
    vkey = log_signer.verifier().vkey
    # when
    without = proof.verify_bundle(detached, vkey)
    with_entry = proof.verify_bundle(detached, vkey, entry=ENTRIES[6])
    # then
    assert (without.ok, without.check, without.code) == (False, "entry", "bundle_malformed")
    assert with_entry.ok


def test_witness_quorum(bundle: proof.ProofBundle, log_signer: note.Signer, witness: note.Signer) -> None:
    # given
    vkey, wkey = log_signer.verifier().vkey, witness.verifier().vkey
    other = note.Signer("witness.example/other", b"\x23" * 32, note.SIG_COSIGNATURE_V1).verifier()
    # when
    met = proof.verify_bundle(bundle, vkey, witnesses=[wkey, other], quorum=1)
    unmet = proof.verify_bundle(bundle, vkey, witnesses=[wkey, other], quorum=2)
    # then
    assert (met.ok, met.witnesses) == (True, ("witness.example/w",))
    assert (unmet.ok, unmet.check, unmet.code) == (False, "checkpoint", "witness_quorum_not_met")


def test_each_failure_names_its_check(
    bundle: proof.ProofBundle, log_signer: note.Signer, store: hashstore.MemoryHashStore
) -> None:
    # given
    vkey = log_signer.verifier().vkey
    stranger = note.Signer(ORIGIN, b"\x99" * 32).verifier().vkey
    forged_root = bundle.checkpoint.replace(b64encode(store.root()), b64encode(b"\x00" * 32))
    flipped = (bytes([bundle.inclusion_path[0][0] ^ 1]) + bundle.inclusion_path[0][1:], *bundle.inclusion_path[1:])
    cases: dict[str, tuple[proof.ProofBundle | str, str]] = {
        "garbage": ("not a bundle", vkey),
        "bad vkey": (bundle, "not+a+key"),
        "other entry": (replace(bundle, entry=ENTRIES[7]), vkey),
        "huge entry": (replace(bundle, entry=b"x" * 70_000), vkey),
        "unknown log key": (bundle, stranger),
        "forged root": (replace(bundle, checkpoint=forged_root), vkey),
        "index past size": (replace(bundle, index=13), vkey),
        "other index": (replace(bundle, index=7), vkey),
        "flipped path bit": (replace(bundle, inclusion_path=flipped), vkey),
        "short path": (replace(bundle, inclusion_path=bundle.inclusion_path[:-1]), vkey),
    }
    # when
    verdicts = {name: proof.verify_bundle(b, k) for name, (b, k) in cases.items()}
    # then
    assert {name: (v.ok, v.check, v.code) for name, v in verdicts.items()} == {
        "garbage": (False, "bundle", "bundle_malformed"),
        "bad vkey": (False, "log_key", "key_malformed"),
        "other entry": (False, "inclusion", "root_mismatch"),
        "huge entry": (False, "entry", "entry_too_large"),
        "unknown log key": (False, "checkpoint", "no_known_signature"),
        "forged root": (False, "checkpoint", "signature_invalid"),
        "index past size": (False, "index", "invalid_tree_size"),
        "other index": (False, "inclusion", "root_mismatch"),
        "flipped path bit": (False, "inclusion", "root_mismatch"),
        "short path": (False, "inclusion", "proof_wrong_length"),
    }
    assert not any(verdicts.values())


@pytest.mark.parametrize(
    "text",
    [
        "c2sp.org/tlog-proof@v2\nindex 0\n\nx",
        "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx\n",  # a 3-byte hash
        "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n",  # no checkpoint
        '{"format": "xinren.ledger.proof/v1", "index": -1, "inclusion_path": [], "checkpoint": ""}',
        '{"format": "xinren.ledger.proof/v1", "index": 0, "inclusion_path": [], "checkpoint": "", "x": 1}',
        '{"format": "other", "index": 0, "inclusion_path": [], "checkpoint": ""}',
        '{"format": "xinren.ledger.proof/v1", "index": 0, "index": 1, "inclusion_path": [], "checkpoint": ""}',
    ],
)
def test_malformed_bundles_are_refused(text: str) -> None:
    # when / then
    with pytest.raises(proof.BundleFormatError):
        proof.parse_bundle(text)


def test_a_member_named_twice_is_refused_by_name() -> None:
    # given: two readers could take either index
    text = '{"format": "xinren.ledger.proof/v1", "index": 0, "index": 1, "inclusion_path": [], "checkpoint": ""}'
    # when
    with pytest.raises(proof.BundleFormatError) as refused:
        proof.parse_bundle(text)
    # then
    assert str(refused.value) == "bundle JSON repeats the member 'index'"


def test_the_json_spelling_is_plain(bundle: proof.ProofBundle) -> None:
    # when
    document = json.loads(bundle.to_json())
    # then
    assert list(document) == ["format", "entry", "index", "inclusion_path", "checkpoint"]
    assert document["format"] == "xinren.ledger.proof/v1"
    assert document["index"] == 6


def test_the_package_imports_no_django() -> None:
    # given: a fresh interpreter, as a third party's verifier would be
    src = Path(__file__).resolve().parents[2] / "src"
    code = (
        "import sys, xinren.ledger, xinren.ledger.tiles\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {"PYTHONPATH": str(src)}
    # when
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    # then
    assert result.stdout == "[]\n"

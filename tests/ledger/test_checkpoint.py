"""C2SP tlog-checkpoint bodies: exact format, strict parsing, and opening a signed checkpoint."""

from __future__ import annotations

import hashlib

import pytest

from xinren.ledger import checkpoint as cp
from xinren.ledger import hashstore, merkle, note
from xinren.ledger.errors import (
    CheckpointFormatError,
    NoKnownSignatureError,
    OriginMismatchError,
    RootMismatchError,
    WitnessQuorumError,
)

ROOT = hashlib.sha256(b"root").digest()
ORIGIN = "log.example/xinren"


@pytest.fixture
def log_signer() -> note.Signer:
    return note.Signer(name=ORIGIN, seed=b"\x11" * 32)


@pytest.fixture
def witnesses() -> list[note.Signer]:
    return [note.Signer(f"w{i}.example", bytes([i]) * 32, note.SIG_COSIGNATURE_V1) for i in range(1, 4)]


def test_checkpoint_text_is_exact() -> None:
    # given
    head = cp.Checkpoint(origin=ORIGIN, size=20852163, root=ROOT, extensions=("ext one",))
    # when
    text = head.to_text()
    # then
    assert text == f"{ORIGIN}\n20852163\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\next one\n"
    assert cp.parse_checkpoint(text) == head


def test_spec_example_body_parses() -> None:
    # given
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    # when
    head = cp.parse_checkpoint(text)
    # then
    assert (head.origin, head.size, head.root.hex()[:8], head.extensions) == (
        "example.com/behind-the-sofa", 20852163, "0ac5186a", ())
    assert head.to_text() == text


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n1\n",  # no root line
        f"{ORIGIN}\n01\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",  # leading zero
        f"{ORIGIN}\n-1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",
        f"{ORIGIN}\n+1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",
        f"{ORIGIN}\n1 \nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",
        f"{ORIGIN}\n18446744073709551616\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",  # 2**64
        f"{ORIGIN}\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I\n",  # no padding
        f"{ORIGIN}\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7J=\n",  # stray low bits: not canonical
        f"{ORIGIN}\n1\nSBNJTRN-FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",  # URL-safe alphabet
        f"{ORIGIN}\n1\nAAAA\n",  # 3-byte root
        f"{ORIGIN}\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=",  # no final newline
        f"{ORIGIN}\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n\n",  # empty extension line
        "\n1\nSBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I=\n",  # empty origin
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    # when / then
    with pytest.raises(CheckpointFormatError):
        cp.parse_checkpoint(text)


def test_open_checkpoint_checks_signature_origin_and_quorum(
    log_signer: note.Signer, witnesses: list[note.Signer]
) -> None:
    # given
    signed = cp.sign_checkpoint(cp.Checkpoint(origin=ORIGIN, size=7, root=ROOT), log_signer)
    for w in witnesses[:2]:
        signed = cp.cosign_checkpoint(signed, w, timestamp=1_700_000_000)
    known = [w.verifier() for w in witnesses]
    # when
    opened = cp.open_checkpoint(signed, log_signer.verifier(), witnesses=known, quorum=2)
    # then
    assert (opened.checkpoint.size, opened.checkpoint.root) == (7, ROOT)
    assert [w.name for w in opened.witnesses] == ["w1.example", "w2.example"]
    with pytest.raises(WitnessQuorumError):
        cp.open_checkpoint(signed, log_signer.verifier(), witnesses=known, quorum=3)
    with pytest.raises(OriginMismatchError):
        cp.open_checkpoint(signed, log_signer.verifier(), origin="other.example/log")


def test_a_checkpoint_signed_only_by_witnesses_is_refused(
    log_signer: note.Signer, witnesses: list[note.Signer]
) -> None:
    # given
    body = cp.Checkpoint(origin=ORIGIN, size=7, root=ROOT).to_text()
    signed = note.sign_note(body, [witnesses[0]], timestamp=1)
    # when / then
    with pytest.raises(NoKnownSignatureError):
        cp.open_checkpoint(signed, log_signer.verifier(), witnesses=[witnesses[0].verifier()])


def test_a_signed_note_that_is_not_a_checkpoint_is_refused(log_signer: note.Signer) -> None:
    # given
    signed = note.sign_note("hello\n", [log_signer])
    # when / then
    with pytest.raises(CheckpointFormatError):
        cp.open_checkpoint(signed, log_signer.verifier())


def test_checkpoints_are_consistent_only_with_a_valid_proof() -> None:
    # given
    store = hashstore.MemoryHashStore(merkle.leaf_hash(bytes([i])) for i in range(10))
    empty = cp.Checkpoint(ORIGIN, 0, merkle.EMPTY_ROOT)
    old, new = cp.Checkpoint(ORIGIN, 4, store.root(4)), cp.Checkpoint(ORIGIN, 10, store.root(10))
    proof = hashstore.consistency_proof(4, 10, store)
    # when / then
    cp.verify_checkpoints_consistent(old, new, proof)
    cp.verify_checkpoints_consistent(empty, new, [])
    cp.verify_checkpoints_consistent(new, new, [])
    with pytest.raises(OriginMismatchError):
        cp.verify_checkpoints_consistent(cp.Checkpoint("other.example", 4, old.root), new, proof)
    with pytest.raises(RootMismatchError):
        cp.verify_checkpoints_consistent(cp.Checkpoint(ORIGIN, 0, ROOT), new, [])
    with pytest.raises(RootMismatchError):
        cp.verify_checkpoints_consistent(cp.Checkpoint(ORIGIN, 4, ROOT), new, proof)

"""C2SP signed notes: the two published vectors byte for byte, cosignatures, and every refusal."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from xinren.ledger import note
from xinren.ledger.errors import (
    DuplicateSignatureError,
    KeyFormatError,
    NoKnownSignatureError,
    NoteFormatError,
    SignatureInvalidError,
)

from ..conftest import shared_data


def _vectors() -> dict[str, Any]:
    return json.loads(shared_data("tlog-vectors", "signed_note_vectors.json").read_text())


def test_go_note_vector_verifies_and_signs_byte_for_byte() -> None:
    # given
    vector = _vectors()["go_note"]
    signer = note.Signer.from_skey(vector["skey"])
    verifier = note.Verifier.from_vkey(vector["vkey"])
    # when
    signed = note.sign_note(vector["text"], [signer])
    opened = note.open_note(vector["signed_note"], [verifier])
    # then
    assert signed == vector["signed_note"]
    assert opened.text == vector["text"]
    assert [v.verifier for v in opened.verified] == [verifier]
    assert opened.unverified == ()
    assert signer.verifier() == verifier
    assert (signer.skey, verifier.vkey) == (vector["skey"], vector["vkey"])
    assert f"{verifier.key_id:08x}" == "c74f20a3"


def test_c2sp_note_vector_verifies() -> None:
    # given
    vector = _vectors()["c2sp_note"]
    verifier = note.Verifier.from_vkey(vector["vkey"])
    # when
    opened = note.open_note(vector["signed_note"].encode(), [verifier])
    # then
    assert opened.text == "This is an example message.\n"
    assert opened.signed_by(verifier)
    assert note.parse_note(vector["signed_note"]).to_text() == vector["signed_note"]


def test_key_id_is_the_spec_hash() -> None:
    # given
    verifier = note.Verifier.from_vkey(_vectors()["c2sp_note"]["vkey"])
    # when
    key_id = note.key_id("example.com/foo", 0x01, verifier.public_key)
    # then
    assert key_id == 0x530D903A == verifier.key_id


@pytest.fixture
def log_signer() -> note.Signer:
    return note.Signer(name="log.example/xinren", seed=bytes(range(32)))


@pytest.fixture
def witness() -> note.Signer:
    return note.Signer(name="witness.example/w1", seed=bytes(range(32, 64)), sig_type=note.SIG_COSIGNATURE_V1)


def test_cosignatures_are_added_and_verified_with_their_timestamp(
    log_signer: note.Signer, witness: note.Signer
) -> None:
    # given
    signed = note.sign_note("log.example/xinren\n3\nAAAA\n", [log_signer])
    # when
    cosigned = note.add_signatures(signed, [witness], timestamp=1_700_000_000)
    opened = note.open_note(cosigned, [log_signer.verifier(), witness.verifier()])
    # then
    assert cosigned.startswith(signed)
    assert [(v.verifier.name, v.timestamp) for v in opened.verified] == [
        ("log.example/xinren", None),
        ("witness.example/w1", 1_700_000_000),
    ]
    assert note.Verifier.from_vkey(witness.verifier().vkey) == witness.verifier()
    assert note.Signer.from_skey(witness.skey) == witness


def test_unknown_signatures_are_ignored_but_reported(log_signer: note.Signer, witness: note.Signer) -> None:
    # given
    signed = note.add_signatures(note.sign_note("hello\n", [log_signer]), [witness], timestamp=1)
    # when
    opened = note.open_note(signed, [log_signer.verifier()])
    # then
    assert [v.verifier for v in opened.verified] == [log_signer.verifier()]
    assert [s.name for s in opened.unverified] == ["witness.example/w1"]


def test_a_note_without_a_known_signature_is_refused(log_signer: note.Signer, witness: note.Signer) -> None:
    # given
    signed = note.sign_note("hello\n", [log_signer])
    # when / then
    with pytest.raises(NoKnownSignatureError):
        note.open_note(signed, [witness.verifier()])


def test_same_name_other_key_is_unknown_not_wrong(log_signer: note.Signer) -> None:
    # given: an impostor key under the log's name has another key ID, so it is simply not known
    impostor = note.Signer(name=log_signer.name, seed=b"\x07" * 32)
    signed = note.sign_note("hello\n", [impostor])
    # when / then
    with pytest.raises(NoKnownSignatureError):
        note.open_note(signed, [log_signer.verifier()])


def test_a_tampered_text_is_refused(log_signer: note.Signer) -> None:
    # given
    signed = note.sign_note("pay 10\n", [log_signer])
    # when / then
    with pytest.raises(SignatureInvalidError):
        note.open_note(signed.replace("pay 10", "pay 99"), [log_signer.verifier()])


def test_a_duplicate_signature_by_a_known_key_is_refused(log_signer: note.Signer) -> None:
    # given
    signed = note.sign_note("hello\n", [log_signer])
    doubled = signed + signed.split("\n\n", 1)[1]
    # when / then
    with pytest.raises(DuplicateSignatureError):
        note.open_note(doubled, [log_signer.verifier()])
    with pytest.raises(DuplicateSignatureError):
        note.add_signatures(signed, [log_signer])


def test_a_cosignature_with_a_changed_timestamp_is_refused(log_signer: note.Signer, witness: note.Signer) -> None:
    # given
    cosigned = note.add_signatures(note.sign_note("hello\n", [log_signer]), [witness], timestamp=5)
    parsed = note.parse_note(cosigned)
    forged = note.NoteSignature(parsed.signatures[1].name, parsed.signatures[1].key_id,
                                (6).to_bytes(8, "big") + parsed.signatures[1].signature[8:])
    # when / then
    with pytest.raises(SignatureInvalidError):
        note.open_note(note.Note(parsed.text, (parsed.signatures[0], forged)).to_text(),
                       [log_signer.verifier(), witness.verifier()])


def _sig_line(name: str = "k", raw: bytes = b"\x00" * 68) -> str:
    return f"— {name} {base64.b64encode(raw).decode()}\n"


@pytest.mark.parametrize(
    "message",
    [
        "text\n",  # no blank line
        "text\n\n",  # no signature
        "text\n\n" + _sig_line().rstrip("\n"),  # last line without newline
        "text\n\n- k AAAAAAAA\n",  # hyphen, not em dash
        "text\n\n—k AAAAAAAA\n",  # no space after the dash
        "text\n\n" + _sig_line(name="a+b"),  # plus in the name
        "text\n\n" + _sig_line(name=""),  # empty name
        "text\n\n— k AAAA\n",  # too short for key ID and signature
        "text\n\n— k AAAAAAB=\n",  # non-canonical base64
        "text\n\n— k  AAAAAAAA\n",  # two spaces
        "te\x01xt\n\n" + _sig_line(),  # control character
        "text\r\n\n" + _sig_line(),  # carriage return
        "text\n\n" + _sig_line() * 101,  # too many signatures
    ],
)
def test_malformed_notes_are_refused(message: str) -> None:
    # when / then
    with pytest.raises(NoteFormatError):
        note.parse_note(message)


def test_invalid_utf8_is_refused() -> None:
    # when / then
    with pytest.raises(NoteFormatError):
        note.parse_note(b"caf\xe9\n\n" + _sig_line().encode())


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # key ID does not match
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # 7 hex digits
        "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown type 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # short key
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
        "PeterNeumann+c74f20a3",
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str) -> None:
    # when / then
    with pytest.raises(KeyFormatError):
        note.Verifier.from_vkey(vkey)


def test_malformed_signer_keys_are_refused() -> None:
    # given
    skey = _vectors()["go_note"]["skey"]
    # when / then
    for bad in (skey.replace("PRIVATE+KEY", "PUBLIC+KEY"), skey.replace("c74f20a3", "c74f20a4"), skey[:-4]):
        with pytest.raises(KeyFormatError):
            note.Signer.from_skey(bad)


def test_signing_refuses_text_without_final_newline(log_signer: note.Signer) -> None:
    # when / then
    with pytest.raises(NoteFormatError):
        note.sign_note("no newline", [log_signer])
    with pytest.raises(KeyFormatError):
        note.add_signatures(note.sign_note("x\n", [log_signer]),
                            [note.Signer("w", b"\x01" * 32, note.SIG_COSIGNATURE_V1)])  # cosigning needs a time

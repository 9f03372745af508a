"""DSSE envelopes: PAE bytes, signing and verifying, and strict parsing with clear refusals."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.ledger import dsse
from xinren.ledger.errors import (
    DuplicateSignatureError,
    EnvelopeFormatError,
    EnvelopeTooLargeError,
    NoKnownSignatureError,
    PayloadTypeError,
    SignatureInvalidError,
)

STATEMENT = '{"type":"trace.event","subject":"https://id.example/01/09506000134352/10/L1","time":"2025-01-01T00:00:00Z"}'


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(b"\x42" * 32)


@pytest.fixture
def second_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(b"\x43" * 32)


def test_pae_is_the_dsse_spec_encoding() -> None:
    # when / then
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert dsse.pae("类型", b"") == "DSSEv1 6 类型 0 ".encode()


def test_sign_then_verify_round_trips_through_json(key: Ed25519PrivateKey) -> None:
    # given
    keyid = dsse.key_id_for(key.public_key())
    envelope = dsse.sign_envelope(STATEMENT.encode(), key=key, keyid=keyid)
    # when
    data = envelope.to_json()
    verified = dsse.verify_envelope(data, {keyid: key.public_key()})
    # then
    assert json.loads(data)["payloadType"] == "application/vnd.xinren.statement+json"
    assert dsse.parse_envelope(data) == envelope
    assert verified.payload == STATEMENT.encode()
    assert verified.keyids == (keyid,)
    assert len(keyid) == 64


def test_countersignatures_and_unknown_keys(key: Ed25519PrivateKey, second_key: Ed25519PrivateKey) -> None:
    # given
    envelope = dsse.add_signature(dsse.sign_envelope(b"{}", key=key, keyid="a"), key=second_key, keyid="b")
    # when
    both = dsse.verify_envelope(envelope, {"a": key.public_key(), "b": second_key.public_key().public_bytes_raw()})
    one = dsse.verify_envelope(envelope, {"b": second_key.public_key()})
    # then
    assert both.keyids == ("a", "b")
    assert one.keyids == ("b",)
    with pytest.raises(NoKnownSignatureError):
        dsse.verify_envelope(envelope, {"c": key.public_key()})
    with pytest.raises(DuplicateSignatureError):
        dsse.add_signature(envelope, key=key, keyid="a")


def test_a_changed_payload_or_type_does_not_verify(key: Ed25519PrivateKey) -> None:
    # given
    document = json.loads(dsse.sign_envelope(b'{"n":1}', key=key, keyid="a").to_json())
    tampered = dict(document, payload=base64.b64encode(b'{"n":2}').decode())
    retyped = dict(document, payloadType="application/json")
    # when / then
    with pytest.raises(SignatureInvalidError):
        dsse.verify_envelope(json.dumps(tampered), {"a": key.public_key()})
    with pytest.raises(PayloadTypeError):
        dsse.verify_envelope(json.dumps(retyped), {"a": key.public_key()})
    with pytest.raises(SignatureInvalidError):
        dsse.verify_envelope(json.dumps(retyped), {"a": key.public_key()}, payload_type="application/json")


def test_a_signature_by_the_wrong_key_is_refused(key: Ed25519PrivateKey, second_key: Ed25519PrivateKey) -> None:
    # given
    envelope = dsse.sign_envelope(b"{}", key=key, keyid="a")
    # when / then
    with pytest.raises(SignatureInvalidError):
        dsse.verify_envelope(envelope, {"a": second_key.public_key()})


def test_url_safe_base64_is_accepted(key: Ed25519PrivateKey) -> None:
    # given: DSSE allows either alphabet; this payload's standard encoding has + and /
    payload = b"\xfb\xff\xfe" * 3
    envelope = dsse.sign_envelope(payload, key=key, keyid="a")
    document = json.loads(envelope.to_json())
    document["payload"] = base64.urlsafe_b64encode(payload).decode()
    # when
    parsed = dsse.parse_envelope(json.dumps(document))
    # then
    assert "-" in document["payload"] or "_" in document["payload"]
    assert parsed == envelope


def _envelope(**changes: object) -> str:
    document: dict[str, object] = {
        "payload": base64.b64encode(b"{}").decode(),
        "payloadType": dsse.STATEMENT_PAYLOAD_TYPE,
        "signatures": [{"keyid": "a", "sig": base64.b64encode(b"\x00" * 64).decode()}],
    }
    document.update(changes)
    return json.dumps({k: v for k, v in document.items() if v is not None})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("not json", "not JSON"),
        ("[]", "JSON object"),
        (_envelope(extra=1), "unexpected: ['extra']"),
        (_envelope(payload=None), "missing: ['payload']"),
        (_envelope(payload=""), "payload is empty"),
        (_envelope(payload="e30"), "payload is not padded standard base64"),
        (_envelope(payload="e3 0="), "payload is not padded standard base64"),
        (_envelope(payload=12), "payload must be a base64 string"),
        (_envelope(payloadType=""), "payloadType must be a non-empty string"),
        (_envelope(signatures=[]), "signatures must be a list of 1..16"),
        (_envelope(signatures=[{"keyid": "a"}]), "signature 0 must be an object with sig"),
        (_envelope(signatures=[{"sig": "AA==", "extra": 1}]), "signature 0 must be an object with sig"),
        (_envelope(signatures=[{"sig": "AA==", "keyid": 5}]), "signature 0 keyid must be a string"),
        ('{"payload":"e30=","payload":"e30=","payloadType":"t","signatures":[]}', "repeats the member 'payload'"),
        (b"\xff\xfe", "not UTF-8"),
        ('{"payload":NaN}', "NaN"),
    ],
)
def test_malformed_envelopes_are_refused_with_a_clear_message(data: str | bytes, fragment: str) -> None:
    # when
    with pytest.raises(EnvelopeFormatError) as refused:
        dsse.parse_envelope(data)
    # then
    assert fragment in str(refused.value)
    assert refused.value.code == "envelope_malformed"


def test_oversize_envelopes_are_refused(key: Ed25519PrivateKey) -> None:
    # given
    big = json.dumps({"pad": "x" * 70_000}).encode()
    # when / then
    with pytest.raises(EnvelopeTooLargeError) as parsed:
        dsse.parse_envelope(_envelope(payload=base64.b64encode(big).decode()))
    with pytest.raises(EnvelopeTooLargeError):
        dsse.sign_envelope(big, key=key, keyid="a")
    assert parsed.value.code == "envelope_too_large"
    assert "at most 65535" in str(parsed.value)


def test_the_largest_envelope_fits_one_log_entry(key: Ed25519PrivateKey) -> None:
    # given: find the largest payload whose envelope is still accepted
    overhead = len(dsse.sign_envelope(b"x" * 3, key=key, keyid="a").to_json()) - 4
    payload = b"x" * ((dsse.MAX_ENVELOPE_SIZE - overhead) // 4 * 3)
    # when
    data = dsse.sign_envelope(payload, key=key, keyid="a").to_json()
    # then
    assert dsse.MAX_ENVELOPE_SIZE - 4 < len(data) <= dsse.MAX_ENVELOPE_SIZE
    assert dsse.parse_envelope(data).payload == payload

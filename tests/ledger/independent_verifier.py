"""An item-bundle verifier written apart from the project: only hashlib, base64, json and `cryptography`.

It reads docs/ledger.md ("Verify on your phone"), not Xinren's code, and imports nothing from xinren. If it and
`xinren.ledger.item_bundle` ever disagree on a bundle, one of them is wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Refused(Exception):
    pass


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError):
        raise Refused("bad base64") from None


def _ed25519(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _checkpoint(note: str, vkey: str) -> tuple[int, bytes]:
    name, key_hash, material_b64 = vkey.split("+", 2)
    material = _b64(material_b64)
    if len(material) != 33 or material[0] != 1:
        raise Refused("log key")
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    key_id = _sha(name.encode() + b"\n" + material)[:4]
    if key_id.hex() != key_hash:
        raise Refused("log key id")
    good = [
        line for line in signatures.split("\n") if line.startswith(f"— {name} ")
        and (sig := _b64(line.split(" ")[2]))[:4] == key_id and _ed25519(material[1:], sig[4:], text.encode())
    ]
    if not good:
        raise Refused("checkpoint signature")
    origin, size, root = text.split("\n")[:3]
    if origin != name:
        raise Refused("origin")
    return int(size), _b64(root)


def _included(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _sha(b"\x01", p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = _sha(b"\x01", r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def _pae(payload_type: str, body: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 " + str(len(t)).encode() + b" " + t + b" " + str(len(body)).encode() + b" " + body


def verify(bundle_text: str, vkey: str) -> list[dict]:
    """The statements of a bundle that verifies completely; raises Refused otherwise."""
    bundle = json.loads(bundle_text)
    if bundle.get("format") != "xinren.ledger.item-bundle/v1" or bundle.get("log_key") != vkey:
        raise Refused("format or log key")
    size, root = _checkpoint(bundle["checkpoint"], vkey)
    keys = {}
    for key in bundle["keys"]:
        public = _b64(key["public_key"])
        if hashlib.sha256(public).hexdigest() != key["key_id"] or key["key_id"] in keys:
            raise Refused("key id")
        keys[key["key_id"]] = (key, public)
    statements: dict[int, tuple[dict, list[dict]]] = {}
    for record in bundle["records"]:
        entry, index = _b64(record["entry"]), record["index"]
        if index in statements or not _included(_sha(b"\x00", entry), index, size,
                                                [_b64(h) for h in record["inclusion_path"]], root):
            raise Refused(f"inclusion of entry {index}")
        envelope = json.loads(entry)
        if envelope["payloadType"] != "application/vnd.xinren.statement+json":
            raise Refused("payload type")
        payload = _b64(envelope["payload"])
        signers = []
        for signature in envelope["signatures"]:
            if signature.get("keyid") in keys:
                key, public = keys[signature["keyid"]]
                message = _pae(envelope["payloadType"], payload)
                if key in signers or not _ed25519(public, _b64(signature["sig"]), message):
                    raise Refused(f"signature on entry {index}")
                signers.append(key)
        if not signers:
            raise Refused(f"no known signer of entry {index}")
        statements[index] = (json.loads(payload), signers)
    for key, public in keys.values():
        statement, signers = statements.get(key["registered_at"], ({}, []))
        by_registrar = [s for s in signers if s["owner"] == "platform"]
        said = statement.get("key") or {}
        if not by_registrar or statement.get("type") not in ("key.register", "key.rotate") \
                or statement.get("subject") != key["owner"] or said.get("id") != key["key_id"] \
                or said.get("public_key") != base64.b64encode(public).decode():
            raise Refused(f"key {key['key_id'][:8]} not registered")
        if key["owner"] == "platform" and (key["registered_at"] != 0 or by_registrar[0] is not key):
            raise Refused("registrar is not the self-signed entry 0")
    return [statement for statement, _signers in statements.values()]

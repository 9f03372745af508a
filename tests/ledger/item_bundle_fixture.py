"""A small log made in memory and an item bundle of it: the registrar (entry 0), a merchant's key registered by it,
and `records` statements the merchant signed. Shared by the core, CLI, independent, browser tests and the benchmark.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.ledger.checkpoint import Checkpoint, sign_checkpoint
from xinren.ledger.dsse import key_id_for, sign_envelope
from xinren.ledger.hashstore import MemoryHashStore, inclusion_proof
from xinren.ledger.item_bundle import BundleKey, BundleRecord, ItemBundle
from xinren.ledger.merkle import leaf_hash
from xinren.ledger.note import Signer

ORIGIN = "xinren.test/log"
STEPS = ["harvesting", "commissioning", "inspecting", "packing", "shipping", "receiving", "storing"]


def _seed(name: str) -> bytes:
    return hashlib.sha256(b"xinren test " + name.encode()).digest()


def _key_statement(owner: str, public: bytes) -> dict[str, Any]:
    return {"type": "key.register", "subject": owner, "key": {
        "id": key_id_for(public), "algorithm": "ed25519", "public_key": base64.b64encode(public).decode(),
        "custodial": True}}


def _record_statement(n: int) -> dict[str, Any]:
    if n % 4 == 3:
        return {"type": "evidence.media", "subject": "https://xinren.test/01/06975830100012/10/L1", "sha256": "ab" * 32,
                "mediaType": "image/jpeg", "purpose": "origin", "caption": f"采摘现场 {n}"}
    step = STEPS[n % len(STEPS)]
    return {"type": "trace.event", "subject": "https://xinren.test/01/06975830100012/10/L1", "recorder": "org:2",
            "event": {"type": "ObjectEvent", "bizStep": f"urn:xinren:voc:bizstep:{step}",
                      "eventTime": f"2026-11-{n + 1:02d}T06:30:00+08:00"}}


def make_item_bundle(records: int = 12) -> tuple[str, str]:
    """(bundle JSON, the log's verifier key)."""
    # A log key whose base64 holds a "+", as real ones often do (the key string is name+id+key).
    logs = (Signer(name=ORIGIN, seed=_seed(f"log{n}")) for n in range(64))
    log = next(s for s in logs if "+" in s.verifier().vkey.split("+", 2)[2])
    registrar = Ed25519PrivateKey.from_private_bytes(_seed("registrar"))
    merchant = Ed25519PrivateKey.from_private_bytes(_seed("merchant"))
    reg_pub, mer_pub = (k.public_key().public_bytes_raw() for k in (registrar, merchant))
    signed = [
        (registrar, key_id_for(reg_pub), _key_statement("platform", reg_pub)),
        (registrar, key_id_for(reg_pub), _key_statement("org:2", mer_pub)),
        *((merchant, key_id_for(mer_pub), _record_statement(n)) for n in range(records)),
    ]
    entries = [
        sign_envelope(json.dumps(s, ensure_ascii=False, sort_keys=True).encode(), key=key, keyid=kid).to_json()
        for key, kid, s in signed
    ]
    store = MemoryHashStore(leaf_hash(e) for e in entries)
    size = store.size
    checkpoint = sign_checkpoint(Checkpoint(origin=ORIGIN, size=size, root=store.root()), log)
    sections = ["keys", "keys", *("album" if n % 4 == 3 else "events" for n in range(records))]
    bundle = ItemBundle(
        item={"path": "/01/06975830100012/10/L1/21/S1", "uri": "https://xinren.test/01/06975830100012/10/L1/21/S1",
              "gtin": "06975830100012", "lot": "L1", "serial": "S1", "product": "野生牛肝菌"},
        log_key=log.verifier().vkey,
        checkpoint=checkpoint,
        keys=(
            BundleKey(key_id=key_id_for(reg_pub), public_key=reg_pub, owner="platform", name="", kind="registrar",
                      registered_at=0),
            BundleKey(key_id=key_id_for(mer_pub), public_key=mer_pub, owner="org:2", name="楚雄山珍", kind="merchant",
                      registered_at=1),
        ),
        records=tuple(
            BundleRecord(index=i, section=sections[i], entry=e, inclusion_path=tuple(inclusion_proof(i, size, store)))
            for i, e in [*list(enumerate(entries))[2:], (0, entries[0]), (1, entries[1])]
        ),
    )
    return bundle.to_json(), log.verifier().vkey


def tampered(bundle_json: str, how: str) -> str:
    """The bundle changed the way an attacker or a careless operator would."""
    document = json.loads(bundle_json)
    record = document["records"][0]
    if how == "statement":  # the record's statement says something else (signature no longer matches)
        envelope = json.loads(base64.b64decode(record["entry"]))
        statement = json.loads(base64.b64decode(envelope["payload"]))
        statement["event"]["eventTime"] = "2026-10-01T06:30:00+08:00"
        envelope["payload"] = base64.b64encode(json.dumps(statement, sort_keys=True).encode()).decode()
        record["entry"] = base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode()
    elif how == "path":  # an inclusion path hash flipped
        path = bytearray(base64.b64decode(record["inclusion_path"][0]))
        path[0] ^= 1
        record["inclusion_path"][0] = base64.b64encode(bytes(path)).decode()
    elif how == "checkpoint":  # the signed tree size changed
        lines = document["checkpoint"].split("\n")
        lines[1] = str(int(lines[1]) + 1)
        document["checkpoint"] = "\n".join(lines)
    elif how == "key":  # the merchant's key swapped for another one (not registered)
        other = Ed25519PrivateKey.from_private_bytes(_seed("impostor")).public_key().public_bytes_raw()
        document["keys"][1]["public_key"] = base64.b64encode(other).decode()
        document["keys"][1]["key_id"] = key_id_for(other)
    elif how == "dropped_registration":  # the merchant key's registration left out
        document["records"] = [r for r in document["records"] if r["index"] != 1]
    else:
        raise ValueError(how)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


TAMPERINGS = ["statement", "path", "checkpoint", "key", "dropped_registration"]

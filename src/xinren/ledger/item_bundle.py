"""Item proof bundles: every signed record an item page shows, in one document a phone can check alone.

    {"format": "xinren.ledger.item-bundle/v1",
     "item": {"path", "uri", "gtin", "lot", "serial", "product"},       what the page is about (not signed)
     "log_key": "<C2SP verifier key of the log>",
     "checkpoint": "<signed checkpoint note, with any cosignatures>",
     "keys": [{"key_id", "public_key", "owner", "name", "kind", "registered_at"}],
     "records": [{"index", "section", "entry", "inclusion_path"}],
     "omitted": [{"leaf_hash", "state"}]}                              shown on the page but not yet provable

Every record is a log entry (the DSSE envelope bytes, base64) with its inclusion path to the one checkpoint.
The keys that signed them are records too: each key's `key.register` (or `key.rotate`) statement, signed by the
log's registrar, is in `records` at `registered_at`, and the registrar's own self-signed registration is entry 0
of every Xinren log. So one trusted key, the log's, checks everything: the checkpoint, every inclusion, the
registrar, every signer's key, every record's signature. Names and kinds of organizations are labels the
platform adds, not signed facts; the owner (`org:<id>`) is signed in the key's registration.

`verify_item_bundle` answers, for the whole bundle, yes or the first check that failed (as `verify_bundle`).
An independent implementation lives in tests/ledger/independent_verifier.py, and one in JavaScript in the
consumer page's verify.js: all three must agree (docs/ledger.md, "Verify on your phone").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .b64 import b64decode, b64encode
from .checkpoint import Checkpoint, open_checkpoint
from .dsse import STATEMENT_PAYLOAD_TYPE, key_id_for, parse_envelope, verify_envelope
from .errors import (
    BundleFormatError,
    InvalidTreeSizeError,
    KeyNotRegisteredError,
    LedgerError,
    LogKeyMismatchError,
)
from .merkle import HASH_SIZE, leaf_hash, verify_inclusion
from .note import Verifier
from .strict_json import unique_members

ITEM_BUNDLE_FORMAT = "xinren.ledger.item-bundle/v1"
MAX_ITEM_BUNDLE_SIZE = 8 << 20
MAX_RECORDS = 2000
REGISTRAR_OWNER = "platform"
KEY_STATEMENTS = ("key.register", "key.rotate")
_MEMBERS = {"format", "item", "log_key", "checkpoint", "keys", "records", "omitted"}
_KEY_MEMBERS = {"key_id", "public_key", "owner", "name", "kind", "registered_at"}
_RECORD_MEMBERS = {"index", "section", "entry", "inclusion_path"}


@dataclass(frozen=True)
class BundleKey:
    """A signer's public key, who holds it, and where its registration sits in the log."""

    key_id: str
    public_key: bytes
    owner: str
    name: str
    kind: str
    registered_at: int


@dataclass(frozen=True)
class BundleRecord:
    """One log entry of the item: the envelope bytes, its index, and its inclusion path to the checkpoint."""

    index: int
    section: str
    entry: bytes
    inclusion_path: tuple[bytes, ...]


@dataclass(frozen=True)
class ItemBundle:
    item: Mapping[str, Any]
    log_key: str
    checkpoint: str
    keys: tuple[BundleKey, ...]
    records: tuple[BundleRecord, ...]
    omitted: tuple[Mapping[str, str], ...] = ()

    def to_json(self) -> str:
        document = {
            "format": ITEM_BUNDLE_FORMAT,
            "item": dict(self.item),
            "log_key": self.log_key,
            "checkpoint": self.checkpoint,
            "keys": [
                {"key_id": k.key_id, "public_key": b64encode(k.public_key), "owner": k.owner, "name": k.name,
                 "kind": k.kind, "registered_at": k.registered_at}
                for k in self.keys
            ],
            "records": [
                {"index": r.index, "section": r.section, "entry": b64encode(r.entry),
                 "inclusion_path": [b64encode(h) for h in r.inclusion_path]}
                for r in self.records
            ],
            "omitted": [dict(o) for o in self.omitted],
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise BundleFormatError(message)


def _index(value: object, what: str) -> int:
    whole = isinstance(value, int) and not isinstance(value, bool)
    _need(whole and value >= 0, f"{what} must be a non-negative integer")  # type: ignore[operator]
    assert isinstance(value, int)
    return value


def _text(value: object, what: str) -> str:
    _need(isinstance(value, str), f"{what} must be text")
    assert isinstance(value, str)
    return value


def _hash(value: object, what: str) -> bytes:
    data = b64decode(_text(value, what), what=what, error=BundleFormatError)
    _need(len(data) == HASH_SIZE, f"{what} is {len(data)} bytes, not {HASH_SIZE}")
    return data


def parse_item_bundle(data: str | bytes) -> ItemBundle:
    """Parse the JSON document strictly: exactly the members above, no repeated member, canonical base64."""
    if isinstance(data, bytes):
        _need(len(data) <= MAX_ITEM_BUNDLE_SIZE, f"an item bundle is at most {MAX_ITEM_BUNDLE_SIZE} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleFormatError("the item bundle is not UTF-8") from None
    try:
        document = json.loads(data, object_pairs_hook=unique_members(what="item bundle", error=BundleFormatError))
    except json.JSONDecodeError as exc:
        raise BundleFormatError(f"the item bundle is not JSON: {exc.msg} at line {exc.lineno}") from None
    _need(isinstance(document, dict) and document.get("format") == ITEM_BUNDLE_FORMAT,
          f"an item bundle is a JSON object with format {ITEM_BUNDLE_FORMAT!r}")
    _need(set(document) == _MEMBERS, f"item bundle members must be {sorted(_MEMBERS)}")
    item, keys, records, omitted = document["item"], document["keys"], document["records"], document["omitted"]
    _need(isinstance(item, dict), "item must be an object")
    _need(isinstance(keys, list) and isinstance(records, list) and isinstance(omitted, list),
          "keys, records and omitted must be lists")
    _need(len(records) <= MAX_RECORDS, f"an item bundle holds at most {MAX_RECORDS} records")
    parsed_keys = []
    for i, key in enumerate(keys):
        _need(isinstance(key, dict) and set(key) == _KEY_MEMBERS, f"keys[{i}] members must be {sorted(_KEY_MEMBERS)}")
        public = b64decode(_text(key["public_key"], f"keys[{i}].public_key"), what=f"keys[{i}].public_key",
                           error=BundleFormatError)
        _need(len(public) == 32, f"keys[{i}].public_key must be 32 bytes")
        parsed_keys.append(BundleKey(
            key_id=_text(key["key_id"], f"keys[{i}].key_id"), public_key=public,
            owner=_text(key["owner"], f"keys[{i}].owner"), name=_text(key["name"], f"keys[{i}].name"),
            kind=_text(key["kind"], f"keys[{i}].kind"), registered_at=_index(key["registered_at"],
                                                                             f"keys[{i}].registered_at"),
        ))
    parsed_records = []
    for i, record in enumerate(records):
        _need(isinstance(record, dict) and set(record) == _RECORD_MEMBERS,
              f"records[{i}] members must be {sorted(_RECORD_MEMBERS)}")
        path = record["inclusion_path"]
        _need(isinstance(path, list), f"records[{i}].inclusion_path must be a list")
        parsed_records.append(BundleRecord(
            index=_index(record["index"], f"records[{i}].index"), section=_text(record["section"], f"records[{i}]"),
            entry=b64decode(_text(record["entry"], f"records[{i}].entry"), what=f"records[{i}].entry",
                            error=BundleFormatError),
            inclusion_path=tuple(_hash(h, f"records[{i}].inclusion_path[{j}]") for j, h in enumerate(path)),
        ))
    for i, entry in enumerate(omitted):
        _need(isinstance(entry, dict) and all(isinstance(v, str) for v in entry.values()),
              f"omitted[{i}] must be an object of strings")
    return ItemBundle(
        item=item, log_key=_text(document["log_key"], "log_key"),
        checkpoint=_text(document["checkpoint"], "checkpoint"),
        keys=tuple(parsed_keys), records=tuple(parsed_records), omitted=tuple(omitted),
    )


@dataclass(frozen=True)
class VerifiedRecord:
    """A record whose inclusion and signature verified: what it states and who signed it."""

    index: int
    section: str
    statement: dict[str, Any]
    signers: tuple[BundleKey, ...]

    @property
    def statement_type(self) -> str:
        return str(self.statement.get("type", ""))


@dataclass(frozen=True)
class ItemVerdict:
    """Yes, with every record verified; or no, with the check that failed, its code and the record's index."""

    ok: bool
    check: str
    code: str
    message: str
    checkpoint: Checkpoint | None = None
    records: tuple[VerifiedRecord, ...] = field(default=())
    index: int | None = None
    omitted: tuple[Mapping[str, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return self.ok


def _statement(payload: bytes, index: int) -> dict[str, Any]:
    try:
        statement = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleFormatError(f"entry {index} does not carry a JSON statement") from None
    _need(isinstance(statement, dict), f"entry {index} does not carry a JSON object")
    return statement


def _check_key_registration(key: BundleKey, statement: dict[str, Any], signer: BundleKey | None) -> None:
    said = statement.get("key")
    registered = (
        statement.get("type") in KEY_STATEMENTS
        and statement.get("subject") == key.owner
        and isinstance(said, dict)
        and said.get("id") == key.key_id
        and said.get("public_key") == b64encode(key.public_key)
    )
    if not registered or signer is None or signer.owner != REGISTRAR_OWNER:
        raise KeyNotRegisteredError(f"key {key.key_id[:16]}… is not registered to {key.owner} by the log's registrar "
                                    f"in entry {key.registered_at}")


def verify_item_bundle(
    bundle: ItemBundle | str | bytes,
    vkey: str | Verifier,
    *,
    witnesses: Iterable[str | Verifier] = (),
    quorum: int = 0,
) -> ItemVerdict:
    """Check a whole item bundle against the log's verifier key (the one you trust, not the bundle's own).

    Checks, in order: bundle (strict JSON), log_key (the bundle names the trusted key), checkpoint (log signature,
    origin, witness quorum), then for each record: index, inclusion, signature (the envelope verifies with a listed
    key); then keys (the registrar is the self-signed entry 0, every other signer key is registered by it).
    """
    check, index = "bundle", None
    checkpoint: Checkpoint | None = None
    try:
        if not isinstance(bundle, ItemBundle):
            bundle = parse_item_bundle(bundle)
        check = "log_key"
        log_key = vkey if isinstance(vkey, Verifier) else Verifier.from_vkey(vkey)
        witness_keys = [w if isinstance(w, Verifier) else Verifier.from_vkey(w) for w in witnesses]
        if bundle.log_key.strip() != log_key.vkey:
            raise LogKeyMismatchError("the bundle names another log key than the one you trust")
        check = "checkpoint"
        opened = open_checkpoint(bundle.checkpoint, log_key, witnesses=witness_keys, quorum=quorum)
        checkpoint = opened.checkpoint
        keys = {k.key_id: k for k in bundle.keys}
        check = "bundle"
        _need(len(keys) == len(bundle.keys), "a key is listed twice")
        for key in bundle.keys:
            _need(key_id_for(key.public_key) == key.key_id, f"key id {key.key_id[:16]}… is not its key's SHA-256")
        public = {key_id: key.public_key for key_id, key in keys.items()}
        verified: dict[int, VerifiedRecord] = {}
        for record in bundle.records:
            index = record.index
            check = "bundle"
            _need(index not in verified, f"entry {index} is in the bundle twice")
            check = "index"
            if index >= checkpoint.size:
                raise InvalidTreeSizeError(f"entry {index} is not inside the checkpoint's tree of {checkpoint.size}")
            check = "inclusion"
            verify_inclusion(leaf_hash(record.entry), index, checkpoint.size, record.inclusion_path, checkpoint.root)
            check = "signature"
            envelope = parse_envelope(record.entry)
            signed = verify_envelope(envelope, public, payload_type=STATEMENT_PAYLOAD_TYPE)
            verified[index] = VerifiedRecord(
                index=index, section=record.section, statement=_statement(signed.payload, index),
                signers=tuple(keys[k] for k in signed.keyids),
            )
        check = "keys"
        for key in bundle.keys:
            index = key.registered_at
            registration = verified.get(index)
            if registration is None:
                raise KeyNotRegisteredError(f"the registration of key {key.key_id[:16]}… (entry {index}) is missing")
            by_registrar = next((s for s in registration.signers if s.owner == REGISTRAR_OWNER), None)
            # The trust root: entry 0 of every Xinren log is the registrar registering itself.
            if key.owner == REGISTRAR_OWNER and (index != 0 or by_registrar is not key):
                raise KeyNotRegisteredError("the registrar's key must be the self-signed entry 0")
            _check_key_registration(key, registration.statement, by_registrar)
        index = None
    except LedgerError as exc:
        return ItemVerdict(ok=False, check=check, code=exc.code, message=exc.message, checkpoint=checkpoint,
                           index=index)
    return ItemVerdict(
        ok=True, check="all", code="ok",
        message=f"{len(verified)} records are in {checkpoint.origin} at size {checkpoint.size}, each signed by a "
                f"registered key",
        checkpoint=checkpoint, records=tuple(verified.values()), omitted=bundle.omitted,
    )


def is_item_bundle(data: bytes | str) -> bool:
    """Whether a file looks like an item bundle (the CLI tells it from a single-entry bundle this way)."""
    head = data[:200] if isinstance(data, str) else data[:200].decode("utf-8", "replace")
    return head.lstrip().startswith("{") and ITEM_BUNDLE_FORMAT in head


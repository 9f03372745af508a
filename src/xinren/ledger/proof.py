"""Offline proof bundles: everything a third party needs to check that an entry is in the log.

A bundle holds the entry bytes, its index, the inclusion path and the log's signed checkpoint (with any
witness cosignatures). It has two spellings that carry the same data:

- text: exactly c2sp.org/tlog-proof@v1, with the entry in the `extra` line (the spec names "data
  necessary to reconstruct the record hash" as a use of extra data; it is never trusted, only hashed and
  checked against the checkpoint). Without an `extra` line the bundle is detached and the entry is
  supplied separately.
- JSON: {"format": "xinren.ledger.proof/v1", "entry", "index", "inclusion_path", "checkpoint"}.

`verify_bundle` answers yes, or no with the check that failed and its stable code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .b64 import b64decode, b64encode
from .checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from .errors import BundleFormatError, EntryTooLargeError, InvalidTreeSizeError, LedgerError
from .hashstore import HashReader, inclusion_proof
from .merkle import HASH_SIZE, leaf_hash, verify_inclusion
from .note import Verifier, parse_note
from .strict_json import unique_members
from .tiles import MAX_ENTRY_SIZE

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
JSON_FORMAT = "xinren.ledger.proof/v1"
MAX_BUNDLE_SIZE = 2 << 20
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")


@dataclass(frozen=True)
class ProofBundle:
    """An entry, where it sits, and the signed tree head its inclusion path leads to."""

    entry: bytes | None
    index: int
    inclusion_path: tuple[bytes, ...]
    checkpoint: str

    def to_text(self) -> str:
        """The c2sp.org/tlog-proof@v1 text (the entry in `extra` unless detached)."""
        lines = [TLOG_PROOF_HEADER]
        if self.entry is not None:
            lines.append(f"extra {b64encode(self.entry)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.inclusion_path)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    def to_json(self) -> str:
        document: dict[str, Any] = {"format": JSON_FORMAT}
        if self.entry is not None:
            document["entry"] = b64encode(self.entry)
        document |= {
            "index": self.index,
            "inclusion_path": [b64encode(h) for h in self.inclusion_path],
            "checkpoint": self.checkpoint,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def make_bundle(*, entry: bytes, index: int, signed_checkpoint: str, reader: HashReader) -> ProofBundle:
    """Build the bundle of entry `index` against a signed checkpoint, reading hashes from the store."""
    checkpoint = parse_checkpoint(parse_note(signed_checkpoint).text)
    path = inclusion_proof(index, checkpoint.size, reader)
    return ProofBundle(entry=entry, index=index, inclusion_path=tuple(path), checkpoint=signed_checkpoint)


def _hash_line(text: str, what: str) -> bytes:
    value = b64decode(text, what=what, error=BundleFormatError)
    if len(value) != HASH_SIZE:
        raise BundleFormatError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")
    return value


def parse_tlog_proof(text: str) -> ProofBundle:
    """Parse the c2sp.org/tlog-proof@v1 text strictly."""
    header, _, rest = text.partition("\n")
    if header != TLOG_PROOF_HEADER:
        raise BundleFormatError(f"a proof starts with the line {TLOG_PROOF_HEADER}")
    head, blank, checkpoint = rest.partition("\n\n")
    if not blank or not checkpoint:
        raise BundleFormatError("a proof needs an empty line and then the checkpoint")
    lines = head.split("\n")
    entry = None
    if lines[0].startswith("extra "):
        entry = b64decode(lines.pop(0)[len("extra ") :], what="extra data", error=BundleFormatError)
    match = _INDEX.fullmatch(lines[0]) if lines else None
    if not match:
        raise BundleFormatError("a proof needs the line `index <decimal, no leading zeroes>`")
    path = tuple(_hash_line(line, f"inclusion proof line {i + 1}") for i, line in enumerate(lines[1:]))
    return ProofBundle(entry=entry, index=int(match.group(1)), inclusion_path=path, checkpoint=checkpoint)


def parse_bundle_json(text: str) -> ProofBundle:
    """Parse the JSON spelling strictly."""
    try:
        document = json.loads(text, object_pairs_hook=unique_members(what="bundle JSON", error=BundleFormatError))
    except json.JSONDecodeError as exc:
        raise BundleFormatError(f"bundle is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise BundleFormatError(f"bundle JSON must be an object with format {JSON_FORMAT!r}")
    required = {"format", "index", "inclusion_path", "checkpoint"}
    if not required <= set(document) <= required | {"entry"}:
        raise BundleFormatError(f"bundle JSON members must be {sorted(required)} and optionally 'entry'")
    index, path, checkpoint = document["index"], document["inclusion_path"], document["checkpoint"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise BundleFormatError("bundle index must be a non-negative integer")
    if not isinstance(path, list) or not all(isinstance(h, str) for h in path):
        raise BundleFormatError("bundle inclusion_path must be a list of base64 hashes")
    if not isinstance(checkpoint, str):
        raise BundleFormatError("bundle checkpoint must be the signed checkpoint text")
    entry = None
    if "entry" in document:
        if not isinstance(document["entry"], str):
            raise BundleFormatError("bundle entry must be base64 text")
        entry = b64decode(document["entry"], what="bundle entry", error=BundleFormatError)
    hashes = tuple(_hash_line(h, f"inclusion_path[{i}]") for i, h in enumerate(path))
    return ProofBundle(entry=entry, index=index, inclusion_path=hashes, checkpoint=checkpoint)


def parse_bundle(data: str | bytes) -> ProofBundle:
    """Parse either spelling, told apart by their first character."""
    if isinstance(data, bytes):
        if len(data) > MAX_BUNDLE_SIZE:
            raise BundleFormatError(f"bundle is larger than {MAX_BUNDLE_SIZE} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleFormatError("bundle is not UTF-8") from None
    if not isinstance(data, str):
        raise BundleFormatError("a bundle is text")
    if len(data) > MAX_BUNDLE_SIZE:
        raise BundleFormatError(f"bundle is larger than {MAX_BUNDLE_SIZE} characters")
    if data.lstrip().startswith("{"):
        return parse_bundle_json(data)
    return parse_tlog_proof(data)


@dataclass(frozen=True)
class BundleVerdict:
    """Yes, or no with the check that failed (`check`) and the failure's stable `code`."""

    ok: bool
    check: str
    code: str
    message: str
    checkpoint: Checkpoint | None = None
    leaf_hash: bytes | None = None
    witnesses: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.ok


def verify_bundle(
    bundle: ProofBundle | str | bytes,
    vkey: str | Verifier,
    *,
    entry: bytes | None = None,
    origin: str | None = None,
    witnesses: Iterable[str | Verifier] = (),
    quorum: int = 0,
) -> BundleVerdict:
    """Check a bundle against the log's verifier key (and optionally a witness quorum), offline.

    `entry` supplies the entry of a detached bundle, or must equal the bundle's own. `origin` defaults
    to the log key's name. Checks run in order: bundle, log_key, entry, checkpoint, index, inclusion.
    """
    check = "bundle"
    checkpoint: Checkpoint | None = None
    leaf: bytes | None = None
    try:
        if not isinstance(bundle, ProofBundle):
            bundle = parse_bundle(bundle)
        check = "log_key"
        log_key = vkey if isinstance(vkey, Verifier) else Verifier.from_vkey(vkey)
        witness_keys = [w if isinstance(w, Verifier) else Verifier.from_vkey(w) for w in witnesses]
        check = "entry"
        if entry is not None and bundle.entry is not None and entry != bundle.entry:
            raise BundleFormatError("the entry given differs from the entry in the bundle")
        data = bundle.entry if entry is None else entry
        if data is None:
            raise BundleFormatError("the bundle is detached and no entry was given")
        if len(data) > MAX_ENTRY_SIZE:
            raise EntryTooLargeError(f"entry is {len(data)} bytes; log entries are at most {MAX_ENTRY_SIZE}")
        leaf = leaf_hash(data)
        check = "checkpoint"
        opened = open_checkpoint(bundle.checkpoint, log_key, origin=origin, witnesses=witness_keys, quorum=quorum)
        checkpoint = opened.checkpoint
        check = "index"
        if bundle.index >= checkpoint.size:
            raise InvalidTreeSizeError(f"entry index {bundle.index} is not inside the checkpoint's tree of size "
                                       f"{checkpoint.size}")
        check = "inclusion"
        verify_inclusion(leaf, bundle.index, checkpoint.size, bundle.inclusion_path, checkpoint.root)
    except LedgerError as exc:
        return BundleVerdict(ok=False, check=check, code=exc.code, message=exc.message, checkpoint=checkpoint,
                             leaf_hash=leaf)
    return BundleVerdict(
        ok=True,
        check="all",
        code="ok",
        message=f"entry {bundle.index} is in {opened.checkpoint.origin} at size {opened.checkpoint.size}",
        checkpoint=opened.checkpoint,
        leaf_hash=leaf,
        witnesses=tuple(w.name for w in opened.witnesses),
    )


"""Whether each signed record shown to a consumer is in the transparency log, and still says what was signed.

The one proof reader: events, evidence, lab reports, reviews, credential checks … all ask here.

Four states, each shown plainly on the consumer page:
- verified: the signed statement is in the log, covered by a signed checkpoint, signed by the organization the row
  names, and matches the stored row;
- pending: accepted and signed, waiting for the next integration (seconds);
- mismatch: the stored row no longer says what its logged statement says, or names a leaf hash the log does not
  hold, or another signer, or the log's stored hashes no longer prove the entry included under the latest signed
  checkpoint — the page must say so;
- unsigned: a row that does not restate a statement of this kind yet (evidence not withdrawn, an invitation not
  accepted); never for a record that must be signed, where a missing leaf hash is a mismatch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db.models import Q
from typing_extensions import TypedDict

from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.hashstore import inclusion_proof
from xinren.ledger.item_bundle import REGISTRAR_OWNER, BundleKey, BundleRecord, ItemBundle
from xinren.ledger.merkle import verify_inclusion
from xinren.ledger.store.hashes import DatabaseHashReader
from xinren.ledger.store.models import KeyRecord, LogEntry, PendingEntry
from xinren.ledger.store.selectors import checkpoint_latest, checkpoint_text, log_vkey

from .models import SigningKey
from .records import SignedRecord

VERIFIED = "verified"
PENDING = "pending"
MISMATCH = "mismatch"
UNSIGNED = "unsigned"
PLATFORM_KIND = "platform"
_CHUNK = 500


class _Record(Protocol):
    pk: Any


R = TypeVar("R", bound=_Record)


class LedgerProof(TypedDict, closed=True):
    """A Proof as the consumer page's JSON carries it."""

    state: str  # verified, pending, mismatch or unsigned
    leaf_hash: str
    log_index: int | None
    signer_key_id: str
    signer: str
    checkpoint_size: int | None
    bundle: str | None  # the proof bundle's URL, once verified


@dataclass(frozen=True)
class Proof:
    """What the consumer page shows next to one event."""

    state: str
    leaf_hash: str = ""
    index: int | None = None
    signer_key_id: str = ""
    signer: str = ""
    checkpoint_size: int | None = None

    def as_dict(self) -> LedgerProof:
        return {
            "state": self.state,
            "leaf_hash": self.leaf_hash,
            "log_index": self.index,
            "signer_key_id": self.signer_key_id,
            "signer": self.signer,
            "checkpoint_size": self.checkpoint_size,
            "bundle": f"/log/bundle/{self.index}" if self.state == VERIFIED else None,
        }


def _chunks(values: list[bytes]) -> Iterable[list[bytes]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


Logged = tuple[int | None, dict[str, Any] | None, str]  # log index (None while pooled), statement, signer key


def envelope_statement(envelope: bytes) -> dict[str, Any] | None:
    """The statement a DSSE envelope carries, or None when it cannot be read as a JSON object (not verified)."""
    try:
        statement = json.loads(parse_envelope(bytes(envelope)).payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError, TypeError):
        return None
    return statement if isinstance(statement, dict) else None


def logged_statements(leaf_hashes: Iterable[bytes]) -> dict[bytes, Logged]:
    """What the log (or its pool) holds for each leaf hash: a few queries for any number of hashes."""
    return _lookup(sorted(set(leaf_hashes)))


def _lookup(wanted: list[bytes]) -> dict[bytes, Logged]:
    """Index, statement and signer of each leaf hash found in the log, else in its pool."""
    logged: dict[bytes, Logged] = {}
    for chunk in _chunks(wanted):
        for leaf, key_id, position, envelope in LogEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "leaf_hash", "signer_key_id", "index", "envelope"
        ):
            logged[bytes(leaf)] = (position, envelope_statement(bytes(envelope)), key_id)
    for chunk in _chunks([h for h in wanted if h not in logged]):
        for leaf, key_id, envelope in PendingEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "leaf_hash", "signer_key_id", "envelope"
        ):
            logged[bytes(leaf)] = (None, envelope_statement(bytes(envelope)), key_id)
    return logged


def _proof(hex_hash: str, found: Logged, *, signers: dict[str, str], size: int) -> Proof:
    index, _statement, key_id = found
    covered = index is not None and index < size
    return Proof(
        state=VERIFIED if covered else PENDING,
        leaf_hash=hex_hash,
        index=index,
        signer_key_id=key_id,
        signer=signers.get(key_id, ""),
        checkpoint_size=size if covered else None,
    )


def record_proofs(
    records: Sequence[R],
    *,
    leaf_hash: Callable[[R], str],
    matches: Callable[[R, dict[str, Any] | None], bool],
    signer_of: Callable[[R], Any] | None = None,
    unsigned: str = MISMATCH,
) -> dict[int, Proof]:
    """The proof state of any signed records (events, evidence, checks …) by primary key.

    `matches` says whether the stored record still says what its logged statement says; with `signer_of` (the
    organization the record names as its signer, None for the platform), the entry must also be signed by that
    organization's key. A record without a leaf hash is `unsigned` (events recorded before signing) or, by
    default, a mismatch.
    """
    logged = logged_statements(bytes.fromhex(leaf_hash(r)) for r in records if _is_leaf_hash(leaf_hash(r)))
    signers = _signers({key_id for _index, _statement, key_id in logged.values()})
    names = {key_id: signer.name for key_id, signer in signers.items()}
    size, included = inclusions_holding({index: leaf for leaf, (index, _s, _k) in logged.items() if index is not None})
    proofs: dict[int, Proof] = {}
    for record in records:
        hex_hash = leaf_hash(record)
        found = logged.get(bytes.fromhex(hex_hash)) if _is_leaf_hash(hex_hash) else None
        if not hex_hash:
            proofs[record.pk] = Proof(state=unsigned)
        elif (
            found is None
            or not matches(record, found[1])
            or (signer_of is not None and not _signed_by(signers.get(found[2]), signer_of(record)))
            or (found[0] is not None and found[0] < size and found[0] not in included)
        ):
            proofs[record.pk] = Proof(state=MISMATCH, leaf_hash=hex_hash)
        else:
            proofs[record.pk] = _proof(hex_hash, found, signers=names, size=size)
    return proofs


def signed_record_proofs(record: SignedRecord, rows: Sequence[R]) -> dict[int, Proof]:
    """The proof state of rows of a declared signed record, by primary key: in the log, signed by the organization
    the row names, and still saying what was signed (load the record's `select_related` first)."""
    return record_proofs(
        rows, leaf_hash=record.leaf_hash_of, matches=record.matches, signer_of=record.signer_of,
        unsigned=UNSIGNED if record.optional else MISMATCH,
    )


def signed_leaf_proofs(record: SignedRecord, leaf_hashes: Iterable[str]) -> dict[str, Proof]:
    """The proof state of the rows of `record` that hold these leaf hashes, by leaf hash: what a section that keeps
    only leaf hashes asks. A leaf hash no row holds any more is a mismatch."""
    wanted = sorted({h for h in leaf_hashes if h})
    rows = list(
        record.model._default_manager.select_related(*record.select_related)
        .prefetch_related(*record.prefetch_related)
        .filter(**{f"{record.leaf_hash}__in": wanted})
    )
    by_pk = signed_record_proofs(record, rows)
    proofs = {record.leaf_hash_of(row): by_pk[row.pk] for row in rows}
    return {h: proofs.get(h) or Proof(state=MISMATCH, leaf_hash=h) for h in wanted}


def _is_leaf_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True)
class _Signer:
    organization_id: int
    name: str
    kind: str


def _signers(key_ids: set[str]) -> dict[str, _Signer]:
    """Signing key id -> the organization that holds it (the log's registrar key has none, so it is absent)."""
    rows = SigningKey.objects.filter(key_id__in=key_ids).values_list(
        "key_id", "organization_id", "organization__name", "organization__kind"
    )
    return {key_id: _Signer(organization, name, kind) for key_id, organization, name, kind in rows}


def _signed_by(signer: _Signer | None, expected: Any) -> bool:
    """The key belongs to the organization the record names (None: the platform signs such records)."""
    if signer is None:
        return False
    return signer.kind == PLATFORM_KIND if expected is None else signer.organization_id == expected



# -- item proof bundles ("verify on my phone") ------------------------------------------------------------------


class _RecordingReader:
    """A HashReader that notes which stored hashes a proof needs and answers placeholders (which hashes a proof
    reads does not depend on their values), so that many proofs read their hashes in one batch."""

    def __init__(self) -> None:
        self.positions: set[tuple[int, int]] = set()

    def read_hashes(self, positions: Sequence[tuple[int, int]]) -> list[bytes]:
        self.positions.update(positions)
        return [bytes(32)] * len(positions)


class _MapReader:
    def __init__(self, hashes: dict[tuple[int, int], bytes]) -> None:
        self.hashes = hashes

    def read_hashes(self, positions: Sequence[tuple[int, int]]) -> list[bytes]:
        return [self.hashes[p] for p in positions]


def inclusions_holding(leaves: dict[int, bytes]) -> tuple[int, set[int]]:
    """The latest signed checkpoint's size, and which of these entries (index -> leaf hash) the stored hashes prove
    included under its root: a corrupted stored hash makes a proof fail, and a page must not then say ✓. One query
    for the hashes of every proof."""
    latest = checkpoint_latest()
    if latest is None:
        return 0, set()
    size, root = latest.size, bytes(latest.root)
    covered = {index: leaf for index, leaf in leaves.items() if index < size}
    recorder = _RecordingReader()
    for index in covered:
        inclusion_proof(index, size, recorder)
    positions = sorted(recorder.positions)
    try:
        reader = _MapReader(dict(zip(positions, DatabaseHashReader().read_hashes(positions), strict=True)))
    except LedgerError:  # a stored hash is missing: no proof can be trusted
        return size, set()
    holding = set()
    for index, leaf in covered.items():
        try:
            verify_inclusion(leaf, index, size, inclusion_proof(index, size, reader), root)
        except LedgerError:
            continue
        holding.add(index)
    return size, holding


class BundleCache:
    """What item bundles read from the log, read in bulk and kept: the publisher builds the bundles of a lot's items
    with one of these, so the queries per lot do not grow with its items (`prefetch` each chunk's records first)."""

    def __init__(self) -> None:
        latest = checkpoint_latest()
        self.size = 0 if latest is None else latest.size
        self.checkpoint = checkpoint_text(latest)  # the empty tree's, signed, while the log is empty
        self.log_key = log_vkey()
        self.entries: dict[bytes, tuple[int, bytes] | None] = {}
        self.keys: dict[str, tuple[bytes, str, bytes, str, str] | None] = {}
        self.paths: dict[int, tuple[bytes, ...]] = {}

    def prefetch(self, leaf_hashes: Iterable[bytes]) -> None:
        """Entries, the keys that signed them, their registrations and every inclusion path: a few queries."""
        self._entries(leaf_hashes)
        key_ids = {
            s.keyid for found in self.entries.values() if found is not None
            for s in parse_envelope(found[1]).signatures
        }
        missing = sorted(k for k in key_ids if k not in self.keys)
        if missing or not self.keys:
            for key_id in missing:
                self.keys[key_id] = None
            holders = dict(
                ((key_id, (name, kind)) for key_id, name, kind in SigningKey.objects.filter(key_id__in=missing)
                 .values_list("key_id", "organization__name", "organization__kind"))
            )
            for key_id, public, owner, registered in KeyRecord.objects.filter(
                Q(key_id__in=missing) | Q(owner=REGISTRAR_OWNER)
            ).values_list("key_id", "public_key", "owner", "registered_leaf_hash"):
                name, kind = holders.get(key_id, ("", "registrar" if owner == REGISTRAR_OWNER else ""))
                self.keys[key_id] = (bytes(public), owner, bytes(registered), name, kind)
        self._entries(found[2] for found in self.keys.values() if found is not None)
        self._paths([found[0] for found in self.entries.values() if found is not None])

    def _entries(self, leaf_hashes: Iterable[bytes]) -> None:
        wanted = sorted({h for h in leaf_hashes if h not in self.entries})
        for leaf in wanted:
            self.entries[leaf] = None
        for chunk in _chunks(wanted):
            for found, index, envelope in LogEntry.objects.filter(leaf_hash__in=chunk, index__lt=self.size).values_list(
                "leaf_hash", "index", "envelope"
            ):
                self.entries[bytes(found)] = (index, bytes(envelope))

    def _paths(self, indexes: list[int]) -> None:
        wanted = sorted({i for i in indexes if i not in self.paths})
        if not wanted:
            return
        recorder = _RecordingReader()
        for index in wanted:
            inclusion_proof(index, self.size, recorder)
        positions = sorted(recorder.positions)
        reader = _MapReader(dict(zip(positions, DatabaseHashReader().read_hashes(positions), strict=True)))
        for index in wanted:
            self.paths[index] = tuple(inclusion_proof(index, self.size, reader))


def item_bundle_build(
    *,
    item: dict[str, Any],
    records: Sequence[tuple[str, str]],
    omitted: Sequence[dict[str, str]] = (),
    cache: BundleCache | None = None,
) -> ItemBundle:
    """The proof bundle of the records an item page shows: `records` are (section, leaf hash hex) in page order.

    Each logged entry comes with its inclusion path to the latest checkpoint, and each key that signed one with the
    registrar's statement that registered it (and the registrar's own, entry 0). A leaf hash the checkpoint does not
    cover yet is listed in `omitted` as pending.
    """
    cache = cache or BundleCache()
    wanted: dict[bytes, str] = {}
    for section, hex_hash in records:
        if _is_leaf_hash(hex_hash):
            wanted.setdefault(bytes.fromhex(hex_hash), section)
    cache.prefetch(wanted)
    rows = {h: found for h in wanted if (found := cache.entries.get(h)) is not None}
    left_out = [*omitted, *({"leaf_hash": h.hex(), "state": PENDING} for h in wanted if h not in rows)]
    signed_by = {s.keyid for _index, envelope in rows.values() for s in parse_envelope(envelope).signatures}
    keys: dict[str, BundleKey] = {}
    for key_id, known in cache.keys.items():
        if known is None or (key_id not in signed_by and known[1] != REGISTRAR_OWNER):
            continue
        public, owner, registered, name, kind = known
        registration = cache.entries.get(registered)
        if registration is None:
            continue  # registered after the checkpoint (so it cannot have signed a record the checkpoint covers)
        keys[key_id] = BundleKey(key_id=key_id, public_key=public, owner=owner, name=name, kind=kind,
                                 registered_at=registration[0])
    chosen = [(wanted[h], *rows[h]) for h in wanted if h in rows]
    shown = {index for _section, index, _envelope in chosen}
    for key in sorted(keys.values(), key=lambda k: k.registered_at):
        if key.registered_at not in shown:
            shown.add(key.registered_at)
            registration = cache.entries[cache.keys[key.key_id][2]]  # type: ignore[index]
            assert registration is not None
            chosen.append(("keys", *registration))
    return ItemBundle(
        item=item, log_key=cache.log_key, checkpoint=cache.checkpoint,
        keys=tuple(sorted(keys.values(), key=lambda k: k.registered_at)),
        records=tuple(BundleRecord(index=index, section=section, entry=envelope, inclusion_path=cache.paths[index])
                      for section, index, envelope in chosen),
        omitted=tuple(left_out),
    )

"""Whether each event shown to a consumer is in the transparency log, and still says what was signed.

Four states, each shown plainly on the consumer page:
- verified: the signed statement is in the log, covered by a signed checkpoint, and matches the stored event;
- pending: accepted and signed, waiting for the next integration (seconds);
- mismatch: the stored event no longer says what its logged statement says — the page must say so;
- unsigned: recorded before events were signed (never for new events).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from typing_extensions import TypedDict

from xinren.accounts.models import SigningKey
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.selectors import log_size

from .models import TraceEvent
from .statements import event_matches_statement

VERIFIED = "verified"
PENDING = "pending"
MISMATCH = "mismatch"
UNSIGNED = "unsigned"
_CHUNK = 500


class _Record(Protocol):
    pk: Any


R = TypeVar("R", bound=_Record)


class LedgerProof(TypedDict, closed=True):
    """An EventProof as the consumer page's JSON carries it."""

    state: str  # verified, pending, mismatch or unsigned
    leaf_hash: str
    log_index: int | None
    signer_key_id: str
    signer: str
    checkpoint_size: int | None
    bundle: str | None  # the proof bundle's URL, once verified


@dataclass(frozen=True)
class EventProof:
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


def statement_payload(envelope: bytes) -> dict[str, Any] | None:
    """The statement a DSSE envelope carries, or None when it cannot be read as a JSON object."""
    try:
        statement = json.loads(parse_envelope(envelope).payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return statement if isinstance(statement, dict) else None


def logged_statements(leaf_hashes: Iterable[bytes]) -> dict[bytes, Logged]:
    """What the log (or its pool) holds for each leaf hash: a few queries for any number of hashes."""
    wanted = sorted(set(leaf_hashes))
    logged: dict[bytes, Logged] = {}
    for chunk in _chunks(wanted):
        for position, leaf, envelope, key_id in LogEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "index", "leaf_hash", "envelope", "signer_key_id"
        ):
            logged[bytes(leaf)] = (position, statement_payload(bytes(envelope)), key_id)
    for chunk in _chunks([h for h in wanted if h not in logged]):
        for leaf, envelope, key_id in PendingEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "leaf_hash", "envelope", "signer_key_id"
        ):
            logged[bytes(leaf)] = (None, statement_payload(bytes(envelope)), key_id)
    return logged


def record_proofs(
    records: Sequence[R],
    *,
    leaf_hash: Callable[[R], str],
    matches: Callable[[R, dict[str, Any] | None], bool],
    unsigned: str = MISMATCH,
) -> dict[int, EventProof]:
    """The proof state of any signed records (events, evidence, checks …) by primary key.

    `matches` says whether the stored record still says what its logged statement says; a record without a
    leaf hash is `unsigned` (events recorded before signing) or, by default, a mismatch.
    """
    logged = logged_statements(bytes.fromhex(leaf_hash(r)) for r in records if leaf_hash(r))
    signers = _signer_names({key_id for _index, _statement, key_id in logged.values()})
    size = log_size()
    proofs: dict[int, EventProof] = {}
    for record in records:
        hex_hash = leaf_hash(record)
        if not hex_hash:
            proofs[record.pk] = EventProof(state=unsigned)
            continue
        found = logged.get(bytes.fromhex(hex_hash))
        if found is None or not matches(record, found[1]):
            proofs[record.pk] = EventProof(state=MISMATCH, leaf_hash=hex_hash)
            continue
        index, _statement, key_id = found
        covered = index is not None and index < size
        proofs[record.pk] = EventProof(
            state=VERIFIED if covered else PENDING,
            leaf_hash=hex_hash,
            index=index,
            signer_key_id=key_id,
            signer=signers.get(key_id, ""),
            checkpoint_size=size if covered else None,
        )
    return proofs


def event_proofs(events: Sequence[TraceEvent]) -> dict[int, EventProof]:
    """The proof state of each event, keyed by the event's primary key (a few queries for any number)."""
    return record_proofs(
        events,
        leaf_hash=lambda event: event.ledger_leaf_hash,
        matches=lambda event, statement: statement is not None
        and event_matches_statement(document=event.document, statement=statement),
        unsigned=UNSIGNED,
    )


def statement_proofs(*, leaf_hashes: Iterable[str]) -> dict[str, EventProof]:
    """The proof state of any signed statements (lab reports, cost breakdowns, evidence …), by leaf hash (hex).

    A statement whose leaf hash is in neither the log nor the pool is a mismatch: the record claims a
    signature that the log does not hold. Callers that can compare the logged bytes with their record do so
    themselves; this answers "is it in the log, and is it covered by a checkpoint yet".
    """
    wanted = sorted({bytes.fromhex(h) for h in leaf_hashes if h})
    logged: dict[bytes, tuple[int | None, str]] = {}
    for chunk in _chunks(wanted):
        for position, leaf, key_id in LogEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "index", "leaf_hash", "signer_key_id"
        ):
            logged[bytes(leaf)] = (position, key_id)
    for chunk in _chunks([h for h in wanted if h not in logged]):
        for leaf, key_id in PendingEntry.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", "signer_key_id"):
            logged[bytes(leaf)] = (None, key_id)
    signers = _signer_names({key_id for _index, key_id in logged.values()})
    size = log_size()
    proofs: dict[str, EventProof] = {}
    for leaf in wanted:
        found = logged.get(leaf)
        if found is None:
            proofs[leaf.hex()] = EventProof(state=MISMATCH, leaf_hash=leaf.hex())
            continue
        index, key_id = found
        covered = index is not None and index < size
        proofs[leaf.hex()] = EventProof(
            state=VERIFIED if covered else PENDING,
            leaf_hash=leaf.hex(),
            index=index,
            signer_key_id=key_id,
            signer=signers.get(key_id, ""),
            checkpoint_size=size if covered else None,
        )
    return proofs


def _signer_names(key_ids: set[str]) -> dict[str, str]:
    """Signing key id -> the organization that holds it (the platform's registrar key has no organization)."""
    names = dict(
        SigningKey.objects.filter(key_id__in=key_ids).values_list("key_id", "organization__name")
    )
    return {key_id: name for key_id, name in names.items() if name}


"""Whether each signed record shown to a consumer is in the transparency log, and still says what was signed.

The one proof reader: events, evidence, lab reports, reviews, credential checks … all ask here.

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

from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.selectors import log_size

from .models import SigningKey

VERIFIED = "verified"
PENDING = "pending"
MISMATCH = "mismatch"
UNSIGNED = "unsigned"
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
    return _lookup(sorted(set(leaf_hashes)), with_statements=True)


def _lookup(wanted: list[bytes], *, with_statements: bool) -> dict[bytes, Logged]:
    """Index, statement (when asked: it costs reading and parsing each envelope) and signer of each leaf hash found
    in the log, else in its pool."""
    logged: dict[bytes, Logged] = {}
    envelope = ("envelope",) if with_statements else ()
    for chunk in _chunks(wanted):
        for row in LogEntry.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", "signer_key_id", "index",
                                                                             *envelope):
            logged[bytes(row[0])] = (row[2], envelope_statement(row[3]) if with_statements else None, row[1])
    for chunk in _chunks([h for h in wanted if h not in logged]):
        for row in PendingEntry.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", "signer_key_id",
                                                                                 *envelope):
            logged[bytes(row[0])] = (None, envelope_statement(row[2]) if with_statements else None, row[1])
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
    unsigned: str = MISMATCH,
) -> dict[int, Proof]:
    """The proof state of any signed records (events, evidence, checks …) by primary key.

    `matches` says whether the stored record still says what its logged statement says; a record without a
    leaf hash is `unsigned` (events recorded before signing) or, by default, a mismatch.
    """
    logged = logged_statements(bytes.fromhex(leaf_hash(r)) for r in records if leaf_hash(r))
    signers = _signer_names({key_id for _index, _statement, key_id in logged.values()})
    size = log_size()
    proofs: dict[int, Proof] = {}
    for record in records:
        hex_hash = leaf_hash(record)
        found = logged.get(bytes.fromhex(hex_hash)) if hex_hash else None
        if not hex_hash:
            proofs[record.pk] = Proof(state=unsigned)
        elif found is None or not matches(record, found[1]):
            proofs[record.pk] = Proof(state=MISMATCH, leaf_hash=hex_hash)
        else:
            proofs[record.pk] = _proof(hex_hash, found, signers=signers, size=size)
    return proofs


def statement_proofs(*, leaf_hashes: Iterable[str]) -> dict[str, Proof]:
    """The proof state of any signed statements (lab reports, cost breakdowns, evidence …), by leaf hash (hex).

    A statement whose leaf hash is in neither the log nor the pool is a mismatch: the record claims a
    signature that the log does not hold. Callers that can compare the logged bytes with their record do so
    themselves (`record_proofs`); this answers "is it in the log, and is it covered by a checkpoint yet".
    """
    wanted = sorted({bytes.fromhex(h) for h in leaf_hashes if h})
    logged = _lookup(wanted, with_statements=False)
    signers = _signer_names({key_id for _index, _statement, key_id in logged.values()})
    size = log_size()
    proofs: dict[str, Proof] = {}
    for leaf in wanted:
        found = logged.get(leaf)
        proofs[leaf.hex()] = (
            Proof(state=MISMATCH, leaf_hash=leaf.hex()) if found is None
            else _proof(leaf.hex(), found, signers=signers, size=size)
        )
    return proofs


def _signer_names(key_ids: set[str]) -> dict[str, str]:
    """Signing key id -> the organization that holds it (the platform's registrar key has no organization)."""
    names = dict(
        SigningKey.objects.filter(key_id__in=key_ids).values_list("key_id", "organization__name")
    )
    return {key_id: name for key_id, name in names.items() if name}


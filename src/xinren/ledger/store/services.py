"""Writes to the platform log: accepting envelopes into the pending pool, and the key directory.

Accepting is cheap and answers at once with the leaf hash: the envelope is checked (strict DSSE
parsing, a registered, active key of the submitter, a valid signature, a well-formed statement) and
stored as a pending row, durable when the caller's transaction commits. `sequencer.log_integrate` turns
the pool into sequenced entries and a signed checkpoint. Nothing here updates or deletes an entry.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.ledger.dsse import Envelope, key_id_for, parse_envelope, sign_envelope, verify_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.merkle import leaf_hash

from . import bulk, errors
from .bulk import PendingRow
from .log_key import REGISTRAR_OWNER, registrar_key
from .models import KEY_TRANSITIONS, KeyRecord, KeyStatus, LogEntry, LogState, PendingEntry

MAX_ENTRY_SIZE = 0xFFFF
MAX_BATCH = 10_000
MAX_SUBJECT = 512
RESERVED_TYPE_PREFIX = "key."
_STATEMENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_CHUNK = 900


@dataclass(frozen=True)
class StatementFields:
    """What the log indexes of a statement: its type, subject and the entry it corrects, if any."""

    statement_type: str
    subject: str
    corrects: bytes | None


def statement_bytes(statement: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes of a statement, built once: these bytes are signed and stored, never rebuilt."""
    try:
        return json.dumps(
            statement, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise errors.statement_invalid(f"not JSON-serialisable: {exc}") from None


def statement_fields(payload: bytes) -> StatementFields:
    """Read `type`, `subject` and `corrects` from statement bytes, refusing anything else than a JSON object."""
    return statement_read(payload)[0]


def statement_read(payload: bytes) -> tuple[StatementFields, dict[str, Any]]:
    """`statement_fields`, and the statement itself (decoded once, for the audit's companion checks)."""
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise errors.statement_invalid("the payload is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise errors.statement_invalid("the statement is not a JSON object")
    statement_type, subject = document.get("type"), document.get("subject")
    if not isinstance(statement_type, str) or len(statement_type) > 64 or not _STATEMENT_TYPE.fullmatch(statement_type):
        raise errors.statement_invalid("type must be dotted lowercase words, at most 64 characters")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise errors.statement_invalid(f"subject must be a non-empty string of at most {MAX_SUBJECT} characters")
    corrects = document.get("corrects")
    if corrects is not None and (not isinstance(corrects, str) or not re.fullmatch(r"[0-9a-f]{64}", corrects)):
        raise errors.statement_invalid("corrects must be the corrected entry's leaf hash, 64 lowercase hex digits")
    return StatementFields(statement_type, subject, bytes.fromhex(corrects) if corrects else None), document


@dataclass(frozen=True)
class LogEntryRef:
    """How callers keep hold of an accepted statement: its leaf hash finds the entry and its proofs."""

    leaf_hash: str
    signer_key_id: str
    statement_type: str
    subject: str

    @classmethod
    def of(cls, pending: PendingEntry) -> LogEntryRef:
        return cls(
            leaf_hash=bytes(pending.leaf_hash).hex(),
            signer_key_id=pending.signer_key_id,
            statement_type=pending.statement_type,
            subject=pending.subject,
        )


@dataclass(frozen=True)
class _Accepted:
    leaf_hash: bytes
    envelope: bytes
    signer_key_id: str
    fields: StatementFields


def _parse(envelope_bytes: bytes, position: int | None) -> Envelope:
    details = {} if position is None else {"position": position}
    if not isinstance(envelope_bytes, bytes | bytearray):
        raise InvalidInput(errors.ENVELOPE_MALFORMED, _("签名信封格式错误"), details=details)
    if len(envelope_bytes) > MAX_ENTRY_SIZE:
        raise InvalidInput(
            errors.ENVELOPE_TOO_LARGE,
            _("签名信封过大：一条日志条目最多 65535 字节"),
            details={"size": len(envelope_bytes), "limit": MAX_ENTRY_SIZE, **details},
        )
    try:
        return parse_envelope(bytes(envelope_bytes))
    except LedgerError as exc:
        raise errors.envelope_refused(exc, details=details) from None


@functools.lru_cache(maxsize=4096)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Loading a key decompresses a curve point, which costs half as much as a verification: load each once.
    return Ed25519PublicKey.from_public_bytes(raw)


def _check_keys(
    envelope: Envelope, records: Mapping[str, KeyRecord], owner: str | None
) -> dict[str, Ed25519PublicKey]:
    """The submitter's usable keys among those that signed, or the precise reason there are none."""
    signed = [s.keyid for s in envelope.signatures]
    known = [records[k] for k in signed if k in records]
    if not known:
        raise errors.key_unknown(signed)
    mine = [r for r in known if owner is None or r.owner == owner]
    if not mine:
        raise errors.key_wrong_owner([r.key_id for r in known])
    usable = {r.key_id: _public_key(bytes(r.public_key)) for r in mine if r.status == KeyStatus.ACTIVE}
    if not usable:
        if any(r.status == KeyStatus.REVOKED for r in mine):
            raise errors.key_revoked(next(r.key_id for r in mine if r.status == KeyStatus.REVOKED))
        raise errors.key_retired(mine[0].key_id)
    return usable


def _verify(
    envelope_bytes: bytes, envelope: Envelope, keys: dict[str, Ed25519PublicKey], position: int | None
) -> tuple[str, StatementFields]:
    details = {} if position is None else {"position": position}
    try:
        verified = verify_envelope(envelope, keys)
    except LedgerError as exc:
        raise errors.envelope_refused(exc, details=details) from None
    try:
        fields = statement_fields(verified.payload)
    except InvalidInput as exc:
        exc.details |= details
        raise
    return verified.keyids[0], fields


def _key_records(key_ids: set[str]) -> dict[str, KeyRecord]:
    records: dict[str, KeyRecord] = {}
    ids = sorted(key_ids)
    for start in range(0, len(ids), _CHUNK):
        records.update((r.key_id, r) for r in KeyRecord.objects.filter(key_id__in=ids[start : start + _CHUNK]))
    return records


def _existing(model: type[PendingEntry] | type[LogEntry], hashes: Sequence[bytes], field: str) -> dict[bytes, Any]:
    found: dict[bytes, Any] = {}
    for start in range(0, len(hashes), _CHUNK):
        chunk = list(hashes[start : start + _CHUNK])
        rows = model.objects.filter(leaf_hash__in=chunk).values_list("leaf_hash", field)
        found.update((bytes(h), value) for h, value in rows)
    return found


def _store(accepted: list[_Accepted]) -> None:
    """Insert the accepted envelopes as pending rows, in one statement.

    Submitting the same envelope again is harmless: a pending duplicate is skipped by the unique leaf hash,
    and one already in the log is dropped by the next integration, so a client may retry blindly.
    """
    hashes = {a.leaf_hash for a in accepted}
    corrected = {a.fields.corrects for a in accepted if a.fields.corrects is not None}
    if corrected:
        wanted = sorted(corrected)
        known = set(_existing(LogEntry, wanted, "index")) | set(_existing(PendingEntry, wanted, "id")) | hashes
        missing = sorted(corrected - known)
        if missing:
            raise InvalidInput(errors.CORRECTS_UNKNOWN, _("被更正的条目不存在"), details={"corrects": missing[0].hex()})
    bulk.pending_insert(
        [PendingRow(a.leaf_hash, a.envelope, a.signer_key_id, a.fields.statement_type, a.fields.subject,
                    a.fields.corrects) for a in accepted],
        clock.now(),
    )
    _schedule_integration()


@transaction.atomic
def entry_append(*, envelope_bytes: bytes, signer_key_id: str, statement_type: str, subject: str) -> PendingEntry:
    """Pool an envelope the platform signed (a custodial key); answers at once with the pending row."""
    envelope = _parse(envelope_bytes, None)
    records = _key_records({signer_key_id})
    if signer_key_id not in records or signer_key_id not in {s.keyid for s in envelope.signatures}:
        raise errors.key_unknown([signer_key_id])
    keys = _check_keys(envelope, {signer_key_id: records[signer_key_id]}, None)
    key_id, fields = _verify(envelope_bytes, envelope, keys, None)
    if (fields.statement_type, fields.subject) != (statement_type, subject):
        raise InvalidInput(
            errors.STATEMENT_MISMATCH,
            _("声明的类型或主体与签名内容不一致"),
            details={"type": fields.statement_type, "subject": fields.subject},
        )
    if fields.statement_type.startswith(RESERVED_TYPE_PREFIX) and records[key_id].owner != REGISTRAR_OWNER:
        raise InvalidInput(
            errors.STATEMENT_TYPE_RESERVED, _("密钥声明只能由平台登记"), details={"type": statement_type}
        )
    data = bytes(envelope_bytes)
    accepted = _Accepted(leaf_hash(data), data, key_id, fields)
    _store([accepted])
    return PendingEntry(leaf_hash=accepted.leaf_hash, envelope=data, signer_key_id=key_id,
                        statement_type=fields.statement_type, subject=fields.subject, corrects=fields.corrects)


@transaction.atomic(savepoint=False)  # a refusal ends the caller's transaction: no savepoint needed
def entries_append(*, envelopes: Sequence[bytes], signer_key_id: str) -> list[LogEntryRef]:
    """Pool a batch of envelopes the platform signed with one custodial key, in one statement (ADR 0010): each is
    checked as `entry_append` checks one; all are pooled, or none with the first refusal's reason."""
    if not envelopes:
        return []
    records = _key_records({signer_key_id})
    if signer_key_id not in records:
        raise errors.key_unknown([signer_key_id])
    accepted: list[_Accepted] = []
    for position, data in enumerate(envelopes):
        envelope = _parse(data, position)
        if signer_key_id not in {s.keyid for s in envelope.signatures}:
            raise errors.key_unknown([signer_key_id])
        keys = _check_keys(envelope, {signer_key_id: records[signer_key_id]}, None)
        key_id, fields = _verify(bytes(data), envelope, keys, position)
        if fields.statement_type.startswith(RESERVED_TYPE_PREFIX):
            raise InvalidInput(errors.STATEMENT_TYPE_RESERVED, _("密钥声明只能由平台登记"),
                               details={"type": fields.statement_type, "position": position})
        accepted.append(_Accepted(leaf_hash(bytes(data)), bytes(data), key_id, fields))
    _store(accepted)
    return [LogEntryRef(a.leaf_hash.hex(), a.signer_key_id, a.fields.statement_type, a.fields.subject)
            for a in accepted]


def envelope_submit(*, envelope_bytes: bytes, owner: str) -> LogEntryRef:
    """Pool one envelope a third party signed itself with a key registered to `owner`."""
    return envelopes_submit(envelopes=[envelope_bytes], owner=owner)[0]


def envelopes_submit(*, envelopes: Sequence[bytes], owner: str) -> list[LogEntryRef]:
    """Pool a batch of third-party envelopes: all of them, or none with the first refusal's reason.

    Signatures are checked before the write transaction opens: on SQLite that transaction holds the
    database's write lock, and verification is most of the cost, so submitters verify in parallel. The
    keys' status is checked again inside the transaction, in case one was revoked meanwhile.
    """
    accepted = _accept_batch(envelopes, owner)
    with transaction.atomic():
        statuses = dict(
            KeyRecord.objects.filter(key_id__in=sorted({a.signer_key_id for a in accepted})).values_list(
                "key_id", "status"
            )
        )
        for position, item in enumerate(accepted):
            if statuses.get(item.signer_key_id) != KeyStatus.ACTIVE:
                error = errors.key_revoked(item.signer_key_id)
                error.details |= {} if len(accepted) == 1 else {"position": position}
                raise error
        _store(accepted)
    # No model instances: building a batch of them costs more than inserting the rows.
    return [LogEntryRef(a.leaf_hash.hex(), a.signer_key_id, a.fields.statement_type, a.fields.subject)
            for a in accepted]


def _accept_batch(envelopes: Sequence[bytes], owner: str) -> list[_Accepted]:
    if not 1 <= len(envelopes) <= MAX_BATCH:
        raise InvalidInput(errors.BATCH_INVALID, _("一批最多提交 10000 个签名信封"), details={"count": len(envelopes)})
    parsed = [_parse(e, i if len(envelopes) > 1 else None) for i, e in enumerate(envelopes)]
    records = _key_records({s.keyid for e in parsed for s in e.signatures})
    accepted: list[_Accepted] = []
    for i, (data, envelope) in enumerate(zip(envelopes, parsed, strict=True)):
        position = i if len(envelopes) > 1 else None
        try:
            keys = _check_keys(envelope, records, owner)
        except DomainError as exc:
            if position is not None:
                exc.details |= {"position": position}
            raise
        key_id, fields = _verify(bytes(data), envelope, keys, position)
        if fields.statement_type.startswith(RESERVED_TYPE_PREFIX):
            raise InvalidInput(
                errors.STATEMENT_TYPE_RESERVED,
                _("密钥声明只能由平台登记"),
                details={"type": fields.statement_type, **({} if position is None else {"position": position})},
            )
        accepted.append(_Accepted(leaf_hash(bytes(data)), bytes(data), key_id, fields))
    return accepted


# In development an append also integrates right after its transaction commits, so `make run` serves
# proofs without a sequencer process. Production runs `ledger_integrate --follow` instead.


_integrating = threading.local()


def _integrate_after_commit() -> None:
    from .sequencer import log_integrate  # the sequencer imports this module

    if getattr(_integrating, "active", False):
        return
    _integrating.active = True
    try:
        log_integrate()
    finally:
        _integrating.active = False


def _schedule_integration() -> None:
    if not getattr(settings, "XINREN_LOG_INTEGRATE_ON_COMMIT", settings.DEBUG):
        return
    if any(callback[1] is _integrate_after_commit for callback in connection.run_on_commit):
        return
    # robust: a failed integration is logged and retried by the next append, never the append's failure.
    transaction.on_commit(_integrate_after_commit, robust=True)


# The key directory. Every act is a statement signed by the registrar and appended to the log.


def _registrar_append(statement: dict[str, Any]) -> bytes:
    """Pool a key statement signed by the registrar; returns its leaf hash."""
    key, key_id = registrar_key()
    payload = statement_bytes(statement)
    envelope = sign_envelope(payload, key=key, keyid=key_id).to_json()
    fields = statement_fields(payload)
    accepted = _Accepted(leaf_hash(envelope), envelope, key_id, fields)
    _store([accepted])
    return accepted.leaf_hash


def _lock_state() -> LogState:
    """Lock the log-state row (created on first use), serialising sequencing and key bootstrap."""
    from .sequencer import state_for_update

    return state_for_update()


def _registrar_record() -> KeyRecord:
    key, key_id = registrar_key()
    record = KeyRecord.objects.filter(key_id=key_id).first()
    if record is not None:
        return record
    _lock_state()
    record = KeyRecord.objects.filter(key_id=key_id).first()
    if record is not None:
        return record
    public = key.public_key().public_bytes_raw()
    # Bootstrap: the registrar's own key is the first key statement, signed by itself.
    record = KeyRecord.objects.create(
        key_id=key_id, public_key=public, owner=REGISTRAR_OWNER, custodial=True, registered_leaf_hash=b""
    )
    registered = _registrar_append(_key_statement("key.register", REGISTRAR_OWNER, record, time=None))
    KeyRecord.objects.filter(pk=record.pk).update(registered_leaf_hash=registered)
    record.registered_leaf_hash = registered
    return record


def _key_statement(
    statement_type: str, owner: str, record: KeyRecord, *, time: str | None, **extra: Any
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "type": statement_type,
        "subject": owner,
        "key": {
            "id": record.key_id,
            "algorithm": "ed25519",
            "public_key": base64.b64encode(bytes(record.public_key)).decode("ascii"),
            "custodial": record.custodial,
        },
        **extra,
    }
    if time is not None:
        statement["time"] = time
    return statement


@transaction.atomic
def key_register(*, public_key: bytes, owner: str, custodial: bool, replaces: str = "") -> KeyRecord:
    """Admit an Ed25519 public key for `owner`; with `replaces`, rotate that key out (it stays verifiable)."""
    if not isinstance(public_key, bytes) or len(public_key) != 32:
        raise InvalidInput(errors.KEY_INVALID, _("公钥必须是 32 字节的 Ed25519 公钥"))
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise InvalidInput(errors.KEY_INVALID, _("公钥必须是 32 字节的 Ed25519 公钥")) from None
    if not owner or owner == REGISTRAR_OWNER or len(owner) > 64:
        raise InvalidInput(errors.KEY_INVALID, _("密钥持有方无效"), details={"owner": owner})
    _registrar_record()
    key_id = key_id_for(public_key)
    if KeyRecord.objects.filter(key_id=key_id).exists():
        raise Conflict(errors.KEY_EXISTS, _("该公钥已登记"), details={"key_id": key_id})
    old: KeyRecord | None = None
    if replaces:
        old = KeyRecord.objects.select_for_update().filter(key_id=replaces, owner=owner).first()
        if old is None:
            raise NotFound(errors.KEY_UNKNOWN, _("要轮换的密钥不存在"), details={"key_id": replaces})
        _transition(old, KeyStatus.RETIRED)
    now = clock.now()
    record = KeyRecord(key_id=key_id, public_key=public_key, owner=owner, custodial=custodial, registered_leaf_hash=b"")
    extra = {"replaces": replaces} if replaces else {}
    kind = "key.rotate" if replaces else "key.register"
    statement = _key_statement(kind, owner, record, time=now.isoformat(), **extra)
    record.registered_leaf_hash = _registrar_append(statement)
    record.save(force_insert=True)
    if old is not None:
        KeyRecord.objects.filter(pk=old.pk).update(status=KeyStatus.RETIRED, status_changed_at=now)
    return record


def _transition(record: KeyRecord, status: KeyStatus) -> None:
    transition_check(
        KEY_TRANSITIONS, record.status, status, code=errors.KEY_TRANSITION, message=_("密钥状态不允许此操作"),
        details={"key_id": record.key_id, "status": record.status, "to": str(status)},
    )


@transaction.atomic
def key_revoke(*, key_id: str, owner: str, reason: str) -> KeyRecord:
    """Revoke a key: no new envelope signed by it is accepted; entries already logged stay verifiable."""
    record = KeyRecord.objects.select_for_update().filter(key_id=key_id, owner=owner).first()
    if record is None or owner == REGISTRAR_OWNER:
        raise NotFound(errors.KEY_UNKNOWN, _("签名密钥未登记"), details={"key_id": key_id})
    _transition(record, KeyStatus.REVOKED)
    now = clock.now()
    statement = {
        "type": "key.revoke",
        "subject": owner,
        "key": {"id": key_id},
        "reason": reason[:500],
        "time": now.isoformat(),
    }
    _registrar_append(statement)
    KeyRecord.objects.filter(pk=record.pk).update(status=KeyStatus.REVOKED, status_changed_at=now)
    record.refresh_from_db()
    return record

"""Witness cosignatures posted to the log (`POST /log/cosignature`), checked against the configured witness keys.

A witness that follows the log (`python -m xinren.witness follow`, docs/ledger.md) fetches the checkpoint, checks
it against the last one it cosigned and posts the checkpoint back with its cosignature line. The log keeps a line
only when the note's text is exactly a checkpoint this log signed, and the line is a cosignature/v1 by a witness
key configured in `XINREN_WITNESS_KEYS` (`<verifier key> <label shown on pages>` items) or `XINREN_WITNESSES`;
then the served checkpoint and every proof bundle carry it. Pages show which witnesses cosigned a checkpoint
that covers their records (`witness_marks`), each cosignature verified again when read.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, PermissionDenied
from xinren.ledger.checkpoint import parse_checkpoint
from xinren.ledger.errors import LedgerError
from xinren.ledger.note import SIG_COSIGNATURE_V1, Note, Verifier, open_note, parse_note

from .log_key import log_verifier
from .models import Cosignature, SignedCheckpoint

COSIGNATURE_MALFORMED = "ledger.cosignature_malformed"
COSIGNATURE_CHECKPOINT_UNKNOWN = "ledger.cosignature_checkpoint_unknown"
COSIGNATURE_WITNESS_UNKNOWN = "ledger.cosignature_witness_unknown"
COSIGNATURE_INVALID = "ledger.cosignature_invalid"
MAX_BODY = 1 << 16
# A witness's clock may run a little ahead of ours; a cosignature dated later than this is refused.
CLOCK_SKEW_SECONDS = 600
MARKS_CACHE_SECONDS = 5


@dataclass(frozen=True)
class WitnessKey:
    """A witness the platform trusts: its cosignature/v1 verifier key and the name pages show."""

    verifier: Verifier
    label: str

    @property
    def ident(self) -> str:
        """How its rows are named in `Cosignature.witness`."""
        return f"key:{self.verifier.name}+{self.verifier.key_id:08x}"


def witness_keys() -> tuple[WitnessKey, ...]:
    """The configured witnesses, in order (`XINREN_WITNESS_KEYS`, then the keys of `XINREN_WITNESSES`)."""
    return _witness_keys(tuple(settings.XINREN_WITNESS_KEYS), tuple(settings.XINREN_WITNESSES), log_verifier())


@functools.lru_cache(maxsize=8)
def _witness_keys(items: tuple[str, ...], pushed: tuple[str, ...], log_key: Verifier) -> tuple[WitnessKey, ...]:
    keys: list[WitnessKey] = []
    entries = [item.strip().partition(" ")[::2] for item in items]
    pushed_keys = (item.strip().partition(" ")[2].strip() for item in pushed)
    entries += [(vkey, "") for vkey in pushed_keys if vkey]
    for vkey, label in entries:
        try:
            verifier = Verifier.from_vkey(vkey)
        except LedgerError as exc:
            raise ImproperlyConfigured(f"XINREN_WITNESS_KEYS: {vkey!r} is not a verifier key: {exc.message}") from None
        if verifier.sig_type != SIG_COSIGNATURE_V1:
            raise ImproperlyConfigured(f"XINREN_WITNESS_KEYS: {verifier.name} is not a cosignature/v1 key (type 0x04)")
        if verifier.public_key == log_key.public_key:
            raise ImproperlyConfigured("XINREN_WITNESS_KEYS: a witness key must not be the log's own key")
        if all(k.verifier != verifier for k in keys):
            keys.append(WitnessKey(verifier=verifier, label=label.strip() or verifier.name))
    return tuple(keys)


@checks.register()
def witness_keys_check(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """`manage.py check` (and runserver) refuse a witness key setting that pages would trip over."""
    try:
        witness_keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="ledger.E001")]
    return []


def _malformed(reason: str) -> InvalidInput:
    return InvalidInput(COSIGNATURE_MALFORMED, _("见证签名格式错误：应为本日志的签名检查点加上见证方的签名行"),
                        details={"reason": reason})


@dataclass(frozen=True)
class CosignatureReceipt:
    size: int
    witnesses: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"size": self.size, "witnesses": list(self.witnesses)}


def cosignature_receive(*, body: bytes) -> CosignatureReceipt:
    """Keep the configured witnesses' cosignatures on a checkpoint this log signed; refuse anything else."""
    if len(body) > MAX_BODY:
        raise _malformed("too_large")
    try:
        note = parse_note(body)
        checkpoint = parse_checkpoint(note.text)
    except LedgerError as exc:
        raise _malformed(exc.code) from None
    stored = SignedCheckpoint.objects.filter(size=checkpoint.size).first()
    if stored is None or parse_note(stored.note).text != note.text:
        raise Conflict(COSIGNATURE_CHECKPOINT_UNKNOWN, _("见证方签署的检查点不是本日志签署的检查点"),
                       details={"size": checkpoint.size})
    keys = {(k.verifier.name, k.verifier.key_id): k for k in witness_keys()}
    lines = tuple(s for s in note.signatures if (s.name, s.key_id) in keys)
    if not lines:
        raise PermissionDenied(COSIGNATURE_WITNESS_UNKNOWN, _("见证签名不是由平台配置的见证方密钥签署的"),
                               details={"names": sorted({s.name for s in note.signatures})})
    try:
        opened = open_note(Note(text=note.text, signatures=lines).to_text(), [k.verifier for k in keys.values()])
    except LedgerError as exc:
        raise PermissionDenied(COSIGNATURE_INVALID, _("见证签名校验失败"), details={"reason": exc.code}) from None
    latest = clock.now().timestamp() + CLOCK_SKEW_SECONDS
    if any(v.timestamp is None or v.timestamp > latest for v in opened.verified):
        raise InvalidInput(COSIGNATURE_INVALID, _("见证签名的时间晚于当前时间"), details={"reason": "timestamp_future"})
    accepted = []
    with transaction.atomic():
        present = _signers_of(stored)
        for line in lines:
            key = keys[(line.name, line.key_id)]
            if (line.name, line.key_id) not in present:
                Cosignature.objects.get_or_create(checkpoint=stored, witness=key.ident, defaults={"line": line.line})
            accepted.append(key.verifier.name)
        keys_now = witness_keys()
        transaction.on_commit(lambda: cache.delete(_marks_cache_key(keys_now)))
    return CosignatureReceipt(size=stored.size, witnesses=tuple(accepted))


def _signers_of(checkpoint: SignedCheckpoint) -> set[tuple[str, int]]:
    """(name, key ID) of every cosignature line stored on the checkpoint, however it arrived (pushed or posted)."""
    lines = "".join(Cosignature.objects.filter(checkpoint=checkpoint).values_list("line", flat=True))
    if not lines:
        return set()
    return {(s.name, s.key_id) for s in parse_note(checkpoint.note + lines).signatures}


@dataclass(frozen=True)
class WitnessMark:
    """What a page says about one witness: its label and the largest checkpoint its verified cosignature covers."""

    label: str
    name: str
    size: int

    def covers(self, size: int) -> bool:
        return self.size > 0 and self.size >= size


def witness_marks() -> list[WitnessMark]:
    """Every configured witness with the size of the latest checkpoint it verifiably cosigned (0: none yet).

    Kept a few seconds in the cache (as long as /log/checkpoint is), so that the publisher, which draws many pages
    in a row, reads and verifies the cosignatures once and not once per page.
    """
    keys = witness_keys()
    if not keys:
        return []
    marks = cache.get(_marks_cache_key(keys))
    if marks is None:
        marks = _marks(keys, log_verifier())
        cache.set(_marks_cache_key(keys), marks, MARKS_CACHE_SECONDS)
    return list(marks)


def _marks_cache_key(keys: tuple[WitnessKey, ...]) -> str:
    configured = "\n".join(f"{k.verifier.vkey} {k.label}" for k in keys)
    return "ledger:witness-marks:" + hashlib.sha256(configured.encode()).hexdigest()[:32]


def _marks(keys: tuple[WitnessKey, ...], log_key: Verifier) -> tuple[WitnessMark, ...]:
    marks = []
    for key in keys:
        size = 0
        rows = (Cosignature.objects.filter(line__startswith=f"— {key.verifier.name} ")
                .order_by("-checkpoint__size").values_list("checkpoint__note", "checkpoint__size", "line")[:4])
        for note, checkpoint_size, line in rows:
            if _cosigned_by(note + line, log_key, key.verifier):
                size = checkpoint_size
                break
        marks.append(WitnessMark(label=key.label, name=key.verifier.name, size=size))
    return tuple(marks)


def _cosigned_by(signed: str, log_key: Verifier, witness: Verifier) -> bool:
    try:
        opened = open_note(signed, [log_key, witness])
    except LedgerError:
        return False
    return opened.signed_by(log_key) and opened.signed_by(witness)

"""The witness's checks, in the order c2sp.org/tlog-witness gives them, and its cosignature.

`Witness.cosign(old_size=, proof=, signed_checkpoint=)` returns the witness's cosignature line (tlog-cosignature
v1: `— <name> base64(key ID ‖ timestamp ‖ Ed25519 signature)`) or raises `Refusal` with the HTTP status the
protocol prescribes. `Witness.add_checkpoint(body)` parses an add-checkpoint request body first.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from xinren.ledger.b64 import b64decode
from xinren.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint, verify_checkpoints_consistent
from xinren.ledger.errors import LedgerError
from xinren.ledger.merkle import EMPTY_ROOT
from xinren.ledger.note import SIG_COSIGNATURE_V1, Note, Signer, Verifier, add_signatures, parse_note

from .state import LogState, StateFile

MAX_PROOF_LINES = 63
MAX_BODY = 1 << 16
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")


class Refusal(Exception):
    """The witness will not cosign: `status` is the protocol's HTTP status, `code` a stable word."""

    def __init__(self, status: int, code: str, message: str, *, known_size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.known_size = known_size

    def body(self) -> tuple[bytes, str]:
        """The HTTP answer: the size for a 409 about sizes (text/x.tlog.size), else the message."""
        if self.code == "old_size_mismatch":
            return f"{self.known_size}\n".encode(), "text/x.tlog.size"
        return (self.message + "\n").encode(), "text/plain; charset=utf-8"


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request."""

    old_size: int
    proof: tuple[bytes, ...]
    signed_checkpoint: str


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """`old <size>\\n`, up to 63 base64 proof lines, an empty line, then the signed checkpoint (else 400)."""
    if len(body) > MAX_BODY:
        raise Refusal(400, "malformed", "request body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "malformed", "request body is not UTF-8") from None
    head, separator, signed = text.partition("\n\n")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not separator or match is None or not signed:
        raise Refusal(400, "malformed", "request body is not `old <size>`, proof lines, a blank line, a checkpoint")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise Refusal(400, "malformed", f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = tuple(b64decode(line, what="consistency proof line") for line in lines[1:])
    except LedgerError as exc:
        raise Refusal(400, "malformed", exc.message) from None
    return AddCheckpoint(old_size=int(match.group(1)), proof=proof, signed_checkpoint=signed)


class Witness:
    """Cosigns checkpoints of the logs it knows (origin → log verifier key), remembering them in `state`."""

    def __init__(self, *, signer: Signer, logs: Mapping[str, Verifier], state: StateFile,
                 clock: Callable[[], float] = time.time) -> None:
        if signer.sig_type != SIG_COSIGNATURE_V1:
            raise ValueError("a witness key must be a cosignature/v1 key (type 0x04)")
        own = signer.verifier().public_key
        for origin, log_key in logs.items():
            if log_key.public_key == own:
                raise ValueError(f"the witness key is the key of the log it watches ({origin}): use a key of your own")
        self.signer = signer
        self.verifier = signer.verifier()
        self.logs = dict(logs)
        self.state = state
        self.clock = clock

    @property
    def name(self) -> str:
        return self.signer.name

    def add_checkpoint(self, body: bytes) -> str:
        """Answer an add-checkpoint request body with the cosignature line, or raise `Refusal`."""
        request = parse_add_checkpoint(body)
        return self.cosign(old_size=request.old_size, proof=request.proof,
                           signed_checkpoint=request.signed_checkpoint)

    def cosign(self, *, old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> str:
        """Check the checkpoint against the state, record it, and return our cosignature line."""
        checkpoint = self._open(signed_checkpoint)
        if old_size > checkpoint.size:
            raise Refusal(400, "old_size_beyond", f"old size {old_size} is beyond the checkpoint's size "
                          f"{checkpoint.size}")
        with self.state.locked() as states:
            known = states.get(checkpoint.origin)
            known_size = 0 if known is None else known.size
            if old_size != known_size:
                raise Refusal(409, "old_size_mismatch", f"this witness last cosigned size {known_size}, not "
                              f"{old_size}", known_size=known_size)
            previous = (Checkpoint(origin=checkpoint.origin, size=0, root=EMPTY_ROOT) if known is None
                        else Checkpoint(origin=checkpoint.origin, size=known.size, root=known.root))
            self._check_consistent(previous, checkpoint, proof, known=known, request=signed_checkpoint)
            states[checkpoint.origin] = LogState(size=checkpoint.size, root=checkpoint.root, note=signed_checkpoint)
            self.state.save(states)
        return self._cosignature_line(signed_checkpoint)

    def _open(self, signed_checkpoint: str) -> Checkpoint:
        try:
            origin = parse_checkpoint(parse_note(signed_checkpoint).text).origin
        except LedgerError as exc:
            raise Refusal(400, "malformed", exc.message) from None
        log_key = self.logs.get(origin)
        if log_key is None:
            raise Refusal(404, "unknown_log", f"this witness does not watch the log {origin!r}")
        try:
            return open_checkpoint(signed_checkpoint, log_key, origin=origin).checkpoint
        except LedgerError as exc:
            raise Refusal(403, "not_signed_by_log", f"the checkpoint is not signed by the log's key ({exc.code})") \
                from None

    def _check_consistent(self, previous: Checkpoint, checkpoint: Checkpoint, proof: Sequence[bytes], *,
                          known: LogState | None, request: str) -> None:
        if previous.size == checkpoint.size:
            if previous.root != checkpoint.root:
                self.state.record_evidence(reason="fork: same size, another root", known=known, request=request)
                raise Refusal(409, "fork", f"the log signed another root for size {checkpoint.size} than the one "
                              "this witness cosigned: a fork")
            if proof:
                raise Refusal(422, "inconsistent", "a proof between equal sizes must be empty")
            return
        try:
            verify_checkpoints_consistent(previous, checkpoint, proof)
        except LedgerError as exc:
            if known is not None:
                self.state.record_evidence(reason=f"inconsistent: {exc.code}", known=known, request=request)
            raise Refusal(422, "inconsistent", f"the consistency proof from size {previous.size} to "
                          f"{checkpoint.size} does not verify ({exc.code})") from None

    def _cosignature_line(self, signed_checkpoint: str) -> str:
        note = parse_note(signed_checkpoint)
        bare = Note(text=note.text, signatures=tuple(
            s for s in note.signatures if (s.name, s.key_id) != (self.verifier.name, self.verifier.key_id)))
        cosigned = add_signatures(bare, [self.signer], timestamp=int(self.clock()))
        prefix = f"— {self.signer.name} "
        return next(line for line in reversed(cosigned.split("\n")) if line.startswith(prefix)) + "\n"

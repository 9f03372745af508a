"""`InProcessWitness`: a named test double of a c2sp.org/tlog-witness witness, with no network.

It implements the protocol's checks with the pure ledger package, in the order the spec gives them:
parse the body, verify the log's signature on the checkpoint (403), compare the old size with the
size it last cosigned (409 with text/x.tlog.size), verify the consistency proof (422), then cosign.
"""

from __future__ import annotations

import re

from xinren.ledger.b64 import b64decode
from xinren.ledger.checkpoint import Checkpoint, cosign_checkpoint, open_checkpoint, verify_checkpoints_consistent
from xinren.ledger.errors import LedgerError
from xinren.ledger.merkle import EMPTY_ROOT
from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer, Verifier
from xinren.ledger.store.witness import WitnessResponse

_OLD = re.compile(r"old (0|[1-9][0-9]*)")


class InProcessWitness:
    """Witnesses one log; `url` names it, `verifier` checks its cosignatures."""

    def __init__(self, log_key: Verifier, *, name: str = "witness.test/w1", url: str = "https://witness.test/") -> None:
        self.url = url
        self.log_key = log_key
        self.signer = Signer.generate(name, SIG_COSIGNATURE_V1)
        self.verifier: Verifier | None = self.signer.verifier()
        self.latest: Checkpoint | None = None
        self.requests: list[bytes] = []
        self.timestamp = 1_790_000_000

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        self.requests.append(body)
        try:
            head, _, signed = body.decode("utf-8").partition("\n\n")
            lines = head.split("\n")
            match = _OLD.fullmatch(lines[0])
            if match is None or not signed:
                return WitnessResponse(400, b"malformed request\n")
            old_size = int(match.group(1))
            proof = [b64decode(line, what="proof line") for line in lines[1:]]
        except (UnicodeDecodeError, LedgerError):
            return WitnessResponse(400, b"malformed request\n")
        try:
            checkpoint = open_checkpoint(signed, self.log_key).checkpoint
        except LedgerError:
            return WitnessResponse(403, b"checkpoint not signed by the log\n")
        known = self.latest.size if self.latest is not None else 0
        if old_size != known:
            return WitnessResponse(409, f"{known}\n".encode(), "text/x.tlog.size")
        if old_size > checkpoint.size:
            return WitnessResponse(400, b"old size beyond checkpoint\n")
        previous = self.latest or Checkpoint(origin=checkpoint.origin, size=0, root=EMPTY_ROOT)
        try:
            if previous.size == checkpoint.size:
                if proof or previous.root != checkpoint.root:
                    raise ValueError("same size, other root")
            else:
                verify_checkpoints_consistent(previous, checkpoint, proof)
        except (LedgerError, ValueError):
            return WitnessResponse(422, b"consistency proof does not verify\n")
        self.latest = checkpoint
        self.timestamp += 1
        cosigned = cosign_checkpoint(signed, self.signer, timestamp=self.timestamp)
        own = [line for line in cosigned.split("\n") if line.startswith(f"— {self.signer.name} ")]
        return WitnessResponse(200, (own[0] + "\n").encode())

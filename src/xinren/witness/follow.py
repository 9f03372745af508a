"""The witness as a follower: fetch the log's checkpoint, check it, cosign it, post the cosignature back.

One round (`follow_once`):

1. GET `<log>/checkpoint`, the latest signed checkpoint (it may carry other witnesses' cosignatures).
2. Nothing to do if it already carries our cosignature.
3. GET `<log>/proof/consistency?first=<our size>&second=<its size>` when the log grew. The proof is not
   trusted: `Witness.cosign` verifies it against the root we cosigned, exactly as for an add-checkpoint
   request, and refuses a fork (another root at our size, or no valid proof) and a rollback (a smaller size).
4. POST the checkpoint with our cosignature line to `<log>/cosignature`; the log verifies it against the
   witness keys it is configured with and serves it from then on.

Only the standard library's HTTP client: the follower needs no inbound port, so it can run behind the
alliance's or regulator's firewall.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from xinren.ledger.b64 import b64decode
from xinren.ledger.checkpoint import parse_checkpoint
from xinren.ledger.errors import LedgerError
from xinren.ledger.note import parse_note

from .core import Refusal, Witness

logger = logging.getLogger("xinren.witness")
MAX_ANSWER = 1 << 20


class FetchError(Exception):
    """The log could not be reached or answered something unusable; the next round tries again."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes


Transport = Callable[[str, bytes | None], HttpAnswer]


def http_transport(timeout: float = 10.0) -> Transport:
    """GET (body None) or POST text over urllib."""

    def send(url: str, body: bytes | None) -> HttpAnswer:
        request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST",
                                         headers={"Content-Type": "text/plain; charset=utf-8",
                                                  "User-Agent": "xinren-witness/1"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return HttpAnswer(response.status, response.read(MAX_ANSWER))
        except urllib.error.HTTPError as exc:
            return HttpAnswer(exc.code, exc.read(MAX_ANSWER))
        except (OSError, ValueError) as exc:
            raise FetchError(f"{url}: {exc}") from None

    return send


@dataclass(frozen=True)
class Round:
    """What one round did: `cosigned`, `current` (already cosigned), `refused` or `failed`, and at which size."""

    outcome: str
    size: int
    message: str = ""


class Follower:
    """Follows one log at `log_url` (its /log/ prefix) with `witness`."""

    def __init__(self, witness: Witness, *, log_url: str, post_url: str | None = None,
                 transport: Transport | None = None) -> None:
        self.witness = witness
        self.log_url = log_url.rstrip("/") + "/"
        self.post_url = post_url or self.log_url + "cosignature"
        self.transport = transport or http_transport()

    def follow_once(self) -> Round:
        try:
            return self._round()
        except Refusal as refusal:
            logger.error("refused to cosign: %s (%s)", refusal.message, refusal.code)
            return Round("refused", self._known_size(), f"{refusal.code}: {refusal.message}")
        except FetchError as exc:
            logger.warning("round failed: %s", exc)
            return Round("failed", self._known_size(), str(exc))

    def follow(self, *, interval: float, rounds: int = 0, sleep: Callable[[float], object] = time.sleep,
               keep_going: Callable[[], bool] = lambda: True) -> None:
        """Rounds every `interval` seconds while `keep_going()`, forever (or `rounds` times)."""
        done = 0
        while keep_going():
            outcome = self.follow_once()
            if outcome.outcome != "current":
                logger.info("%s at size %d %s", outcome.outcome, outcome.size, outcome.message)
            done += 1
            if rounds and done >= rounds:
                return
            sleep(interval)

    def _known_size(self) -> int:
        known = self.witness.state.read()
        return max((s.size for s in known.values()), default=0)

    def _round(self) -> Round:
        answer = self._get(self.log_url + "checkpoint")
        served = self._text(answer.body)
        try:
            note = parse_note(served)
            checkpoint = parse_checkpoint(note.text)
        except LedgerError as exc:
            raise FetchError(f"the log's checkpoint is malformed: {exc.message}") from None
        own = self.witness.verifier
        if any((s.name, s.key_id) == (own.name, own.key_id) for s in note.signatures):
            return Round("current", checkpoint.size)
        known = self.witness.state.read().get(checkpoint.origin)
        old_size = 0 if known is None else known.size
        if checkpoint.size < old_size:
            raise Refusal(400, "rollback", f"the log now serves size {checkpoint.size}, smaller than the size "
                          f"{old_size} this witness cosigned: a rollback")
        proof: list[bytes] = []
        if 0 < old_size < checkpoint.size:
            proof = self._consistency(old_size, checkpoint.size)
        line = self.witness.cosign(old_size=old_size, proof=proof, signed_checkpoint=served)
        posted = self.transport(self.post_url, (served + line).encode("utf-8"))
        if posted.status != 200:
            raise FetchError(f"the log refused the cosignature: HTTP {posted.status} "
                             f"{posted.body[:300].decode('utf-8', 'replace')}")
        return Round("cosigned", checkpoint.size)

    def _consistency(self, first: int, second: int) -> list[bytes]:
        query = urllib.parse.urlencode({"first": first, "second": second})
        answer = self._get(self.log_url + "proof/consistency?" + query)
        try:
            data = json.loads(answer.body)
            if data["first"] != first or data["second"] != second:
                raise ValueError("the proof is for other sizes")
            return [b64decode(item, what="consistency proof hash") for item in data["consistency_path"]]
        except (ValueError, KeyError, TypeError, LedgerError) as exc:
            raise FetchError(f"the log's consistency proof is malformed: {exc}") from None

    def _get(self, url: str) -> HttpAnswer:
        answer = self.transport(url, None)
        if answer.status != 200:
            raise FetchError(f"GET {url}: HTTP {answer.status} {answer.body[:300].decode('utf-8', 'replace')}")
        return answer

    @staticmethod
    def _text(body: bytes) -> str:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise FetchError("the log's checkpoint is not UTF-8") from None

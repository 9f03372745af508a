"""Asking witnesses to cosign checkpoints (c2sp.org/tlog-witness) and keeping their cosignatures.

A witness is reached through a `WitnessClient`, which sends an add-checkpoint request body and returns
the witness's status and body. `HttpWitnessClient` posts to `<url>/add-checkpoint`; tests plug in an
in-process witness. The request is `old <size>`, the consistency proof lines, a blank line and the
signed checkpoint; a 200 answer is cosignature lines, a 409 (`text/x.tlog.size`) tells the size the
witness last cosigned, and the log retries once from there.

`settings.XINREN_WITNESSES` lists witnesses as `<url>` or `<url> <verifier key>`; with a key, the
cosignatures are verified before they are stored, otherwise only their form is checked.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction

from xinren.ledger.b64 import b64encode
from xinren.ledger.errors import LedgerError
from xinren.ledger.hashstore import consistency_proof
from xinren.ledger.note import Verifier, open_note, parse_note

from .hashes import DatabaseHashReader
from .log_key import log_verifier
from .models import Cosignature, SignedCheckpoint, WitnessState
from .selectors import checkpoint_latest

logger = logging.getLogger(__name__)
_SIZE_BODY = re.compile(rb"(0|[1-9][0-9]{0,19})\n")


@dataclass(frozen=True)
class WitnessResponse:
    status: int
    body: bytes
    content_type: str = ""


class WitnessClient(Protocol):
    """One witness: `url` names it in the log's records, `verifier` (optional) checks its cosignatures."""

    url: str
    verifier: Verifier | None

    def add_checkpoint(self, body: bytes) -> WitnessResponse: ...


class HttpWitnessClient:
    """A witness over HTTP (the only network the log itself does, after the integration committed)."""

    def __init__(self, url: str, verifier: Verifier | None = None, *, timeout: float = 10.0) -> None:
        self.url = url
        self.verifier = verifier
        self.timeout = timeout

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        request = urllib.request.Request(
            self.url.rstrip("/") + "/add-checkpoint", data=body, method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content_type = response.headers.get("Content-Type", "")
                return WitnessResponse(response.status, response.read(1 << 16), content_type)
        except urllib.error.HTTPError as exc:
            return WitnessResponse(exc.code, exc.read(1 << 16), exc.headers.get("Content-Type", ""))


def witness_clients_from_settings() -> list[WitnessClient]:
    clients: list[WitnessClient] = []
    for item in settings.XINREN_WITNESSES:
        url, _, vkey = item.strip().partition(" ")
        clients.append(HttpWitnessClient(url, Verifier.from_vkey(vkey.strip()) if vkey.strip() else None))
    return clients


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> bytes:
    lines = [f"old {old_size}", *(b64encode(h) for h in proof)]
    return ("\n".join(lines) + "\n\n" + signed_checkpoint).encode("utf-8")


@dataclass(frozen=True)
class WitnessOutcome:
    url: str
    ok: bool
    size: int
    message: str = ""


def _cosignature_lines(client: WitnessClient, note: str, body: bytes) -> list[str]:
    """The witness's answer as signature lines that extend our note, checked before we keep them."""
    text = body.decode("utf-8")
    if not text.endswith("\n") or not text.strip():
        raise ValueError("the answer is not signature lines")
    lines = [line + "\n" for line in text[:-1].split("\n")]
    cosigned = note + "".join(lines)
    parse_note(cosigned)
    if client.verifier is not None:
        opened = open_note(cosigned, [log_verifier(), client.verifier])
        if not opened.signed_by(client.verifier):
            raise ValueError("the answer carries no cosignature by the configured witness key")
        key_line_prefix = f"— {client.verifier.name} "
        lines = [line for line in lines if line.startswith(key_line_prefix)][:1]
    return lines


def _ask(client: WitnessClient, checkpoint: SignedCheckpoint, old_size: int) -> WitnessResponse:
    proof = consistency_proof(old_size, checkpoint.size, DatabaseHashReader()) if old_size > 0 else []
    return client.add_checkpoint(add_checkpoint_body(old_size, proof, checkpoint.note))


def checkpoint_witness(*, clients: Sequence[WitnessClient] | None = None) -> list[WitnessOutcome]:
    """Ask every witness to cosign the latest checkpoint; store what comes back. Never raises for a witness."""
    checkpoint = checkpoint_latest()
    if checkpoint is None:
        return []
    outcomes = []
    for client in witness_clients_from_settings() if clients is None else clients:
        outcomes.append(_witness_one(client, checkpoint))
    return outcomes


def _witness_one(client: WitnessClient, checkpoint: SignedCheckpoint) -> WitnessOutcome:
    state, _ = WitnessState.objects.get_or_create(url=client.url)
    if state.size == checkpoint.size and Cosignature.objects.filter(checkpoint=checkpoint, witness=client.url).exists():
        return WitnessOutcome(client.url, True, state.size, "already cosigned")
    old_size = min(state.size, checkpoint.size)
    try:
        response = _ask(client, checkpoint, old_size)
        if response.status == 409 and response.content_type.split(";")[0].strip() == "text/x.tlog.size":
            match = _SIZE_BODY.fullmatch(response.body)
            if match is None or int(match.group(1)) > checkpoint.size:
                raise ValueError(f"the witness claims an unknown size {response.body[:32]!r}")
            old_size = int(match.group(1))
            response = _ask(client, checkpoint, old_size)
        if response.status != 200:
            raise ValueError(f"HTTP {response.status}: {response.body[:200].decode('utf-8', 'replace')}")
        lines = _cosignature_lines(client, checkpoint.note, response.body)
    except (OSError, ValueError, LedgerError) as exc:
        message = getattr(exc, "message", str(exc))
        WitnessState.objects.filter(pk=state.pk).update(last_error=message[:1000])
        logger.warning("witness %s refused checkpoint %d: %s", client.url, checkpoint.size, message)
        return WitnessOutcome(client.url, False, state.size, message)
    with transaction.atomic():
        Cosignature.objects.get_or_create(checkpoint=checkpoint, witness=client.url, defaults={"line": "".join(lines)})
        WitnessState.objects.filter(pk=state.pk).update(size=checkpoint.size, last_error="")
    return WitnessOutcome(client.url, True, checkpoint.size)

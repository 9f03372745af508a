"""Witnesses that follow the log post their cosignatures to /log/cosignature; only configured keys count."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from xinren.attest import signing
from xinren.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from xinren.ledger.merkle import leaf_hash
from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer, add_signatures
from xinren.ledger.store import selectors
from xinren.ledger.store.cosignatures import witness_keys_check, witness_marks
from xinren.ledger.store.log_key import log_signer, log_verifier
from xinren.ledger.store.models import Cosignature
from xinren.ledger.store.sequencer import log_integrate
from xinren.ledger.store.witness import checkpoint_witness
from xinren.witness.core import Witness
from xinren.witness.follow import Follower
from xinren.witness.server import server_create
from xinren.witness.state import StateFile

from ..witness.platform import LOG_URL, platform_transport
from .conftest import note_statement, signed

pytestmark = pytest.mark.django_db
LABEL = "滇茶联盟见证"


def _grow(lab_actor, lab_private_key, start: int, count: int) -> None:  # type: ignore[no-untyped-def]
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(start, start + count)]
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    log_integrate()


@pytest.fixture
def witness_signer() -> Signer:
    return Signer.generate("witness.dianchalianmeng.test/w1", SIG_COSIGNATURE_V1)


@pytest.fixture
def configured(settings, witness_signer: Signer) -> Signer:  # type: ignore[no-untyped-def]
    settings.XINREN_WITNESS_KEYS = [f"{witness_signer.verifier().vkey} {LABEL}"]
    return witness_signer


@pytest.fixture
def follower(configured: Signer, tmp_path: Path, client: Client) -> Follower:
    witness = Witness(signer=configured, logs={log_verifier().name: log_verifier()},
                      state=StateFile(tmp_path / "witness" / "state.json"))
    return Follower(witness, log_url=LOG_URL, transport=platform_transport(client))


def test_a_following_witness_cosigns_and_the_log_serves_its_cosignature(
    follower: Follower, lab_key, lab_actor, lab_private_key  # type: ignore[no-untyped-def]
) -> None:
    # given
    _grow(lab_actor, lab_private_key, 0, 3)
    # when
    first = follower.follow_once()
    again = follower.follow_once()
    _grow(lab_actor, lab_private_key, 3, 4)
    grown = follower.follow_once()
    # then
    assert [(r.outcome, r.size) for r in (first, again, grown)] == [("cosigned", 5), ("current", 5), ("cosigned", 9)]
    served = selectors.checkpoint_text(selectors.checkpoint_latest())
    verified = open_checkpoint(served, log_verifier(), witnesses=[follower.witness.verifier], quorum=1)
    assert verified.checkpoint.size == 9
    assert Cosignature.objects.count() == 2
    assert [(m.label, m.size) for m in witness_marks()] == [(LABEL, 9)]


def test_a_cosignature_by_an_unknown_key_is_refused(configured: Signer, client: Client, lab_key, lab_actor,  # type: ignore[no-untyped-def]
                                                   lab_private_key) -> None:
    # given
    _grow(lab_actor, lab_private_key, 0, 1)
    stranger = Signer.generate("witness.stranger.test/w", SIG_COSIGNATURE_V1)
    note = selectors.checkpoint_latest().note
    body = _cosigned(note, stranger)
    # when
    response = client.post("/log/cosignature", data=body, content_type="text/plain")
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "ledger.cosignature_witness_unknown"
    assert Cosignature.objects.count() == 0


def test_a_cosignature_over_another_checkpoint_is_refused(configured: Signer, client: Client, lab_key,  # type: ignore[no-untyped-def]
                                                         lab_actor, lab_private_key) -> None:
    # given: a checkpoint of the same size with another root, even one signed by the log's key
    _grow(lab_actor, lab_private_key, 0, 2)
    size = selectors.checkpoint_latest().size
    other = sign_checkpoint(Checkpoint(origin=log_verifier().name, size=size, root=leaf_hash(b"other")), log_signer())
    unknown_size = sign_checkpoint(Checkpoint(origin=log_verifier().name, size=size + 7, root=leaf_hash(b"x")),
                                   log_signer())
    # when
    answers = [client.post("/log/cosignature", data=_cosigned(note, configured), content_type="text/plain")
               for note in (other, unknown_size)]
    # then
    assert [(a.status_code, a.json()["code"]) for a in answers] == [(409, "ledger.cosignature_checkpoint_unknown")] * 2
    assert Cosignature.objects.count() == 0


def test_a_forged_or_malformed_or_future_cosignature_is_refused(configured: Signer, client: Client, lab_key,  # type: ignore[no-untyped-def]
                                                                lab_actor, lab_private_key) -> None:
    # given
    _grow(lab_actor, lab_private_key, 0, 1)
    note = selectors.checkpoint_latest().note
    genuine = _cosigned(note, configured)
    signature = genuine.rstrip(b"\n").rsplit(b" ", 1)[1]
    forged = genuine.replace(signature, signature[:-6] + (b"AAAAA=" if signature[-6:] != b"AAAAA=" else b"BBBBB="))
    future = _cosigned(note, configured, timestamp=4_000_000_000)
    # when
    answers = [client.post("/log/cosignature", data=body, content_type="text/plain")
               for body in (forged, b"not a note", future)]
    # then
    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (403, "ledger.cosignature_invalid"), (422, "ledger.cosignature_malformed"), (422, "ledger.cosignature_invalid"),
    ]
    assert Cosignature.objects.count() == 0


def test_posting_the_same_cosignature_twice_keeps_one(configured: Signer, client: Client, lab_key, lab_actor,  # type: ignore[no-untyped-def]
                                                     lab_private_key) -> None:
    # given
    _grow(lab_actor, lab_private_key, 0, 1)
    body = _cosigned(selectors.checkpoint_latest().note, configured)
    # when
    answers = [client.post("/log/cosignature", data=body, content_type="text/plain") for _ in range(2)]
    # then
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == {"size": 3, "witnesses": [configured.name]}
    assert Cosignature.objects.count() == 1
    served = selectors.checkpoint_text(selectors.checkpoint_latest())
    assert open_checkpoint(served, log_verifier(), witnesses=[configured.verifier()], quorum=1).witnesses


def test_a_witness_mark_needs_a_cosignature_that_still_verifies(configured: Signer, client: Client, lab_key,  # type: ignore[no-untyped-def]
                                                                lab_actor, lab_private_key) -> None:
    # given: a stored cosignature edited in the database afterwards
    _grow(lab_actor, lab_private_key, 0, 1)
    client.post("/log/cosignature", data=_cosigned(selectors.checkpoint_latest().note, configured),
                content_type="text/plain")
    assert [m.size for m in witness_marks()] == [3]
    row = Cosignature.objects.get()
    Cosignature.objects.filter(pk=row.pk).update(line=row.line[:-10] + "AAAAAAAAA\n")
    Cosignature.objects.create(checkpoint=row.checkpoint, witness="touch", line="— x AAAAAAAAAAAAAAAAAAAAAA==\n")
    # when: the marks are read again once their few seconds in the cache are over
    cache.clear()
    marks = witness_marks()
    # then
    assert [(m.label, m.size, m.covers(1)) for m in marks] == [(LABEL, 0, False)]


def _cosigned(note: str, signer: Signer, *, timestamp: int = 1_790_000_000) -> bytes:
    return add_signatures(note, [signer], timestamp=timestamp).encode()


def test_the_sequencer_can_push_to_the_witness_endpoint_instead(settings, tmp_path: Path, lab_key, lab_actor,  # type: ignore[no-untyped-def]
                                                               lab_private_key) -> None:
    # given: the same witness program serving add-checkpoint on a local port, named in XINREN_WITNESSES
    signer = Signer.generate("witness.regulator.test/w1", SIG_COSIGNATURE_V1)
    witness = Witness(signer=signer, logs={log_verifier().name: log_verifier()}, state=StateFile(tmp_path / "s"))
    server = server_create(witness, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.XINREN_WITNESSES = [f"http://127.0.0.1:{server.server_address[1]}/ {signer.verifier().vkey}"]
    try:
        _grow(lab_actor, lab_private_key, 0, 2)
        first = checkpoint_witness()
        _grow(lab_actor, lab_private_key, 2, 3)
        # when
        second = checkpoint_witness()
    finally:
        server.shutdown()
        server.server_close()
    # then
    assert [(o.ok, o.size) for o in first + second] == [(True, 4), (True, 7)]
    served = selectors.checkpoint_text(selectors.checkpoint_latest())
    assert open_checkpoint(served, log_verifier(), witnesses=[signer.verifier()], quorum=1).checkpoint.size == 7
    assert [(m.name, m.size) for m in witness_marks()] == [("witness.regulator.test/w1", 7)]


@pytest.mark.parametrize("item", [
    "not-a-key 见证",
    f"{Signer(name='witness.test/plain', seed=bytes(32)).verifier().vkey} 普通签名密钥",  # type 0x01, not 0x04
], ids=["not-a-key", "plain-ed25519-key"])
def test_a_wrong_witness_key_setting_fails_the_system_check(settings, item: str) -> None:
    # given
    settings.XINREN_WITNESS_KEYS = [item]
    # when
    errors = witness_keys_check()
    # then
    assert [e.id for e in errors] == ["ledger.E001"]


def test_the_log_key_is_refused_as_a_witness_key(settings) -> None:  # type: ignore[no-untyped-def]
    cosigner = Signer(name="witness.test/w", seed=log_signer().seed, sig_type=SIG_COSIGNATURE_V1)
    settings.XINREN_WITNESS_KEYS = [cosigner.verifier().vkey]
    assert "must not be the log's own key" in witness_keys_check()[0].msg

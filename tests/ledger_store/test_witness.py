"""Witnesses cosign checkpoints over the tlog-witness protocol (an in-process witness, no network)."""

from __future__ import annotations

import pytest

from xinren.attest import signing
from xinren.ledger import verify_bundle
from xinren.ledger.checkpoint import open_checkpoint
from xinren.ledger.store import selectors
from xinren.ledger.store.log_key import log_verifier
from xinren.ledger.store.models import Cosignature, WitnessState
from xinren.ledger.store.sequencer import log_integrate
from xinren.ledger.store.witness import WitnessResponse, checkpoint_witness

from .conftest import note_statement, signed
from .fake_witness import InProcessWitness

pytestmark = pytest.mark.django_db


def _grow(lab_actor, lab_private_key, start: int, count: int) -> None:  # type: ignore[no-untyped-def]
    envelopes = [signed(lab_private_key, note_statement(n)) for n in range(start, start + count)]
    signing.envelopes_submit(actor=lab_actor, envelopes=envelopes)
    log_integrate()


def test_the_checkpoint_is_served_with_the_witness_cosignature(lab_key, lab_actor, lab_private_key) -> None:
    # given
    witness = InProcessWitness(log_verifier())
    _grow(lab_actor, lab_private_key, 0, 3)
    # when
    outcomes = checkpoint_witness(clients=[witness])
    # then
    assert [(o.ok, o.size) for o in outcomes] == [(True, 5)]
    assert witness.requests[0].startswith(b"old 0\n\nxinren.example/log\n5\n")
    served = selectors.checkpoint_text(selectors.checkpoint_latest())
    assert witness.verifier is not None
    opened = open_checkpoint(served, log_verifier(), witnesses=[witness.verifier], quorum=1)
    assert opened.witnesses == (witness.verifier,)
    bundle = selectors.bundle_get(2).to_text()
    assert verify_bundle(bundle, selectors.log_vkey(), witnesses=[witness.verifier.vkey], quorum=1).ok is True


def test_later_checkpoints_carry_a_consistency_proof(lab_key, lab_actor, lab_private_key) -> None:
    # given
    witness = InProcessWitness(log_verifier())
    _grow(lab_actor, lab_private_key, 0, 3)
    checkpoint_witness(clients=[witness])
    _grow(lab_actor, lab_private_key, 3, 6)
    # when
    outcomes = checkpoint_witness(clients=[witness])
    # then
    assert [(o.ok, o.size) for o in outcomes] == [(True, 11)]
    head = witness.requests[-1].split(b"\n\n")[0].split(b"\n")
    assert head[0] == b"old 5"
    assert len(head) > 1
    assert WitnessState.objects.get(url=witness.url).size == 11
    assert Cosignature.objects.count() == 2


def test_a_witness_that_knows_another_size_is_followed_once(lab_key, lab_actor, lab_private_key) -> None:
    # given: the log forgot the witness's state (e.g. restored from backup)
    witness = InProcessWitness(log_verifier())
    _grow(lab_actor, lab_private_key, 0, 3)
    checkpoint_witness(clients=[witness])
    WitnessState.objects.all().delete()
    _grow(lab_actor, lab_private_key, 3, 2)
    # when
    outcomes = checkpoint_witness(clients=[witness])
    # then: 409 with its size, then success from that size
    assert [(o.ok, o.size) for o in outcomes] == [(True, 7)]
    assert [r.split(b"\n")[0] for r in witness.requests[-2:]] == [b"old 0", b"old 5"]


def test_a_refusing_witness_is_recorded_and_nothing_stored(lab_key, lab_actor, lab_private_key) -> None:
    # given
    class Refusing:
        url = "https://refuses.test/"
        verifier = None

        def add_checkpoint(self, body: bytes) -> WitnessResponse:
            return WitnessResponse(422, b"consistency proof does not verify\n")

    _grow(lab_actor, lab_private_key, 0, 1)
    # when
    outcomes = checkpoint_witness(clients=[Refusing()])
    # then
    assert outcomes[0].ok is False
    assert "422" in outcomes[0].message
    assert Cosignature.objects.count() == 0
    assert WitnessState.objects.get(url="https://refuses.test/").last_error.startswith("HTTP 422")


def test_a_forged_cosignature_is_not_stored(lab_key, lab_actor, lab_private_key) -> None:
    # given: a witness whose answer is signed by another key than the one configured
    honest = InProcessWitness(log_verifier())
    impostor = InProcessWitness(log_verifier())
    impostor.verifier = honest.verifier
    _grow(lab_actor, lab_private_key, 0, 1)
    # when
    outcomes = checkpoint_witness(clients=[impostor])
    # then
    assert outcomes[0].ok is False
    assert Cosignature.objects.count() == 0

"""The proof state the consumer page shows for each event."""

import datetime as dt

import pytest

from tests.fixtures.immutable import tampering
from xinren.attest.proofs import MISMATCH, PENDING, VERIFIED
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import TraceEvent
from xinren.trace.proofs import event_proofs
from xinren.trace.services import event_record

from ..factories import ItemFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 7, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _record(actor, item, step="packing"):
    return event_record(
        actor=actor, event_type="ObjectEvent", biz_step=step, event_time=WHEN, identifiers=[item.digital_link.path]
    )


def test_pending_then_verified_with_index_signer_and_checkpoint(merchant_actor, settings):
    settings.XINREN_LOG_INTEGRATE_ON_COMMIT = False
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event = _record(merchant_actor, item)
    assert event_proofs([event])[event.pk].state == PENDING

    log_integrate_all()
    proof = event_proofs([event])[event.pk]
    assert proof.state == VERIFIED
    assert proof.index is not None and proof.checkpoint_size is not None and proof.index < proof.checkpoint_size
    assert proof.signer == merchant_actor.organization.name
    assert proof.as_dict()["bundle"] == f"/log/bundle/{proof.index}"


def test_a_tampered_event_shows_as_mismatch(merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event = _record(merchant_actor, item)
    log_integrate_all()
    with tampering():
        TraceEvent.objects.filter(pk=event.pk).update(document={**event.document, "disposition": "conformant"})
    event.refresh_from_db()
    assert event_proofs([event])[event.pk].state == MISMATCH


def test_an_event_whose_leaf_hash_was_cleared_is_not_verified(merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event = _record(merchant_actor, item)
    with tampering():
        TraceEvent.objects.filter(pk=event.pk).update(ledger_leaf_hash="")
    event.refresh_from_db()
    # every event is signed when it is recorded: an empty leaf hash is tampering, not a neutral "unsigned"
    assert event_proofs([event])[event.pk].state == MISMATCH

"""Every recorded event is a signed statement in the log; third parties may sign events themselves."""

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.fixtures.immutable import tampering
from xinren.accounts.choices import Role
from xinren.attest import keys
from xinren.core.errors import DomainError, InvalidInput
from xinren.ledger.dsse import key_id_for, parse_envelope, sign_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.ledger.store.selectors import entry_status
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import TraceEvent
from xinren.trace.services import epcis_capture_signed, event_record
from xinren.trace.statements import event_matches_statement

from ..factories import ItemFactory, actor_for, legacy_grant

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 7, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _statement_of(event: TraceEvent) -> dict:
    from xinren.ledger.store.models import LogEntry

    entry = LogEntry.objects.filter(leaf_hash=bytes.fromhex(event.ledger_leaf_hash)).first()
    raw = bytes(entry.envelope) if entry is not None else bytes(
        PendingEntry.objects.get(leaf_hash=bytes.fromhex(event.ledger_leaf_hash)).envelope
    )
    return json.loads(parse_envelope(raw).payload)


def test_recorded_event_is_signed_into_the_log(merchant_actor):
    # given
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    # when
    event = event_record(
        actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
        identifiers=[item.digital_link.path],
    )
    log_integrate_all()
    # then
    assert len(event.ledger_leaf_hash) == 64
    assert entry_status(bytes.fromhex(event.ledger_leaf_hash)).index is not None
    statement = _statement_of(event)
    assert statement["type"] == "trace.event"
    assert statement["recorder"] == keys.owner_of(merchant_actor.organization)
    assert statement["subject"].endswith(item.digital_link.path)
    assert event_matches_statement(document=event.document, statement=statement)


def test_a_tampered_event_no_longer_matches_its_statement(merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event = event_record(
        actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
        identifiers=[item.digital_link.path],
    )
    statement = _statement_of(event)
    # when someone edits the stored row behind the platform's back
    with tampering():
        TraceEvent.objects.filter(pk=event.pk).update(document={**event.document, "bizStep": "inspecting"})
    event.refresh_from_db()
    # then
    assert not event_matches_statement(document=event.document, statement=statement)


def _lab_key(lab_actor_admin):
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    keys.signing_key_register(actor=lab_actor_admin, public_key=public, label="LIMS")
    return private, key_id_for(public)


def _envelope(private, key_id, event) -> bytes:
    payload = json.dumps({"type": "trace.event", "subject": "x", "event": event}).encode()
    return sign_envelope(payload, key=private, keyid=key_id).to_json()


def test_third_party_signed_event_is_captured_as_signed(merchant_admin, lab):
    # given a lab with its own key, trusted by the merchant
    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    lab_admin = actor_for(lab, Role.ADMIN)
    private, key_id = _lab_key(lab_admin)
    item = ItemFactory(batch__product__merchant=merchant_admin.organization)
    event = {
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "disposition": "conformant",
        "eventTime": "2026-07-02T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
        "eventID": "urn:uuid:7a3f2c1e-0000-4000-8000-000000000001",
        "epcList": [f"https://id.example.org{item.digital_link.path}"],
    }
    envelope = _envelope(private, key_id, event)
    # when
    [recorded] = epcis_capture_signed(actor=lab_admin, envelopes=[envelope])
    # then the log holds the lab's own envelope, byte for byte
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(recorded.ledger_leaf_hash))
    assert bytes(pending.envelope) == envelope
    assert pending.signer_key_id == key_id
    assert event_matches_statement(document=recorded.document, statement=_statement_of(recorded))


def test_third_party_envelope_with_a_bad_signature_writes_nothing(merchant_admin, lab):
    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    lab_admin = actor_for(lab, Role.ADMIN)
    _private, key_id = _lab_key(lab_admin)
    other = Ed25519PrivateKey.generate()
    item = ItemFactory(batch__product__merchant=merchant_admin.organization)
    event = {
        "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting",
        "eventTime": "2026-07-02T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
        "epcList": [f"https://id.example.org{item.digital_link.path}"],
    }
    events_before, pending_before = TraceEvent.objects.count(), PendingEntry.objects.count()
    with pytest.raises(DomainError):
        epcis_capture_signed(actor=lab_admin, envelopes=[_envelope(other, key_id, event)])
    with pytest.raises(InvalidInput):
        epcis_capture_signed(actor=lab_admin, envelopes=[b"{not json"])
    assert (TraceEvent.objects.count(), PendingEntry.objects.count()) == (events_before, pending_before)

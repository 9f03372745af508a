"""The scan page marks each event verified (log index, signer, proof download) or says plainly it does not match."""

import datetime as dt

import pytest
from django.test import Client

from tests.fixtures.immutable import tampering
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import TraceEvent
from xinren.trace.services import event_record

from ..factories import ItemFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _signed_item(merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event = event_record(
        actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
        identifiers=[item.digital_link.path],
    )
    log_integrate_all()
    return item, event


def test_verified_event_shows_index_signer_and_proof_link(client: Client, merchant_actor):
    # given
    item, _event = _signed_item(merchant_actor)
    # when
    page = client.get(item.digital_link.path).content.decode()
    data = client.get(item.digital_link.path, HTTP_ACCEPT="application/json").json()
    # then
    [proof] = [e["proof"] for e in data["events"]]
    assert proof["state"] == "verified"
    assert proof["signer"] == merchant_actor.organization.name
    assert f'href="/log/bundle/{proof["log_index"]}"' in page
    assert "全部 1 条记录均由记录方签名" in page


def test_a_tampered_event_is_shown_as_not_matching(client: Client, merchant_actor):
    # given an event edited in the database behind the platform's back
    item, event = _signed_item(merchant_actor)
    with tampering():
        TraceEvent.objects.filter(pk=event.pk).update(document={**event.document, "bizStep": "inspecting"})
    # when
    page = client.get(item.digital_link.path).content.decode()
    # then
    assert "此记录与透明日志中签名的内容不一致" in page
    assert "已验证" not in page.split("溯源记录", 1)[1]

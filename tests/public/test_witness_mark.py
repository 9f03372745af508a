"""The scan page says which independent witnesses cosigned a checkpoint that holds its records."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer
from xinren.ledger.store.log_key import log_verifier
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.services import event_record
from xinren.witness.core import Witness
from xinren.witness.follow import Follower
from xinren.witness.state import StateFile

from ..factories import ItemFactory
from ..witness.platform import LOG_URL, platform_transport

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _signed_item(merchant_actor):
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
                 identifiers=[item.digital_link.path])
    log_integrate_all()
    return item


@pytest.fixture
def follower(settings, client: Client, tmp_path: Path) -> Follower:
    signer = Signer.generate("witness.dianchalianmeng.test/w1", SIG_COSIGNATURE_V1)
    settings.XINREN_WITNESS_KEYS = [f"{signer.verifier().vkey} 滇茶联盟见证"]
    witness = Witness(signer=signer, logs={log_verifier().name: log_verifier()}, state=StateFile(tmp_path / "state"))
    return Follower(witness, log_url=LOG_URL, transport=platform_transport(client))


def test_the_page_names_the_witness_that_cosigned(client: Client, merchant_actor, follower: Follower):
    # given
    item = _signed_item(merchant_actor)
    # when
    assert follower.follow_once().outcome == "cosigned"
    page = client.get(item.digital_link.path).content.decode()
    english = client.get(item.digital_link.path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert "见证方：滇茶联盟见证 ✓" in page
    assert "滇茶联盟见证 ✓" in english and "Witnesses: " in english


def test_a_witness_that_has_not_cosigned_the_records_is_not_ticked(client: Client, merchant_actor, follower: Follower):
    # given: the witness cosigned before the item's event was logged
    ItemFactory()
    log_integrate_all()
    assert follower.follow_once().outcome == "cosigned"
    item = _signed_item(merchant_actor)
    # when
    page = client.get(item.digital_link.path).content.decode()
    # then
    assert "见证方：滇茶联盟见证 （尚未见证最新记录）" in page
    assert "滇茶联盟见证 ✓" not in page


def test_without_witnesses_the_page_names_none(client: Client, merchant_actor):
    item = _signed_item(merchant_actor)
    assert "见证方" not in client.get(item.digital_link.path).content.decode()

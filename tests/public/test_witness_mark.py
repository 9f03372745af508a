"""The scan page says which independent witnesses cosigned a checkpoint that holds its records."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from xinren.ledger.note import SIG_COSIGNATURE_V1, Signer
from xinren.ledger.store.log_key import log_verifier
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.services import event_record
from xinren.web import publishing
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
    assert "见证方：<span data-w=\"witness.dianchalianmeng.test/w1\">滇茶联盟见证 <span data-ok>✓</span>" in page
    assert "Witnesses: " in english and "滇茶联盟见证 <span data-ok>✓</span>" in english


def test_a_witness_that_has_not_cosigned_the_records_is_not_ticked(client: Client, merchant_actor, follower: Follower):
    # given: the witness cosigned before the item's event was logged
    ItemFactory()
    log_integrate_all()
    assert follower.follow_once().outcome == "cosigned"
    item = _signed_item(merchant_actor)
    # when
    page = client.get(item.digital_link.path).content.decode()
    # then
    assert "滇茶联盟见证 <span data-ok hidden>✓</span><span data-wait>（尚未见证最新记录）</span>" in page


def test_without_witnesses_the_page_names_none(client: Client, merchant_actor):
    item = _signed_item(merchant_actor)
    assert "见证方" not in client.get(item.digital_link.path).content.decode()


def test_a_published_page_ticks_a_witness_that_caught_up_since(settings, client: Client, merchant_actor,
                                                              follower: Follower):
    # given: the page is published before the witness cosigned
    item = _signed_item(merchant_actor)
    publishing.items_publish(items=[item])
    html = (Path(settings.XINREN_PUBLISH_DIR) / item.digital_link.path.lstrip("/") / "index.html").read_text()
    # when
    before = client.get("/log/witnesses").json()
    follower.follow_once()
    cache.clear()  # the marks' few seconds in the cache are over
    after = client.get("/log/witnesses").json()
    # then: the file says "not yet" and carries what its script needs to tick the witness from /log/witnesses
    assert "<span data-ok hidden>✓</span><span data-wait>" in html
    needed = int(re.search(r'id="witnesses" data-size="(\d+)" data-src="/log/witnesses"', html).group(1))
    assert '<script>(function(){var p=document.getElementById("witnesses")' in html
    name = "witness.dianchalianmeng.test/w1"
    assert before == {"witnesses": [{"name": name, "label": "滇茶联盟见证", "size": 0}]}
    assert after["witnesses"][0]["size"] >= needed > 0

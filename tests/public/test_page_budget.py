"""The consumer page stays within its budget (≤ 150 KiB before images load) with every section full:
labels and badges, scorecard, cost bar, a long event timeline, a cold-chain chart of a long leg with an
excursion, and a full trace album (issue 4)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from PIL import Image

from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.catalog.models import Batch, Item
from xinren.coldchain.ingest import readings_ingest
from xinren.coldchain.models import Leg
from xinren.core import clock
from xinren.evidence.services import evidence_upload
from xinren.ledger.store.sequencer import log_integrate_all

from ..factories import actor_for

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024
ALBUM_PHOTOS = 40  # more than the album shows: the rest are counted, not drawn
EXTRA_READINGS = 3000  # one reading a minute for two days on one leg


def _photo(number: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (number * 5 % 256, 120, 200 - number)).save(buffer, format="PNG")
    return buffer.getvalue()


def _long_leg(leg: Leg) -> None:
    logistics = actor_for(leg.organization, Role.STAFF)
    start = leg.departed_at + dt.timedelta(seconds=30)
    end = min(start + dt.timedelta(minutes=EXTRA_READINGS), clock.now() - dt.timedelta(minutes=1))
    readings = []
    at = start
    while at < end:
        minute = int((at - start).total_seconds() // 60)
        value = 9.5 if 600 <= minute < 660 else 3.0 + (minute % 30) / 10
        readings.append({"sensorMetadata": {"time": at.isoformat(), "deviceID": "urn:epc:id:giai:6975830.99"},
                         "sensorReport": [{"type": "Temperature", "value": value, "uom": "CEL"}]})
        at += dt.timedelta(minutes=1)
    readings_ingest(actor=logistics, leg_id=leg.pk, readings=readings)


def test_item_page_with_every_section_full_stays_within_budget(demo_world):
    # given the demo world, with a full album and a long cold-chain leg on one lot
    batch = Batch.objects.select_related("product", "product__merchant").get(lot__startswith="NH", quantity=120)
    merchant = actor_for(Organization.objects.get(pk=batch.product.merchant_id), Role.STAFF)
    for number in range(ALBUM_PHOTOS):
        evidence_upload(actor=merchant, content=_photo(number), filename=f"p{number}.png", batch_id=batch.pk,
                        purpose="origin", caption="松林采摘现场 " * 8)
    leg = Leg.objects.filter(batch=batch).order_by("pk").first()
    assert leg is not None
    _long_leg(leg)
    log_integrate_all()
    item = Item.objects.filter(batch=batch).order_by("pk").first()
    assert item is not None
    # when
    html = Client().get(item.digital_link.path + "?lang=zh-hans").content
    product_html = Client().get(batch.product.digital_link.path).content
    album_html = Client().get(f"{batch.digital_link.path}/album?lang=zh-hans").content
    coldchain_html = Client().get(f"{batch.digital_link.path}/coldchain?lang=zh-hans").content
    # then every section is there (the album and the cold chain's charts as cards that link to their own pages,
    # fetched on demand), and every page is within budget
    text = html.decode()
    for section in ('class="card labels"', 'class="card scorecard"', 'class="card costs"', 'class="card cold',
                    'class="card album"', 'id="purchase"', 'data-part="album"', 'data-part="coldchain"'):
        assert section in text, section
    assert album_html.decode().count("<img") >= 24
    assert 'class="chart"' in coldchain_html.decode() and 'class="chart"' not in text
    print(f"item page {len(html)} bytes, product page {len(product_html)} bytes, album {len(album_html)} bytes, "
          f"cold chain {len(coldchain_html)} bytes")
    assert len(html) <= BUDGET, len(html)
    assert len(product_html) <= BUDGET, len(product_html)
    assert len(album_html) <= BUDGET, len(album_html)
    assert len(coldchain_html) <= BUDGET, len(coldchain_html)

"""Why an item's code is flagged as possibly copied: the networks, their times and what counted, for its merchant."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from xinren.core import clock
from xinren.core.errors import NotFound
from xinren.trace.models import ItemScanNetwork
from xinren.trace.scans import ScanInput, item_scan_report, network_hash, network_of, network_weight, scans_record

from ..factories import BatchFactory, ItemFactory, ProductFactory, actor_for
from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("::ffff:203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("2001:db8:abcd:ffff::9", "2001:db8:abcd::/48"),
        ("", ""),
        ("not an address", ""),
    ],
)
def test_a_network_is_the_24_or_the_48_around_an_address(address, network):
    assert network_of(address) == network


def test_the_network_pseudonym_hides_the_network_and_groups_its_addresses():
    assert network_hash(address="203.0.113.1") == network_hash(address="203.0.113.200")
    assert network_hash(address="203.0.113.1") != network_hash(address="203.0.114.1")


def test_networks_one_after_another_weigh_fully_and_a_burst_weighs_at_most_two():
    hours = [T0 + dt.timedelta(hours=n) for n in range(10)]
    burst = [T0 + dt.timedelta(minutes=n) for n in range(30)]
    assert network_weight(hours) == 10
    assert network_weight(burst) == 2
    assert network_weight([*burst, T0 + dt.timedelta(hours=5)]) == 3
    assert network_weight([]) == 0


def _scan(item_id: int, at: dt.datetime, address: str, agent: str = "Phone") -> ScanInput:
    return ScanInput(item_id=item_id, at=at, client=f"{address}|{agent}"[:16], network=network_hash(address=address))


def test_the_report_lists_each_network_with_its_times_and_whether_it_counted(merchant, settings):
    # given: one network scanning three times with two phones, then a burst of three networks, then one more
    settings.XINREN_SUSPICIOUS_SCANS = 2
    item = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=merchant)))
    scans = [_scan(item.pk, T0, "10.0.0.1"), _scan(item.pk, T0 + dt.timedelta(hours=1), "10.0.0.2", "Tablet"),
             _scan(item.pk, T0 + dt.timedelta(hours=2), "10.0.0.1")]
    scans += [_scan(item.pk, T0 + dt.timedelta(hours=5, minutes=n), f"10.{n + 1}.0.1") for n in range(3)]
    scans += [_scan(item.pk, T0 + dt.timedelta(hours=9), "10.8.0.1")]
    with clock.played_at(T0 + dt.timedelta(hours=10)):
        scans_record(scans=scans)
        # when
        report = item_scan_report(actor=actor_for(merchant), item_id=item.pk)
    # then
    rows = [(n["network"], n["scans"], n["clients"], n["first_at"], n["last_at"], n["counted"])
            for n in report["networks"]]
    assert rows == [
        (network_hash(address="10.0.0.1"), 3, 2, T0, T0 + dt.timedelta(hours=2), True),
        (network_hash(address="10.1.0.1"), 1, 1, T0 + dt.timedelta(hours=5), T0 + dt.timedelta(hours=5), True),
        (network_hash(address="10.2.0.1"), 1, 1, *(2 * [T0 + dt.timedelta(hours=5, minutes=1)]), True),
        (network_hash(address="10.3.0.1"), 1, 1, *(2 * [T0 + dt.timedelta(hours=5, minutes=2)]), False),
        (network_hash(address="10.8.0.1"), 1, 1, *(2 * [T0 + dt.timedelta(hours=9)]), True),
    ]
    assert (report["total"], report["weight"], report["threshold"], report["suspicious"]) == (7, 4, 2, True)
    assert report["flagged_at"] == T0 + dt.timedelta(hours=9)
    assert report["warning_until"] == T0 + dt.timedelta(days=7, hours=9)


def test_another_merchants_item_is_not_found(merchant, other_merchant):
    item = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=other_merchant)))
    with pytest.raises(NotFound):
        item_scan_report(actor=actor_for(merchant), item_id=item.pk)
    assert browser_of(actor_for(merchant).user).get(f"/merchant/items/{item.pk}/scans/").status_code == 404


def test_the_console_page_shows_why_and_when_the_warning_lapses(merchant, settings):
    # given: a flagged item
    settings.XINREN_SUSPICIOUS_SCANS = 1
    item = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=merchant)))
    now = clock.now()
    scans_record(scans=[_scan(item.pk, now - dt.timedelta(hours=3), "10.0.0.1"),
                        _scan(item.pk, now - dt.timedelta(hours=1), "10.5.0.1")])
    browser: Client = browser_of(actor_for(merchant).user)
    # when
    html = browser.get(f"/merchant/items/{item.pk}/scans/?lang=zh-hans").content.decode()
    batch_page = browser.get(f"/merchant/batches/{item.batch_id}/").content.decode()
    # then
    assert 'id="scan-warning"' in html and "自动消失" in html
    assert re.search(r'id="scan-weight">2<', html)
    assert network_hash(address="10.0.0.1") in html and "10.0.0" not in html
    assert f"/merchant/items/{item.pk}/scans/" in batch_page


def test_each_network_is_kept_once_per_item_and_seen_anew_after_a_quiet_window(merchant):
    # given: one network scanning in three batches, out of order, then again after eight quiet days
    item = ItemFactory(batch=BatchFactory(product=ProductFactory(merchant=merchant)))
    network = network_hash(address="10.0.0.1")
    scans_record(scans=[_scan(item.pk, T0 + dt.timedelta(hours=2), "10.0.0.1")])
    scans_record(scans=[_scan(item.pk, T0, "10.0.0.9"), _scan(item.pk, T0 + dt.timedelta(hours=1), "10.0.0.1")])
    row = ItemScanNetwork.objects.get(item=item)
    assert (row.network, row.first_at, row.last_at) == (network, T0, T0 + dt.timedelta(hours=2))
    # when
    later = T0 + dt.timedelta(days=8, hours=3)
    scans_record(scans=[_scan(item.pk, later, "10.0.0.5")])
    # then
    row.refresh_from_db()
    assert (row.first_at, row.last_at) == (later, later)
    assert ItemScanNetwork.objects.filter(item=item).count() == 1

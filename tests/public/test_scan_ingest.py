"""Counting scans from nginx's scan log: parsing, resuming, rotation, exactly-once, counter files."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from xinren.core import clock
from xinren.trace.models import ItemScanStats, Scan
from xinren.web.public.scanlog import Ingester, LogScan, line_parse, state_load, state_save

from .conftest import Story

pytestmark = pytest.mark.django_db

T0 = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC


def _line(path: str, *, at: float = T0, address: str = "10.0.0.1", status: str = "200", agent: str = "Phone") -> str:
    return f"{at:.3f}\t{status}\tGET\t{address}\t{path}\t{agent}\n"


def _ingest(log: Path, state: Path) -> None:
    call_command("scans_ingest", log=log, state=state)


def test_line_parse():
    scan = line_parse(_line("/api/v1/trace/01/06900000000014/10/L1/21/AB12", agent="Mozilla/5.0 \\x22x\\x22"))
    assert scan == LogScan(
        at=dt.datetime.fromtimestamp(T0, dt.UTC), address="10.0.0.1", gtin="06900000000014", serial="AB12",
        user_agent='Mozilla/5.0 "x"',
    )
    assert line_parse(_line("/01/06900000000014/10/L1/21/AB12", status="404")) is None
    assert line_parse(_line("/01/06900000000014/10/L1")) is None  # a lot page is not an item scan
    assert line_parse("garbage\n") is None
    # nginx logs the request URI as sent: percent-encoding and a query string are allowed
    assert line_parse(_line("/01/06900000000014/10/L%2F1/21/A%2DB?utm=live")).serial == "A-B"  # type: ignore[union-attr]


def test_ingest_counts_scans_and_writes_counter_files(settings, tmp_path: Path, story: Story):
    # given three scans of the item from two clients, one of an unknown serial and a stray line
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(
        _line(path, at=T0) + _line(path, at=T0 + 1, address="10.0.0.2") + _line(path, at=T0 + 2)
        + _line(f"/01/{story.product.gtin}/10/L20260701/21/UNKNOWN") + "junk\n"
    )
    # when
    _ingest(log, state)
    # then
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.total, stats.recent_clients, stats.flagged_at) == (3, 2, None)
    assert stats.first_scanned_at == dt.datetime.fromtimestamp(T0, dt.UTC)
    assert Scan.objects.filter(item=story.item).count() == 3
    assert "10.0.0.1" not in set(Scan.objects.values_list("client", flat=True))
    counter = Path(settings.XINREN_PUBLISH_DIR) / "scans" / story.product.gtin / "SER0001.json"
    assert json.loads(counter.read_text()) == {
        "total": 3, "first_scanned_at": "2026-05-29T04:26:40+08:00", "recent_clients": 2, "recent_networks": 1,
        "suspicious": False, "warning_until": None,
    }
    assert state_load(state).position.offset == log.stat().st_size


def test_ingest_resumes_from_its_offset_and_waits_for_whole_lines(tmp_path: Path, story: Story):
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(_line(path, at=T0) + _line(path, at=T0 + 1)[:20])  # the second line is half written
    _ingest(log, state)
    assert ItemScanStats.objects.get(item=story.item).total == 1
    # when the rest of the line and one more arrive
    with log.open("a") as handle:
        handle.write(_line(path, at=T0 + 1)[20:] + _line(path, at=T0 + 2))
    _ingest(log, state)
    _ingest(log, state)  # nothing new: nothing counted twice
    # then
    assert ItemScanStats.objects.get(item=story.item).total == 3
    assert Scan.objects.count() == 3


def test_ingest_follows_log_rotation(tmp_path: Path, story: Story):
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(_line(path, at=T0))
    _ingest(log, state)
    # given more lines written before logrotate renamed the file, and nginx reopened a new one
    with log.open("a") as handle:
        handle.write(_line(path, at=T0 + 1))
    log.rename(tmp_path / "scans.log.1")
    log.write_text(_line(path, at=T0 + 2) + _line(path, at=T0 + 3))
    # when
    _ingest(log, state)
    # then every line was counted once
    assert ItemScanStats.objects.get(item=story.item).total == 4
    assert state_load(state).position.inode == log.stat().st_ino


def test_ingest_waits_while_nginx_still_writes_the_rotated_file(tmp_path: Path, story: Story):
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(_line(path, at=T0))
    _ingest(log, state)
    log.rename(tmp_path / "scans.log-20260528")
    log.write_text("")  # rotated, but nginx has not reopened yet
    _ingest(log, state)
    with (tmp_path / "scans.log-20260528").open("a") as handle:
        handle.write(_line(path, at=T0 + 1))  # a buffered line lands in the old file
    _ingest(log, state)
    log.write_text(_line(path, at=T0 + 2))  # now nginx writes the new file
    _ingest(log, state)
    assert ItemScanStats.objects.get(item=story.item).total == 3


def test_ingest_starts_over_after_truncation(tmp_path: Path, story: Story):
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(_line(path, at=T0) + _line(path, at=T0 + 1))
    _ingest(log, state)
    # when the file is truncated in place (copytruncate) and written again
    with log.open("w") as handle:
        handle.write(_line(path, at=T0 + 2))
    _ingest(log, state)
    assert ItemScanStats.objects.get(item=story.item).total == 3


@pytest.mark.parametrize("committed", [True, False])
def test_crash_between_commit_and_offset_is_counted_exactly_once(tmp_path: Path, story: Story, committed: bool):
    # given a batch that was marked pending; the crash came after (or before) the database commit
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text(_line(path, at=T0) + _line(path, at=T0 + 1))
    ingester = Ingester(log_path=log, state_path=state)
    ingester.step()
    saved = state_load(state)
    probe_at = dt.datetime.fromtimestamp(T0 + 1, dt.UTC)
    from xinren.trace.scans import client_hash

    saved.pending = {
        "position": saved.position.as_dict(),
        "probe": {"item_id": story.item.pk, "at": probe_at.isoformat(),
                  "client": client_hash(address="10.0.0.1", user_agent="Phone")},
        "expected": 1,
    }
    saved.position.offset = 0
    if not committed:
        Scan.objects.all().delete()
        ItemScanStats.objects.all().delete()
    state_save(state, saved)
    # when the ingester starts again
    _ingest(log, state)
    # then the two scans are in the database once
    assert Scan.objects.count() == 2
    assert ItemScanStats.objects.get(item=story.item).total == 2


def test_suspicious_flag_through_the_log(settings, tmp_path: Path, story: Story):
    # given a threshold of 3 and scans from 4 networks, an hour apart
    settings.XINREN_SUSPICIOUS_SCANS = 3
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text("".join(_line(path, at=T0 + n * 3600, address=f"10.{n}.0.1") for n in range(4)))
    # when
    with clock.played_at(dt.datetime.fromtimestamp(T0 + 4 * 3600, dt.UTC)):
        _ingest(log, state)
    # then
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.recent_clients, stats.recent_networks) == (4, 4)
    assert stats.flagged_at == dt.datetime.fromtimestamp(T0 + 3 * 3600, dt.UTC)
    counter = Path(settings.XINREN_PUBLISH_DIR) / "scans" / story.product.gtin / "SER0001.json"
    written = json.loads(counter.read_text())
    assert written["suspicious"] is True
    assert written["warning_until"] == "2026-06-05T07:26:40+08:00"  # a week after the last flag


def test_scans_older_than_the_window_do_not_make_a_code_suspicious(settings, tmp_path: Path, story: Story):
    settings.XINREN_SUSPICIOUS_SCANS = 3
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    log.write_text("".join(_line(path, at=T0 + n * 8 * 24 * 3600, address=f"10.{n}.0.1") for n in range(4)))
    _ingest(log, state)
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.total, stats.recent_networks, stats.flagged_at) == (4, 1, None)


def test_addresses_of_one_network_count_once_through_the_log(settings, tmp_path: Path, story: Story):
    settings.XINREN_SUSPICIOUS_SCANS = 3
    log, state = tmp_path / "scans.log", tmp_path / "scans.state"
    path = story.item.digital_link.path
    lines = [_line(path, at=T0 + n * 3600, address=f"10.0.0.{n}") for n in range(10)]
    lines += [_line(path, at=T0 + n * 3600, address=f"2001:db8:1:{n:x}::1") for n in range(10)]
    log.write_text("".join(lines))
    _ingest(log, state)
    stats = ItemScanStats.objects.get(item=story.item)
    assert (stats.recent_clients, stats.recent_networks, stats.flagged_at) == (20, 2, None)


def test_state_file_is_replaced_atomically(tmp_path: Path):
    state = tmp_path / "s.state"
    state_save(state, state_load(state))
    assert sorted(os.listdir(tmp_path)) == ["s.state"]

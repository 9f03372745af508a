"""Reading nginx's scan log and counting it: the out-of-band half of scan counting (docs/adr/0002).

nginx writes one line per scan (deploy/nginx.conf.template, `log_format xinren_scan`):

    <msec>\\t<status>\\t<method>\\t<remote_addr>\\t<request uri, as sent>\\t<user agent>

The reader remembers where it stopped (inode and byte offset, in a small state file written atomically),
follows the file across logrotate's rename (it finishes the old file once nginx has reopened the new one),
and starts over when the file was truncated. Counting is exactly-once: before a batch is committed the state
file records the batch's end and a probe (its last scan); after a crash, the probe tells whether the batch
reached the database.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.db import connection

from xinren.catalog.models import Item
from xinren.trace.models import Scan
from xinren.trace.scans import (
    ScanCounter,
    ScanInput,
    ScanTally,
    client_hash,
    network_hash,
    scan_counter,
    scans_record,
)

ITEM_PATH = re.compile(r"^(?:/api/v1/trace)?/01/(?P<gtin>\d{14})/10/[^/]+/21/(?P<serial>[^/]+)/?$")
_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")
READ_CHUNK = 1 << 20
SQLITE_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class LogScan:
    """One scan line as nginx logged it."""

    at: datetime
    address: str
    gtin: str
    serial: str
    user_agent: str


def line_parse(line: str) -> LogScan | None:
    """A scan from one log line, or None for anything that is not a counted item scan."""
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 6:
        return None
    msec, status, method, address, uri, user_agent = fields
    if status != "200" or method != "GET":
        return None
    match = ITEM_PATH.match(_unescape(uri).split("?", 1)[0])
    if match is None:
        return None
    try:
        at = datetime.fromtimestamp(float(msec), UTC)
    except ValueError:
        return None
    return LogScan(at=at, address=address, gtin=match["gtin"], serial=unquote(match["serial"]),
                   user_agent=_unescape(user_agent))


def _unescape(value: str) -> str:
    # nginx's escape=default writes '"', '\\' and bytes outside printable ASCII as \xHH.
    if "\\x" not in value:
        return value
    raw = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


@dataclass
class Position:
    """Where the reader stands: which file (by inode) and how far into it."""

    inode: int | None = None
    offset: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"inode": self.inode, "offset": self.offset}


@dataclass
class State:
    position: Position = field(default_factory=Position)
    pending: dict[str, Any] | None = None


def state_load(path: Path) -> State:
    if not path.exists():
        return State()
    data = json.loads(path.read_text())
    return State(position=Position(**data["position"]), pending=data.get("pending"))


def state_save(path: Path, state: State) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps({"position": state.position.as_dict(), "pending": state.pending}))
    os.replace(temporary, path)


class LogReader:
    """Complete lines from a log that logrotate renames (`scans.log` → `scans.log.1` or `scans.log-DATE`)."""

    def __init__(self, path: Path, position: Position) -> None:
        self.path = path
        self.position = Position(position.inode, position.offset)

    def read(self, max_bytes: int = READ_CHUNK) -> tuple[list[str], Position]:
        """The next complete lines (at most about `max_bytes`) and the position after them."""
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            return [], self.position
        position = self.position
        if position.inode is None:
            position = Position(current.st_ino, 0)
        if position.inode == current.st_ino:
            if current.st_size < position.offset:  # truncated in place (copytruncate)
                position = Position(current.st_ino, 0)
            return self._read_from(self.path, position, max_bytes)
        rotated = self._rotated(position.inode) if position.inode is not None else None
        if rotated is not None:
            lines, after = self._read_from(rotated, position, max_bytes)
            if lines:
                return lines, after
            if current.st_size == 0:
                # nginx may still be writing to the old file until it reopens its logs: wait for it.
                return [], after
        # The old file is finished (or gone): carry on with the new one from its start.
        return self._read_from(self.path, Position(current.st_ino, 0), max_bytes)

    def advance(self, position: Position) -> None:
        self.position = position

    def _rotated(self, inode: int) -> Path | None:
        for candidate in sorted(self.path.parent.glob(self.path.name + "[.-]*")):
            if candidate.suffix == ".gz" or candidate.name.endswith(".tmp"):
                continue
            try:
                if os.stat(candidate).st_ino == inode:
                    return candidate
            except FileNotFoundError:
                continue
        return None

    @staticmethod
    def _read_from(path: Path, position: Position, max_bytes: int) -> tuple[list[str], Position]:
        with open(path, "rb") as log:
            log.seek(position.offset)
            data = log.read(max_bytes)
        end = data.rfind(b"\n")
        if end < 0:
            return [], position  # no complete line yet
        chunk = data[: end + 1]
        lines = chunk.decode("utf-8", "replace").splitlines()
        return lines, Position(position.inode, position.offset + len(chunk))


@dataclass
class IngestStats:
    lines: int = 0
    scans: int = 0
    unknown: int = 0


class Ingester:
    """Counts the scans in a log into the database, exactly once, and reports the items it touched."""

    def __init__(self, *, log_path: Path, state_path: Path) -> None:
        self.state_path = state_path
        state = state_load(state_path)
        if state.pending is not None:
            state = self._recover(state)
        self.state = state
        self.reader = LogReader(log_path, state.position)
        self._items: dict[tuple[str, str], int | None] = {}
        self.touched: dict[int, tuple[str, str, ScanCounter]] = {}
        self.stats = IngestStats()

    def step(self, *, max_bytes: int = READ_CHUNK) -> int:
        """Count the next batch of lines; returns how many lines were read (0 at the end of the log)."""
        lines, after = self.reader.read(max_bytes)
        if not lines and after == self.reader.position:
            return 0
        parsed = [scan for scan in map(line_parse, lines) if scan is not None]
        if connection.vendor == "sqlite":
            # Scan rows land all over the (item, time) index: give SQLite a page cache that holds it.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        ids = self._resolve(parsed)
        batch = [
            ScanInput(item_id=ids[(scan.gtin, scan.serial)] or 0, at=scan.at,
                      client=client_hash(address=scan.address, user_agent=scan.user_agent),
                      network=network_hash(address=scan.address))
            for scan in parsed
            if ids[(scan.gtin, scan.serial)] is not None
        ]
        self.stats.lines += len(lines)
        self.stats.unknown += len(parsed) - len(batch)
        if batch:
            probe = batch[-1]
            same = sum(1 for s in batch if s == probe)
            before = Scan.objects.filter(item_id=probe.item_id, at=probe.at, client=probe.client).count()
            self.state.pending = {
                "position": after.as_dict(),
                "probe": {"item_id": probe.item_id, "at": probe.at.isoformat(), "client": probe.client},
                "expected": before + same,
            }
            state_save(self.state_path, self.state)
            updated = scans_record(scans=batch)
            self._remember(updated, parsed, ids)
            self.stats.scans += len(batch)
        self.state.position = after
        self.state.pending = None
        state_save(self.state_path, self.state)
        self.reader.advance(after)
        return len(lines) or 1

    def take_touched(self) -> dict[int, tuple[str, str, ScanCounter]]:
        touched, self.touched = self.touched, {}
        return touched

    def _resolve(self, parsed: list[LogScan]) -> dict[tuple[str, str], int | None]:
        missing = {(scan.gtin, scan.serial) for scan in parsed} - self._items.keys()
        if missing:
            gtins = {gtin for gtin, _ in missing}
            serials = {serial for _, serial in missing}
            found = {
                (gtin, serial): pk
                for pk, gtin, serial in Item.objects.filter(product__gtin__in=gtins, serial__in=serials)
                .values_list("pk", "product__gtin", "serial")
                .iterator()
            }
            for key in missing:
                self._items[key] = found.get(key)
        return self._items

    def _remember(self, updated: dict[int, ScanTally], parsed: list[LogScan], ids: dict[Any, Any]) -> None:
        names = {ids[(scan.gtin, scan.serial)]: (scan.gtin, scan.serial) for scan in parsed}
        for item_id, row in updated.items():
            gtin, serial = names[item_id]
            self.touched[item_id] = (gtin, serial, scan_counter(row))

    def _recover(self, state: State) -> State:
        """After a crash between 'pending' and 'done': did the pending batch reach the database?"""
        pending = state.pending or {}
        probe = pending["probe"]
        found = Scan.objects.filter(
            item_id=probe["item_id"], at=datetime.fromisoformat(probe["at"]), client=probe["client"]
        ).count()
        if found >= pending["expected"]:
            state.position = Position(**pending["position"])
        state.pending = None
        state_save(self.state_path, state)
        return state

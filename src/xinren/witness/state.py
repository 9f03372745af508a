"""The witness's memory: the latest checkpoint it cosigned per log origin, in one JSON file of its own.

Checking a request against the state and recording the new state happen under one exclusive lock (a lock
file, `flock`), as tlog-witness requires, so two requests or two processes cannot roll the state back. The
file is replaced atomically (write, fsync, rename, fsync the folder): a crash leaves the old or the new
state, never half of one. Requests that prove the log misbehaved are appended to `<state>.evidence`.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from xinren.ledger.b64 import b64decode, b64encode

FORMAT = "xinren.witness.state/v1"


class StateError(Exception):
    """The state file exists but cannot be read: the witness stops rather than forget what it cosigned."""


@dataclass(frozen=True)
class LogState:
    """The latest checkpoint cosigned for one log: its size, root and the signed note as received."""

    size: int
    root: bytes
    note: str


class StateFile:
    """Latest cosigned checkpoint per origin, at `path` (created with its folder on first write)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._thread_lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[dict[str, LogState]]:
        """The states, read under the exclusive lock; `save` within the block records a new one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield self._read()
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def read(self) -> dict[str, LogState]:
        with self.locked() as states:
            return dict(states)

    def _read(self) -> dict[str, LogState]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"format is {data.get('format')!r}")
            return {origin: LogState(size=int(log["size"]), root=b64decode(log["root"], what="root"), note=log["note"])
                    for origin, log in data["logs"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(f"the witness state {self.path} is unreadable ({exc}); restore it from a backup "
                             "or retire this witness key: a witness that forgets may cosign a fork") from None

    def save(self, states: dict[str, LogState]) -> None:
        """Replace the file atomically (call inside `locked`)."""
        data = {"format": FORMAT, "logs": {origin: {"size": s.size, "root": b64encode(s.root), "note": s.note}
                                           for origin, s in sorted(states.items())}}
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @property
    def evidence_path(self) -> Path:
        return self.path.with_name(self.path.name + ".evidence")

    def record_evidence(self, *, reason: str, known: LogState | None, request: str) -> None:
        """Keep a log-signed request that contradicts what we cosigned: it is proof of misbehaviour."""
        record = {"time": int(time.time()), "reason": reason, "request": request,
                  "cosigned": None if known is None else known.note}
        with open(self.evidence_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

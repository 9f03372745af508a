"""Tasks for the tests of the task layer; the RQ workers that the Redis tests start import them too."""

from __future__ import annotations

import time
from pathlib import Path

from xinren.core.tasks import background


@background(attempts=1)
def noop_task(*, n: int = 0) -> int:
    """Does nothing; returns its argument."""
    return n


@background(attempts=3, backoff=10)
def always_fails_task(*, why: str) -> None:
    """Fails every time, so it is tried three times: at once, 10 s later, 40 s after that."""
    raise RuntimeError(why)


@background(attempts=3)
def fails_once_task(*, marker: str) -> str:
    """Fails the first time (leaving `marker` behind), succeeds the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("attempt 1 failed")
        raise RuntimeError("first attempt fails")
    path.write_text("attempt 2 succeeded")
    return "succeeded"


@background(attempts=1)
def pause_task(*, seconds: float) -> float:
    """Holds its worker for a while, so that a second task must go to another worker."""
    time.sleep(seconds)
    return seconds

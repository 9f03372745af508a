"""The one place that reads the time, so tests can pin it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

from xinren.core import clock as _this_module  # callers read `clock.now`, so that is what played_at swaps


def now() -> datetime:
    return timezone.now()


@contextmanager
def played_at(moment: datetime) -> Iterator[None]:
    """Run services as if it were `moment`: for loading demo histories only (one process, one thread)."""
    original: Callable[[], datetime] = _this_module.now
    _this_module.now = lambda: moment
    try:
        yield
    finally:
        _this_module.now = original

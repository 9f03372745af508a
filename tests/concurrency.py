"""Running service calls at the same moment, each on its own database connection (the PostgreSQL race tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from xinren.core.errors import DomainError


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at once, each in its own thread and connection; returns results or the DomainErrors raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(position: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[position] = call()
        except DomainError as exc:
            results[position] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

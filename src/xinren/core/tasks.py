"""Background tasks: Django's Tasks API, retried with backoff, enqueued with the business write (ADR 0013).

- `@background(attempts=…)` makes a module-level function a task. When an attempt raises, the next attempt is
  enqueued to run after a backoff (`XINREN_TASKS_RETRY_SECONDS`, four times longer each time) and the error is
  raised again, so the failed attempt stays on record with its traceback; after the last attempt it gives up.
  Neither backend retries by itself, so this works the same on the database backend and on RQ.
- `task_enqueue(task, …)` queues a task with the caller's transaction: on the database backend the queue is a
  table, so the row commits or rolls back with the write; a backend outside the database (RQ) is only sent the
  task once the transaction has committed, so a rolled-back write enqueues nothing.
- `Event`: a lower context names what happened (`reviews.events.REVIEW_CHANGED`), a higher context subscribes a
  task to it in its `AppConfig.ready`, and announcing the event enqueues every subscribed task in the announcer's
  transaction. Nothing runs in-process, and imports keep pointing down.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar, cast

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME, TaskResult, task
from django_tasks.base import Task
from django_tasks.utils import normalize_json
from django_tasks_db import DatabaseBackend

from xinren.core import clock

logger = logging.getLogger("xinren.tasks")

P = ParamSpec("P")
T = TypeVar("T")

# The keyword argument that carries the attempt number from one attempt to the next (visible in the admin).
ATTEMPT_KWARG = "_attempt"
BACKOFF_FACTOR = 4
BACKOFF_CEILING = timedelta(hours=6)


@dataclass(frozen=True)
class Retry:
    """How often a task is tried and how long it waits between tries."""

    attempts: int
    # Seconds before the second attempt; None reads settings.XINREN_TASKS_RETRY_SECONDS when it is needed.
    backoff: float | None = None

    def delay(self, failed_attempt: int) -> timedelta:
        """The wait after attempt `failed_attempt` (1-based) failed: backoff × 4^(n−1), at most six hours."""
        base = self.backoff if self.backoff is not None else float(settings.XINREN_TASKS_RETRY_SECONDS)
        return min(timedelta(seconds=base * BACKOFF_FACTOR ** (failed_attempt - 1)), BACKOFF_CEILING)


_RETRIES: dict[str, Retry] = {}


def background(
    *, attempts: int = 5, backoff: float | None = None, queue_name: str = DEFAULT_TASK_QUEUE_NAME
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Make a module-level function a task that is tried up to `attempts` times (see the module docstring).
    Its arguments must be JSON (ids, not model instances): the task may run in another process."""
    if attempts < 1:
        raise ValueError("a task is tried at least once")
    retry = Retry(attempts=attempts, backoff=backoff)

    def decorate(function: Callable[P, T]) -> Task[P, T]:
        @functools.wraps(function)
        def attempt(*args: Any, **kwargs: Any) -> T:
            number = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return function(*args, **kwargs)
            except Exception:
                if number < retry.attempts:
                    run_after = clock.now() + retry.delay(number)
                    task_enqueue(
                        the_task.using(run_after=run_after), *args, **{**kwargs, ATTEMPT_KWARG: number + 1}
                    )
                    logger.warning("task %s failed (attempt %d of %d), retrying after %s", the_task.name, number,
                                   retry.attempts, run_after.isoformat())
                else:
                    logger.error("task %s failed (attempt %d of %d), giving up", the_task.name, number,
                                 retry.attempts)
                raise

        # functools.wraps keeps the function's module and name, so the task is found by the path it is stored under.
        the_task = cast("Task[P, T]", task(queue_name=queue_name)(attempt))
        _RETRIES[the_task.module_path] = retry
        return the_task

    return decorate


def task_retry(task_path: str) -> Retry:
    """The retry policy of the task stored under `task_path` (tried once when not made with `background`)."""
    import_string(task_path)  # the task registers its policy when its module is imported
    return _RETRIES.get(task_path, Retry(attempts=1))


def backend_enqueues_in_transaction(task_: Task[..., Any]) -> bool:
    """Whether enqueueing `task_` writes to the database in the caller's transaction (the database backend)."""
    return isinstance(task_.get_backend(), DatabaseBackend)


def task_enqueue(task_: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> TaskResult[T] | None:
    """Queue a task with the caller's transaction. Returns its result, or None where the task goes to a backend
    outside the database from inside a transaction: it is sent once that commits, and not at all on a rollback."""
    if backend_enqueues_in_transaction(task_) or not transaction.get_connection().in_atomic_block:
        return task_.enqueue(*args, **kwargs)
    # robust: the write has committed by then; a broker that is down loses this run, not the request
    # (every deferred job here has a periodic sweep behind it: docs/adr/0013).
    transaction.on_commit(functools.partial(task_.enqueue, *args, **kwargs), robust=True)
    return None


def tasks_enqueue_many(deliveries: Sequence[tuple[Task[..., Any], dict[str, Any]]]) -> int:
    """Queue each (task, keywords) with the caller's transaction, as `task_enqueue` does; those for the database
    backend in one insert (a batch of after-sale decisions queues its tasks this way). How many."""
    rows: list[Any] = []
    others: list[tuple[Task[..., Any], dict[str, Any]]] = []
    in_transaction = transaction.get_connection().in_atomic_block
    for task_, payload in deliveries:
        backend = task_.get_backend()
        if isinstance(backend, DatabaseBackend) and in_transaction:
            backend.validate_task(task_)
            rows.append(_db_row(backend, task_, payload))
        else:
            others.append((task_, payload))
    if rows:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.bulk_create(rows)
    for task_, payload in others:
        task_enqueue(task_, **payload)
    return len(deliveries)


def _db_row(backend: DatabaseBackend, task_: Task[..., Any], payload: dict[str, Any]) -> Any:
    """The database backend's row for one task, as its `enqueue` builds it (bulk inserts send no pre_save signal,
    so the run-after default the backend's signal sets is set here)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult(
        id=backend._get_id(), args_kwargs=normalize_json({"args": [], "kwargs": payload}), priority=task_.priority,
        task_path=task_.module_path, queue_name=task_.queue_name,
        run_after=task_.run_after if task_.run_after is not None else get_date_max(), backend_name=backend.alias)


# The keyword under which an event that carries its transaction (`Event(…, carries_transaction=True)`) names it.
TRANSACTION_KWARG = "xact"


def transaction_id() -> int | None:
    """The id of the caller's PostgreSQL transaction (given one now if it has none yet); None on other databases or
    outside a transaction. Handed to a task, it lets the task tell whether work it would redo already saw this
    transaction's writes: a snapshot stored with that work (`pg_current_snapshot()`) answers
    `pg_visible_in_snapshot(xact, snapshot)`."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return int(cursor.fetchone()[0])


class Event:
    """Something that happened in a lower context, named there, that higher contexts react to with tasks.

    An event that `carries_transaction` hands its subscribers the announcing transaction's id too (keyword `xact`,
    `transaction_id`), so a subscriber that recomputes something can skip the work when a recomputation that
    already saw this transaction has run meanwhile (trust's score refreshes after a burst of decisions)."""

    def __init__(self, name: str, *, carries_transaction: bool = False) -> None:
        self.name = name
        self.carries_transaction = carries_transaction
        self._subscribers: dict[str, Task[..., Any]] = {}

    def _with_transaction(self, payloads: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
        xact = transaction_id() if self.carries_transaction and self._subscribers and payloads else None
        if xact is None:
            return payloads
        return [{**payload, TRANSACTION_KWARG: xact} for payload in payloads]

    def __repr__(self) -> str:
        return f"Event({self.name!r})"

    @property
    def subscribers(self) -> tuple[Task[..., Any], ...]:
        return tuple(self._subscribers.values())

    def subscribe(self, task_: Task[..., Any]) -> None:
        """Enqueue `task_` with the event's keywords whenever it is announced (call from `AppConfig.ready`)."""
        self._subscribers[task_.module_path] = task_

    def announce(self, **payload: Any) -> int:
        """Enqueue every subscribed task with `payload` (JSON keywords) in the caller's transaction; how many."""
        [payload] = self._with_transaction([payload])
        for subscriber in self._subscribers.values():
            task_enqueue(subscriber, **payload)
        return len(self._subscribers)

    def announce_many(self, payloads: Sequence[dict[str, Any]]) -> int:
        """`announce` once per keyword set, the tasks queued in one insert; how many tasks."""
        return tasks_enqueue_many(self.deliveries(payloads))

    def deliveries(self, payloads: Sequence[dict[str, Any]]) -> list[tuple[Task[..., Any], dict[str, Any]]]:
        """What announcing the event once per keyword set queues: (task, keywords) for each subscriber, for a caller
        that queues them with other tasks (`tasks_enqueue_many`)."""
        return [(subscriber, payload) for payload in self._with_transaction(payloads)
                for subscriber in self._subscribers.values()]

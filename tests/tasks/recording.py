"""A task backend outside the database, as RQ is, that only records what it was sent."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task

SENT: list[tuple[str, dict[str, Any]]] = []


class RecordingBackend(BaseTaskBackend):
    supports_defer = True

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[type-arg]
        SENT.append((task.name, dict(kwargs)))
        return TaskResult(
            task=task, id=str(len(SENT)), status=TaskResultStatus.READY, enqueued_at=None, started_at=None,
            finished_at=None, last_attempted_at=None, args=list(args), kwargs=dict(kwargs), backend=self.alias,
            errors=[], worker_ids=[],
        )

"""The same task calls on RQ: Redis at 127.0.0.1:6379 and two real worker processes, selected by settings alone.

Skipped where Redis is not reachable, but never on CI. Each run takes a Redis database of its own (1–15, claimed
with a key), so parallel runs do not share queues, and the workers see the test's rows through a database file of
their own (SQLite) or the test database itself (PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import django_rq
import pytest
import redis
from django.db import connection, transaction
from django_tasks import TaskResult, TaskResultStatus
from rq import Worker
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from xinren.community.models import QualityScore
from xinren.core.tasks import task_enqueue
from xinren.orders.models import Offer

from ..community.conftest import review_new
from ..factories import OrganizationFactory, ProductFactory
from ..fixtures.accounts import consumer_new
from .jobs import fails_once_task, noop_task, pause_task

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"
OWNER_KEY = "xinren:tests:owner"
RETRY_SECONDS = 0.5
WAIT = 30.0


class WriteFailed(Exception):
    pass


def _wait_for(condition: Callable[[], object], what: str, workers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        if any(worker.poll() is not None for worker in workers):
            pytest.fail(f"an RQ worker exited while waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of this run's own; skip without Redis (fail on CI)."""
    try:
        redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at 127.0.0.1:6379 is not reachable, and CI must run the RQ tests: {exc}")
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable: start it to run the RQ tests")
    token = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.set(OWNER_KEY, token, nx=True, ex=600):
            if client.dbsize() == 1:
                break
            client.delete(OWNER_KEY)  # someone else keeps data here
    else:
        pytest.fail("no free Redis database (1–15) for the RQ tests")
    yield f"{REDIS}/{number}"
    for key in client.scan_iter("rq:*"):
        client.delete(key)
    if client.get(OWNER_KEY) == token.encode():
        client.delete(OWNER_KEY)


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A DATABASE_URL the worker processes can open, holding what this test writes."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"] or 5432
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        yield f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"
        return
    # pytest's SQLite test database lives in this process's memory: copy it (schema and all) into a file and
    # point this process at the file too, then come back to the memory database for the teardown's flush.
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    memory_connection, memory_name = connection.connection, settings_dict["NAME"]
    copy = sqlite3.connect(path)
    memory_connection.backup(copy)
    copy.close()
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        settings_dict["NAME"], connection.connection = memory_name, memory_connection


@pytest.fixture
def rq_settings(settings, redis_url):  # type: ignore[no-untyped-def]
    """This process enqueues on RQ, as XINREN_TASKS_BACKEND=rq does (the workers get the same by environment)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    settings.XINREN_TASKS_RETRY_SECONDS = RETRY_SECONDS
    return settings


@pytest.fixture
def rq_workers(shared_database, redis_url, rq_settings) -> Iterator[list[subprocess.Popen[bytes]]]:  # type: ignore[no-untyped-def]
    """Two `manage.py rqworker` processes, both with the scheduler (one of them holds its lock)."""
    env = {
        **os.environ, "DATABASE_URL": shared_database, "XINREN_TASKS_BACKEND": "rq", "XINREN_REDIS_URL": redis_url,
        "XINREN_TASKS_RETRY_SECONDS": str(RETRY_SECONDS), "DJANGO_SETTINGS_MODULE": "xinren.settings",
    }
    run = uuid.uuid4().hex[:8]
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler",
             "--name", f"test-{run}-{n}", "default"],
            cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for n in (1, 2)
    ]
    connection_ = django_rq.get_connection("default")
    try:
        _wait_for(lambda: len(Worker.all(connection=connection_)) == 2, "two RQ workers to register", workers)
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:  # its work horse or scheduler too: they are in its process group
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def test_tasks_run_on_two_rq_workers_with_retries_and_events(rq_workers, tmp_path):
    # given
    OrganizationFactory(name="信任平台", slug="xinren", kind="platform")
    merchant = OrganizationFactory(name="昆明山野菌菇店", slug="shanye", kind="merchant")
    product = ProductFactory(merchant=merchant, name="楚雄野生牛肝菌 500g")
    Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=10)
    queue = django_rq.get_queue("default")

    # when: a write that enqueues rolls back
    with pytest.raises(WriteFailed), transaction.atomic():
        task_enqueue(noop_task, n=-1)
        raise WriteFailed
    # then: nothing reached Redis
    assert (queue.count, len(StartedJobRegistry(queue=queue)), len(FinishedJobRegistry(queue=queue))) == (0, 0, 0)

    # when: two tasks that each hold a worker for a moment (queued first, while both workers are idle), a review is
    # posted (its REVIEW_CHANGED queues the rescore, the score refresh and the voice-of-the-user reading after the
    # commit), no-op tasks, and a task that fails once
    pauses = [task_enqueue(pause_task, seconds=0.5) for _ in range(2)]
    review = review_new(consumer_new(), product)
    results = [task_enqueue(noop_task, n=n) for n in range(6)]
    marker = tmp_path / "marker"
    task_enqueue(fails_once_task, marker=str(marker))

    # then: the no-op tasks ran and returned their argument
    def finished(some: list[TaskResult | None]) -> bool:
        for result in some:
            assert result is not None
            result.refresh()
        return all(result is not None and result.is_finished for result in some)

    _wait_for(lambda: finished(results), "the no-op tasks", rq_workers)
    assert [(result.status, result.return_value) for result in results if result] == [
        (TaskResultStatus.SUCCESSFUL, n) for n in range(6)
    ]
    # then: the two pauses ran at the same time, one on each worker
    _wait_for(lambda: finished(pauses), "the pauses", rq_workers)
    assert sorted(name for result in pauses if result for name in result.worker_ids) == sorted(
        worker.name for worker in Worker.all(connection=queue.connection)
    )
    # then: a worker process rescored the review (50: long, specific text; no diary, no votes)
    _wait_for(lambda: QualityScore.objects.filter(review=review).exists(), "the review's rescore", rq_workers)
    assert QualityScore.objects.get(review=review).score == 50
    # then: the failing task was tried again after its backoff (moved onto the queue by the scheduler) and succeeded
    _wait_for(lambda: marker.exists() and marker.read_text() == "attempt 2 succeeded", "the retry", rq_workers)
    _wait_for(lambda: len(FinishedJobRegistry(queue=queue)) == 12, "the retry's result", rq_workers)
    failed = [queue.fetch_job(job_id) for job_id in FailedJobRegistry(queue=queue).get_job_ids()]
    assert [(job.kwargs, job.latest_result().exc_string.strip().splitlines()[-1]) for job in failed if job] == [
        ({"marker": str(marker)}, "RuntimeError: first attempt fails")
    ]
    done = [queue.fetch_job(job_id) for job_id in FinishedJobRegistry(queue=queue).get_job_ids()]
    assert sorted((job.func_name, job.kwargs.get("_attempt", 1)) for job in done if job) == sorted(
        [(pause_task.module_path, 1)] * 2 + [(noop_task.module_path, 1)] * 6
        + [("xinren.community.tasks.review_sync_task", 1), (fails_once_task.module_path, 2)]
        + [("xinren.trust.scores.tasks.score_after_review_task", 1), ("xinren.care.tasks.voice_review_task", 1)]
    )

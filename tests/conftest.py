"""Shared fixtures: organizations of each kind and actors with roles."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.core import clock
from xinren.core.worker import tasks_run_due

from . import statement_types  # noqa: F401  (registers test.note)
from .factories import OrganizationFactory, actor_for

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; skip with a reason where it is absent, but never on CI."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing, and CI must run the conformance tests")
        pytest.skip(f"{path} is absent (the shared test data sits beside the project only on its own machines)")
    return path


@pytest.fixture(autouse=True)
def _media_and_publish_dirs(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XINREN_PUBLISH_DIR = tmp_path / "published"


@pytest.fixture
def run_tasks(db) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """Run the queued background tasks that are due, in this process and as a worker would (ADR 0013); with
    `at`, as if it were that moment. Nothing runs a task in tests unless a test calls this: what a write enqueued
    is asserted, not hidden. Returns how many ran."""

    def run(*, at: dt.datetime | None = None) -> int:
        if at is None:
            return tasks_run_due()
        with clock.played_at(at):
            return tasks_run_due(now=at)

    return run


def queued(task: Task) -> list[dict]:  # type: ignore[type-arg]
    """The keyword arguments of each waiting (not yet run) result of `task`, oldest first."""
    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    return [result.args_kwargs["kwargs"] for result in waiting.order_by("enqueued_at")]


@pytest.fixture
def require_postgres() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("XINREN_REQUIRE_POSTGRES"):
            pytest.fail("this run must use PostgreSQL")
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")


@pytest.fixture
def merchant(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="昆明山野菌菇店", slug="shanye", kind=OrganizationKind.MERCHANT)


@pytest.fixture
def other_merchant(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="普洱古树茶园", slug="puer", kind=OrganizationKind.MERCHANT)


@pytest.fixture
def logistics(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="滇冷链物流", slug="dianleng", kind=OrganizationKind.LOGISTICS)


@pytest.fixture
def lab(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="云南食品检测中心", slug="yn-lab", kind=OrganizationKind.LAB)


@pytest.fixture
def merchant_actor(merchant) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(merchant, Role.STAFF)


@pytest.fixture
def merchant_admin(merchant) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(merchant, Role.ADMIN)


@pytest.fixture
def other_actor(other_merchant) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(other_merchant, Role.STAFF)


@pytest.fixture
def logistics_actor(logistics) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(logistics, Role.STAFF)

"""What every test gets: its own media and publish folders, an empty cache; the fixtures of each context
(tests/fixtures/, registered here once) and the PostgreSQL switch."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from . import statement_types  # noqa: F401  (registers the tests' own statement type, test.note)

pytest_plugins = [
    "tests.fixtures.accounts",
    "tests.fixtures.catalog",
    "tests.fixtures.orders",
    "tests.fixtures.api",
    "tests.fixtures.demo",
    "tests.fixtures.tasks",
    "tests.fixtures.immutable",
]

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; skip with a reason where it is absent, but never on CI."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing, and CI must run the conformance tests")
        pytest.skip(f"{path} is absent (the shared test data sits beside the project only on its own machines)")
    return path


@pytest.fixture(scope="session")
def _files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


_test_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_and_publish_dirs(settings, _files_root: Path):  # type: ignore[no-untyped-def]
    # A folder of each test's own, made only when the test writes a file: pytest's tmp_path for every test made
    # (and later removed) some 1,800 folders a run, and its numbering scans its parent each time.
    root = _files_root / str(next(_test_numbers))
    settings.MEDIA_ROOT = root / "media"
    settings.XINREN_PUBLISH_DIR = root / "published"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Rate limits and cached pages count in the process-wide local-memory cache: each test starts from none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def require_postgres() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("XINREN_REQUIRE_POSTGRES"):
            pytest.fail("this run must use PostgreSQL")
        pytest.skip("needs PostgreSQL (row locks); run with DATABASE_URL=postgres://…")

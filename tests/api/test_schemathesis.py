"""Schemathesis over the whole OpenAPI document, stateless and stateful: no server error, no answer outside it.

Every operation is called with generated inputs (and, in the stateful test, in sequences that feed one answer's
ids into the next call) as a merchant of the demo world, through the WSGI application in this process, so the
calls share the test's database transaction and nothing outlives the test. The seed is fixed (`derandomize`) and the
number of examples bounded, so a run takes the same path every time; bench/schemathesis/RESULTS.md has a longer run.

The checks are the ones that hold the server to its document: no 5xx, every status code, content type, header and
body as documented. Schemathesis's request-side checks (a schema-valid request must be accepted, an invalid one
refused) are left out on purpose: a schema cannot say that a GTIN's check digit is wrong or that a lot is not yours,
so the API refuses many schema-valid requests with a documented 4xx, which is the behaviour we want.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xinren.accounts.choices import Role

from ..fixtures.api import key_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
    response_schema_conformance,
]
# More examples with XINREN_SCHEMATHESIS_EXAMPLES=… (bench/schemathesis/); the default keeps `make test` fast.
EXAMPLES = int(os.environ.get("XINREN_SCHEMATHESIS_EXAMPLES", "5"))
STATEFUL_STEPS = int(os.environ.get("XINREN_SCHEMATHESIS_STEPS", "40"))
# bench/schemathesis/run.sh counts the cases: one line per call ("<method> <path> <status>") appended to this file.
TALLY = os.environ.get("XINREN_SCHEMATHESIS_TALLY", "")
SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


@contextmanager
def _rolled_back() -> Iterator[None]:
    """What the call writes is undone after it, so every example meets the same database (and rate limits)."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _tally(kind: str, case: Any, response: Any) -> None:
    if TALLY:
        with open(TALLY, "a", encoding="utf-8") as tally:
            tally.write(f"{kind} {case.method} {case.path} {response.status_code}\n")


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Iterator[None]:
    """Django's handler closes a non-persistent connection when a request finishes (PostgreSQL in tests), which would
    end the transaction the demo world and every example live in; Django's test client keeps it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def merchant_headers(demo_world: Any) -> dict[str, str]:
    """A staff API key of the demo's mushroom shop: most operations are a merchant's, and its products exist."""
    return {"Authorization": f"Bearer {key_for(demo_world.organizations['shanye-mushroom'], Role.STAFF)}"}


@schema.parametrize()
@SETTINGS
def test_every_operation_answers_as_documented(case: Any, merchant_headers: dict[str, str]) -> None:
    with _rolled_back():
        response = case.call(headers=merchant_headers)
    _tally("stateless", case, response)
    case.validate_response(response, checks=CHECKS)


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls linked by the ids one answer gives the next (links inferred from the document)."""

    headers: ClassVar[dict[str, str]] = {}

    def setup(self) -> None:
        # Each scenario starts from the demo world: Hypothesis replays scenarios while shrinking, and one that
        # found the database as an earlier one left it would draw differently (FlakyStrategyDefinition).
        super().setup()
        cache.clear()
        self._scenario = transaction.atomic()
        self._scenario.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._scenario.__exit__(None, None, None)
        super().teardown()

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": self.headers}

    def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
        _tally("stateful", case, response)
        case.validate_response(response, checks=CHECKS)


def test_stateful_sequences_answer_as_documented(merchant_headers: dict[str, str]) -> None:
    Workflow.headers = merchant_headers
    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STATEFUL_STEPS, derandomize=True, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    ))  # fmt: skip

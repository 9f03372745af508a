"""The log audit's pass decodes stored documents with orjson (attest.audit `_fast_json`); what it reads differently
from Django (integers past 64 bits become floats) must never be reported as tampering."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import JSONField

from tests.attest.test_reconcile_workers import _InlinePool
from xinren.attest import audit
from xinren.demo.loader import DemoWorld
from xinren.ledger.store import audit as ledger_audit
from xinren.ledger.store.sequencer import log_integrate_all

FIELD = JSONField()


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "ObjectEvent", "epcList": ["https://id.example/01/06970000000017/21/A1"], "value": -18.5}',
        '{"small": 1e-7, "unicode": "松茸 \\u00e9\\ud83c\\udf44", "nested": {"a": [1, 2.50, true, null]}}',
        '"just text"',
        "not json at all",
    ],
)
def test_documents_read_as_django_reads_them(text: str) -> None:
    expected = FIELD.from_db_value(text, None, None)
    got = audit._json_value(text, None, None)
    assert got == expected
    assert type(got) is type(expected)


def test_none_and_decoded_values_are_left_alone() -> None:
    assert audit._json_value(None, None, None) is None
    assert audit._json_value({"a": 1}, None, None) == {"a": 1}


def test_integers_past_64_bits_are_read_differently_by_orjson() -> None:
    # the reason a row found edited is read again the exact way before it is reported
    text = '{"count": 123456789012345678901234567890}'
    assert audit._json_value(text, None, None) != FIELD.from_db_value(text, None, None)


def test_a_document_the_fast_decoder_misreads_is_not_reported(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an untouched demo, and a fast decoder that misreads every document (as orjson misreads huge integers)
    log_integrate_all()
    misread: list[Any] = []

    def wrong(value: Any, _expression: Any, _connection: Any) -> Any:
        misread.append(value)
        return {"misread": True}

    monkeypatch.setattr(audit, "_json_value", wrong)
    monkeypatch.setattr(audit, "_workers_see_this_connection", lambda: True)
    monkeypatch.setattr(ledger_audit, "ProcessPoolExecutor", _InlinePool)
    monkeypatch.setattr(audit, "ProcessPoolExecutor", _InlinePool)
    # when `xinren ledger audit` checks the rows in the log audit's pass
    log, rows = audit.audit_two_way(workers=2)
    # then the fast path was taken, and every row it misread was read again exactly: nothing is reported
    assert misread
    assert log.ok, log.problem
    assert rows.problems == []

"""The statement-type registry: nothing unregistered, misshapen or signed by the wrong kind of organization."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from xinren.accounts.choices import OrganizationKind
from xinren.attest import signing
from xinren.attest.catalogue import statement_types_table
from xinren.attest.models import SigningKey
from xinren.attest.registry import (
    SHARED_KEYWORDS,
    fast_validator,
    schema_keywords,
    statement_type,
    statement_type_get,
    statement_types,
)
from xinren.core.errors import DomainError
from xinren.ledger.store.models import KeyRecord, PendingEntry

from ..statement_types import TEST_NOTE, note

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def _refused(organization, statement) -> DomainError:  # type: ignore[no-untyped-def]
    before = (PendingEntry.objects.count(), SigningKey.objects.count(), KeyRecord.objects.count())
    with pytest.raises(DomainError) as refused:
        signing.statement_sign_and_append(organization=organization, statement=statement)
    assert (PendingEntry.objects.count(), SigningKey.objects.count(), KeyRecord.objects.count()) == before
    return refused.value


def test_every_context_that_signs_has_registered_its_types() -> None:
    names = {kind.name for kind in statement_types()}
    assert {
        "trace.event", "lab.report", "cost.breakdown", "evidence.media", "evidence.withdrawal", "coldchain.profile",
        "coldchain.promise", "coldchain.readings", "review", "review.diary", "review.reply", "review.fold",
        "review.response", "review.unfold", "community.tier", "community.trial", "community.trial.accepted",
        "verification.registry", "verification.result", "trust.programme", "key.register", "key.rotate", "key.revoke",
    } <= names


def test_the_list_in_docs_ledger_md_is_the_registry() -> None:
    text = DOCS.read_text(encoding="utf-8")
    listed = re.search(r"<!-- statement-types:start -->\n(.*?)\n<!-- statement-types:end -->", text, re.S)
    assert listed is not None
    assert listed.group(1) == statement_types_table(), "run `manage.py statement_types` and paste it in docs/ledger.md"


def test_a_statement_of_an_unregistered_type_is_not_signed(merchant) -> None:
    error = _refused(merchant, {"type": "trace.evnet", "subject": "https://xinren.example/01/06901234567892"})
    assert (error.code, error.status, error.details) == (
        "statement.type_unregistered", 422, {"type": "trace.evnet"}
    )


def test_a_payload_that_does_not_fit_its_type_is_not_signed(merchant) -> None:
    # given: a cost breakdown whose lines are missing one line, and one with a field the type does not have
    lines = dict.fromkeys(["raw_material", "processing", "packaging", "logistics", "platform_fees"], 100)
    statement = {"type": "cost.breakdown", "subject": "https://xinren.example/01/06901234567892",
                 "merchant": f"org:{merchant.pk}", "gtin": "06901234567892", "version": 1, "currency": "CNY",
                 "price_fen": 600, "lines_fen": lines}
    # when / then
    error = _refused(merchant, statement)
    assert (error.code, error.details["type"], error.details["path"]) == (
        "statement.payload_invalid", "cost.breakdown", "lines_fen"
    )
    assert "'profit' is a required property" in error.details["reason"]
    error = _refused(merchant, {**statement, "lines_fen": {**lines, "profit": 100}, "note": "x"})
    assert (error.code, error.details["path"]) == ("statement.payload_invalid", "")


def test_an_organization_of_another_kind_cannot_sign_the_type(lab) -> None:
    error = _refused(lab, {"type": "review", "subject": "https://xinren.example/01/06901234567892"})
    assert (error.code, error.status) == ("statement.signer_not_allowed", 403)
    assert error.details == {"type": "review", "signer_kind": "lab", "allowed": ["platform"]}


def test_a_registered_statement_that_fits_is_signed(merchant) -> None:
    ref = signing.statement_sign_and_append(organization=merchant, statement=note(facts={"n": 1}))
    assert (ref.statement_type, PendingEntry.objects.filter(statement_type="test.note").count()) == ("test.note", 1)


def test_a_type_is_registered_once_with_a_well_formed_name() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        statement_type(name="trace.event", context="x", summary="", signers=[], properties={})
    with pytest.raises(ValueError, match="dotted lowercase"):
        statement_type(name="Trace Event", context="x", summary="", signers=[], properties={})
    assert statement_type_get("trace.event").context == "trace"


def test_every_signer_named_is_an_organization_kind() -> None:
    kinds = set(OrganizationKind.values)
    assert {(t.name, s) for t in statement_types() for s in t.signers if s not in kinds} == set()


# The fast path (fastjsonschema, draft-07) beside the judge (jsonschema, 2020-12): schemas built from every shared
# keyword, payloads of every JSON shape.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 2.5, -1.0, 2**70])
    | st.text(alphabet="ab1é😀\n", max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=8,
)
_SCHEMAS = [
    {"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}, {"type": "object"},
    {"type": "array"}, {"type": "string"}, {"type": ["string", "null"]}, {"const": 1}, {"const": "a"},
    {"enum": [1, "a", None, True]}, {"type": "string", "pattern": r"^a\d?$"}, {"type": "string", "minLength": 2},
    {"type": "string", "maxLength": 1}, {"type": "integer", "minimum": 0, "maximum": 2},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
    {"anyOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
    {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "object"}}, "required": ["a"],
     "additionalProperties": False},
    {"type": "object", "additionalProperties": {"type": "string"}, "title": "t", "description": "d"},
]


def test_the_fast_path_covers_every_registered_type() -> None:
    for kind in statement_types():
        assert schema_keywords(kind.schema) <= SHARED_KEYWORDS, kind.name
        fast = fast_validator(kind.schema)
        assert fast is not None
        for field, schema in kind.schema["properties"].items():  # every field's code runs (values spelled right)
            for value in [*schema.get("enum", []), schema.get("const", "x"), "x", 1, None]:
                with contextlib.suppress(fastjsonschema.JsonSchemaException):
                    fast({"type": kind.name, "subject": "s", field: value})


def test_every_shared_keyword_is_compared() -> None:
    assert set().union(*(schema_keywords(schema) for schema in _SCHEMAS)) == SHARED_KEYWORDS


def test_a_schema_with_another_keyword_is_left_to_jsonschema() -> None:
    assert fast_validator({"type": "array", "prefixItems": [{"type": "integer"}]}) is None
    assert fast_validator({"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}}) is None


@settings(max_examples=300, deadline=None)
@given(schema=st.sampled_from(_SCHEMAS), value=_JSON)
def test_what_the_fast_path_accepts_jsonschema_accepts(schema: dict[str, Any], value: Any) -> None:
    fast = fast_validator(schema)
    assert fast is not None
    try:
        fast(value)
        fast_valid = True
    except fastjsonschema.JsonSchemaException:
        fast_valid = False
    judged = Draft202012Validator(schema).is_valid(value)
    if fast_valid:
        assert judged
    elif judged:  # the judge has the last word; fastjsonschema's `$` is stricter (no newline before the end)
        assert schema.get("pattern") and "\n" in value


def test_a_payload_the_fast_path_refuses_is_judged_by_jsonschema(merchant) -> None:  # type: ignore[no-untyped-def]
    refused = _refused(merchant, note(n="7"))
    assert refused.code == "statement.payload_invalid" and refused.details["path"] == "n"
    newline = "2026-12-07T10:00:00+08:00\n"  # refused by fastjsonschema's `$`, accepted by jsonschema's (as before)
    with pytest.raises(fastjsonschema.JsonSchemaException):
        fast_validator(TEST_NOTE.schema)(note(time=newline))  # type: ignore[misc]
    TEST_NOTE.check(note(time=newline), signer_kind=OrganizationKind.MERCHANT)

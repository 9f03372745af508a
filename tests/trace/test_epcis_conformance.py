"""Conformance with the GS1 EPCIS 2.0 artefacts in ../shared/data/epcis/.

Every work-group example either captures, exports as a schema-valid EPCISDocument and round-trips, or is listed
in UNSUPPORTED with its reason. The CBV vocabularies of the platform are checked against the official JSON-LD
contexts, and invalid documents are refused without writing anything.
"""

# ruff: noqa: E501  (the tables of cases read best one case a line)

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from xinren.accounts.actors import Actor
from xinren.core.errors import DomainError
from xinren.trace import errors, selectors, services
from xinren.trace.choices import BizStep, Disposition
from xinren.trace.epcis import vocabulary as vocab
from xinren.trace.models import TraceEvent

from ..conftest import SHARED_DATA, shared_data
from .conftest import NOTHING, written

EXAMPLES_DIR = SHARED_DATA / "epcis" / "JSON"
EXAMPLES = (
    sorted(path.relative_to(EXAMPLES_DIR).as_posix() for path in EXAMPLES_DIR.rglob("*.jsonld"))
    if EXAMPLES_DIR.exists()
    else ["(shared data absent)"]
)
SCHEMA_TESTS_DIR = SHARED_DATA / "epcis" / "JSON-Schema" / "test"
SCHEMA_TESTS = sorted(path.name for path in SCHEMA_TESTS_DIR.glob("*.json")) if SCHEMA_TESTS_DIR.exists() else []

# Examples the platform does not capture, and why. Keep this short and honest.
UNSUPPORTED = {
    # A query result (EPCISQueryDocument with epcisBody.queryResults) answers a query; it is not a capture
    # document, and the platform has no EPCIS query interface.
    "EPCISQueryDocument.jsonld": errors.DOCUMENT_INVALID,
}
# Schema-test events that are refused, and why.
UNSUPPORTED_SCHEMA_TESTS = {
    # A user-defined event type (example:CustomEvent): nothing on the platform could interpret it.
    "Extended-Event.json": errors.EVENT_TYPE_UNSUPPORTED,
}
# What the platform adds to every captured event.
ADDED_FIELDS = {"recordTime"}


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft7Validator:
    document = json.loads(shared_data("epcis", "EPCIS-JSON-Schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(document)
    return jsonschema.Draft7Validator(document, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def _load(*parts: str) -> dict[str, Any]:
    return json.loads(shared_data(*parts).read_text(encoding="utf-8"))


def _schema_errors(schema: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in schema.iter_errors(document)]


def _without_added(event: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """The exported event less what the platform added (recordTime, and eventID where the input had none)."""
    stripped = {key: value for key, value in event.items() if key not in ADDED_FIELDS}
    if "eventID" not in original:
        assert stripped.pop("eventID").startswith("urn:uuid:")
    return stripped


def _context_entries(context: Any) -> list[Any]:
    entries = context if isinstance(context, list) else [context]
    return [entry for entry in entries if not (isinstance(entry, str) and entry in vocab.EPCIS_CONTEXTS)]


def test_unsupported_lists_name_real_files_only() -> None:
    shared_data("epcis", "JSON")
    assert set(UNSUPPORTED) <= set(EXAMPLES)
    assert set(UNSUPPORTED_SCHEMA_TESTS) <= set(SCHEMA_TESTS)
    assert len(EXAMPLES) >= 40


def test_every_example_is_schema_valid_as_published(schema: jsonschema.Draft7Validator) -> None:
    """The examples themselves are valid, so a failure below is the platform's, not the data's."""
    for name in EXAMPLES:
        assert _schema_errors(schema, _load("epcis", "JSON", name)) == [], name


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_captures_exports_and_round_trips(
    name: str, merchant_actor: Actor, schema: jsonschema.Draft7Validator
) -> None:
    # given
    document = _load("epcis", "JSON", name)
    original = copy.deepcopy(document)

    if name in UNSUPPORTED:
        # when
        with pytest.raises(DomainError) as caught:
            services.epcis_capture(actor=merchant_actor, document=document)

        # then
        assert caught.value.code == UNSUPPORTED[name]
        assert written() == NOTHING
        return

    # when
    captured = services.epcis_capture(actor=merchant_actor, document=document)
    stored = TraceEvent.objects.filter(pk__in=[event.pk for event in captured]).order_by("id")
    exported = selectors.epcis_document(events=stored)

    # then: every event was stored, the input was not modified, and the export is schema-valid
    inputs = original["epcisBody"]["eventList"]
    assert document == original
    assert len(captured) == len(inputs)
    assert _schema_errors(schema, exported) == []

    # and: the events round-trip, modulo what the platform adds and key order
    outputs = exported["epcisBody"]["eventList"]
    assert [_without_added(output, event) for output, event in zip(outputs, inputs, strict=True)] == [
        {key: value for key, value in event.items() if key not in ADDED_FIELDS} for event in inputs
    ]
    assert all(output["recordTime"] == "2026-07-03T02:00:00.000+00:00" for output in outputs)

    # and: the document's namespace declarations travel with its events
    for entry in _context_entries(original["@context"]):
        assert entry in exported["@context"]

    # and: the indexed columns agree with the documents
    for event, row in zip(inputs, stored, strict=True):
        assert row.event_type == event["type"]
        assert row.biz_step == event.get("bizStep", "")
        assert row.disposition == event.get("disposition", "")
        assert row.read_point == event.get("readPoint", {}).get("id", "")
        assert row.event_time_zone_offset == event["eventTimeZoneOffset"]


@pytest.mark.parametrize("name", SCHEMA_TESTS or ["(shared data absent)"])
def test_schema_test_events_capture_as_single_events(
    name: str, merchant_actor: Actor, schema: jsonschema.Draft7Validator
) -> None:
    # given
    event = _load("epcis", "JSON-Schema", "test", name)

    if name in UNSUPPORTED_SCHEMA_TESTS:
        # when
        with pytest.raises(DomainError) as caught:
            services.epcis_capture(actor=merchant_actor, document=event)

        # then
        assert caught.value.code == UNSUPPORTED_SCHEMA_TESTS[name]
        assert caught.value.details["field"] == "type"
        assert written() == NOTHING
        return

    # when
    [captured] = services.epcis_capture(actor=merchant_actor, document=event)
    exported = selectors.epcis_document(events=[TraceEvent.objects.get(pk=captured.pk)])

    # then
    assert _schema_errors(schema, exported) == []
    expected = {key: value for key, value in event.items() if key not in ("@context", *ADDED_FIELDS)}
    assert _without_added(exported["epcisBody"]["eventList"][0], event) == expected


# -- vocabularies -------------------------------------------------------------------------------------------------


def _context_terms(filename: str) -> set[str]:
    context = _load("epcis", "JSON-LD-Context", filename)["@context"]
    return {
        term
        for term, value in context.items()
        if not term.startswith("@") and isinstance(value, str) and ":" in value and not value.endswith("/")
    }


@pytest.mark.parametrize(
    ("filename", "terms"),
    [
        ("cbv-context-bizstep.jsonld", vocab.BIZ_STEPS),
        ("cbv-context-disposition.jsonld", vocab.DISPOSITIONS),
        ("cbv-context-error-reason.jsonld", vocab.ERROR_REASONS),
        ("cbv-context-biztransaction-type.jsonld", vocab.BIZ_TRANSACTION_TYPES),
        ("cbv-context-sourcedest-type.jsonld", vocab.SOURCE_DEST_TYPES),
        ("gs1-context-measurement-type.jsonld", vocab.MEASUREMENT_TYPES),
        ("gs1-context-sensor-alert-type.jsonld", vocab.SENSOR_ALERT_TYPES),
        ("cbv-context-component.jsonld", vocab.COMPONENTS),
    ],
)
def test_vocabularies_are_the_official_ones(filename: str, terms: frozenset[str]) -> None:
    assert _context_terms(filename) == set(terms)


def test_business_step_choices_are_cbv_terms_or_declared_platform_steps() -> None:
    # given
    cbv = _context_terms("cbv-context-bizstep.jsonld")

    # when
    not_cbv = set(BizStep.values) - cbv

    # then: the platform's own steps are written as URIs, never as bare names CBV does not define
    assert not_cbv == set(vocab.PLATFORM_BIZ_STEPS)
    assert all(uri.startswith("urn:xinren:") for uri in vocab.PLATFORM_BIZ_STEPS.values())


def test_disposition_choices_are_cbv_terms() -> None:
    assert set(Disposition.values) <= _context_terms("cbv-context-disposition.jsonld")


def test_the_cbv_contexts_expand_short_names_as_the_platform_does() -> None:
    context = _load("epcis", "JSON-LD-Context", "cbv-context-bizstep.jsonld")["@context"]
    base = context["cbv"]
    assert base == vocab.CBV_BASE
    assert vocab.cbv_uri("bizStep", "shipping") == context["shipping"].replace("cbv:", base)
    disposition = _load("epcis", "JSON-LD-Context", "cbv-context-disposition.jsonld")["@context"]
    assert vocab.cbv_uri("disposition", "in_transit") == disposition["in_transit"].replace("cbv:", base)


# -- invalid documents ----------------------------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    return _load("epcis", "JSON", "Example_9.6.1-ObjectEvent.jsonld")


def _set(path: str, value: Any) -> Any:
    """A mutation of the base document: set (or, with value ..., delete) a member by dotted path."""

    def mutate(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key: Any = int(last) if last.isdigit() else last
        if value is ...:
            del target[key]
        else:
            target[key] = value

    return mutate


E1 = "epcisBody.eventList.1"  # the second event: the first one is valid, so nothing may be written either
INVALID = {
    "event time missing": (_set(f"{E1}.eventTime", ...), errors.FIELD_REQUIRED, 1, "eventTime"),
    "event time not ISO 8601": (_set(f"{E1}.eventTime", "04/04/2005 20:33"), errors.TIME_INVALID, 1, "eventTime"),
    "event time without zone": (_set(f"{E1}.eventTime", "2005-04-04T20:33:31"), errors.TIME_INVALID, 1, "eventTime"),
    "offset missing": (_set(f"{E1}.eventTimeZoneOffset", ...), errors.FIELD_REQUIRED, 1, "eventTimeZoneOffset"),
    "offset malformed": (_set(f"{E1}.eventTimeZoneOffset", "-6"), errors.TIME_ZONE_OFFSET_INVALID, 1, "eventTimeZoneOffset"),
    "offset beyond 14:00": (_set(f"{E1}.eventTimeZoneOffset", "+14:30"), errors.TIME_ZONE_OFFSET_INVALID, 1, "eventTimeZoneOffset"),
    "unknown event type": (_set(f"{E1}.type", "ShipmentEvent"), errors.EVENT_TYPE_UNSUPPORTED, 1, "type"),
    "event type missing": (_set(f"{E1}.type", ...), errors.FIELD_REQUIRED, 1, "type"),
    "action missing": (_set(f"{E1}.action", ...), errors.ACTION_INVALID, 1, "action"),
    "action unknown": (_set(f"{E1}.action", "UPDATE"), errors.ACTION_INVALID, 1, "action"),
    "malformed EPC": (_set(f"{E1}.epcList.0", "urn:epc:id:sgtin:0614141.10734.2018"), errors.IDENTIFIER_INVALID, 1, "epcList[0]"),
    "EPC not a URI": (_set(f"{E1}.epcList.0", "0614141 107346 2018"), errors.URI_INVALID, 1, "epcList[0]"),
    "bad GTIN check digit": (_set(f"{E1}.epcList.0", "https://id.gs1.org/01/10614141073465/21/2018"), errors.IDENTIFIER_CHECK_DIGIT, 1, "epcList[0]"),
    "duplicate EPC": (_set(f"{E1}.epcList", ["urn:epc:id:sgtin:0614141.107346.2018"] * 2), errors.IDENTIFIER_DUPLICATE, 1, "epcList[1]"),
    "read point not a URI": (_set(f"{E1}.readPoint.id", "dock door 4"), errors.URI_INVALID, 1, "readPoint.id"),
    "read point without id": (_set(f"{E1}.readPoint", {}), errors.FIELD_REQUIRED, 1, "readPoint.id"),
    "unknown bizStep": (_set(f"{E1}.bizStep", "teleporting"), errors.TERM_UNKNOWN, 1, "bizStep"),
    "unknown CBV URI": (_set(f"{E1}.bizStep", "https://ref.gs1.org/cbv/BizStep-teleporting"), errors.TERM_UNKNOWN, 1, "bizStep"),
    "unknown disposition": (_set(f"{E1}.disposition", "lost"), errors.TERM_UNKNOWN, 1, "disposition"),
    "non-namespaced extension": (_set(f"{E1}.myField", "x"), errors.FIELD_UNKNOWN, 1, "myField"),
    "field of another event type": (_set(f"{E1}.childEPCs", []), errors.FIELD_UNKNOWN, 1, "childEPCs"),
    "quantity not a number": (_set(f"{E1}.quantityList", [{"epcClass": "urn:epc:idpat:sgtin:4012345.098765.*", "quantity": "10"}]), errors.QUANTITY_INVALID, 1, "quantityList[0].quantity"),
    "negative quantity": (_set(f"{E1}.quantityList", [{"epcClass": "urn:epc:idpat:sgtin:4012345.098765.*", "quantity": -1}]), errors.QUANTITY_INVALID, 1, "quantityList[0].quantity"),
    "quantity element without class": (_set(f"{E1}.quantityList", [{"quantity": 1}]), errors.FIELD_REQUIRED, 1, "quantityList[0].epcClass"),
    "bad unit of measure": (_set(f"{E1}.quantityList", [{"epcClass": "urn:epc:idpat:sgtin:4012345.098765.*", "quantity": 1, "uom": "kg"}]), errors.FIELD_INVALID, 1, "quantityList[0].uom"),
    "sensor value not a number": (_set(f"{E1}.sensorElementList", [{"sensorReport": [{"type": "Temperature", "value": "4.2"}]}]), errors.SENSOR_VALUE_INVALID, 1, "sensorElementList[0].sensorReport[0].value"),
    "sensor report empty": (_set(f"{E1}.sensorElementList", [{"sensorReport": []}]), errors.FIELD_REQUIRED, 1, "sensorElementList[0].sensorReport"),
    "ilmd on OBSERVE": (_set(f"{E1}.ilmd", {"example:lot": "1"}), errors.FIELD_INVALID, 1, "ilmd"),
    "business transaction without id": (_set(f"{E1}.bizTransactionList", [{"type": "po"}]), errors.FIELD_REQUIRED, 1, "bizTransactionList[0].bizTransaction"),
    "source without type": (_set(f"{E1}.sourceList", [{"source": "urn:epc:id:pgln:0614141.00777"}]), errors.FIELD_REQUIRED, 1, "sourceList[0].type"),
    "error declaration without time": (_set(f"{E1}.errorDeclaration", {"reason": "did_not_occur"}), errors.FIELD_REQUIRED, 1, "errorDeclaration.declarationTime"),
    "event not an object": (_set(E1, "ObjectEvent"), errors.FIELD_INVALID, 1, ""),
    "event list missing": (_set("epcisBody", {}), errors.FIELD_REQUIRED, None, "epcisBody.eventList"),
    "event list empty": (_set("epcisBody.eventList", []), errors.FIELD_REQUIRED, None, "epcisBody.eventList"),
    "context missing": (_set("@context", ...), errors.CONTEXT_MISSING, None, "@context"),
    "context without EPCIS": (_set("@context", [{"example": "http://ns.example.com/epcis/"}]), errors.CONTEXT_MISSING, None, "@context"),
    "EPCIS 1.2 schema version": (_set("schemaVersion", "1.2"), errors.DOCUMENT_INVALID, None, "schemaVersion"),
    "creation date missing": (_set("creationDate", ...), errors.TIME_INVALID, None, "creationDate"),
    "unknown document field": (_set("epcisMasterData", {}), errors.FIELD_UNKNOWN, None, "epcisMasterData"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_documents_are_refused_and_write_nothing(case: str, merchant_actor: Actor) -> None:
    # given
    mutate, code, event, field = INVALID[case]
    document = _base()
    mutate(document)

    # when
    with pytest.raises(DomainError) as caught:
        services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert caught.value.code == code
    assert caught.value.details.get("event") == event
    assert caught.value.details["field"] == field
    assert str(caught.value.message)
    assert written() == NOTHING


def test_schema_rules_refused_here_are_refused_by_the_schema_too(schema: jsonschema.Draft7Validator) -> None:
    """Cross-check: where a case breaks a rule the schema states, the schema agrees.

    Cases that break only a `format` (uri, date-time) are left out: jsonschema checks those formats only with
    optional packages the project does not install.
    """
    schema_rules = [
        "event time missing", "offset missing", "offset malformed", "offset beyond 14:00", "action missing",
        "action unknown", "duplicate EPC", "read point without id", "quantity not a number", "quantity element without class",
        "bad unit of measure", "sensor value not a number", "sensor report empty", "ilmd on OBSERVE",
        "business transaction without id", "source without type", "error declaration without time",
        "event list missing", "context missing", "creation date missing",
    ]  # fmt: skip
    for case in schema_rules:
        mutate, *_ = INVALID[case]
        document = _base()
        mutate(document)
        assert _schema_errors(schema, document), case

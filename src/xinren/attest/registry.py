"""The statement types an auditor can read: each with its payload schema and the organizations that may sign it.

Every statement appended to the log through `signing` is of a registered type. Each context declares its types in
its own `statements.py` (found when the app registry is ready, as the admin finds `admin.py`), next to the code
that builds the payloads; docs/ledger.md lists them all, and a test keeps that list and the registry equal.

A payload is checked before it is signed — a signed statement is forever — against the type's JSON Schema: the
common fields (`type`, `subject`, `time`, `corrects`) and the type's own, no others. jsonschema (draft 2020-12) is
the judge. A schema written only in keywords that draft-07 means the same way (`SHARED_KEYWORDS`) is also compiled to
Python by fastjsonschema, some 25 times faster (an after-sale decision: 9 µs of CPU instead of 235 µs): a payload it
accepts is accepted, and jsonschema is asked only about one it refuses (for the reason, and to have the last word),
so the fast path makes a check cheaper without changing its answer (ADR 0010's batches sign thousands of
statements). The one difference: fastjsonschema takes a Python tuple for an array, which the statement's JSON carries
as one.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import fastjsonschema
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

from xinren.core.errors import InvalidInput, PermissionDenied

TYPE_UNREGISTERED = "statement.type_unregistered"
PAYLOAD_INVALID = "statement.payload_invalid"
SIGNER_NOT_ALLOWED = "statement.signer_not_allowed"

# Reusable pieces of payload schemas.
TEXT = {"type": "string"}
NONEMPTY = {"type": "string", "minLength": 1}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
BOOLEAN = {"type": "boolean"}
OBJECT = {"type": "object"}
TIMESTAMP = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SHA256 = {"type": "string", "pattern": r"^[0-9a-f]{64}$"}
LEAF_HASH = SHA256
GTIN = {"type": "string", "pattern": r"^\d{14}$"}
# How the log names an organization (attest.keys.owner_of): "org:<id>".
ORGANIZATION = {"type": "string", "pattern": r"^org:\d+$"}

_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")

# The keywords draft-07 (fastjsonschema's newest) and draft 2020-12 (jsonschema's) mean the same way. `format` is an
# annotation for both here (jsonschema is given no format checker; fastjsonschema compiles with use_formats=False).
# A schema using any other keyword (`$ref`, `prefixItems`, `unevaluatedProperties`, …) is checked by jsonschema alone.
# (tests/attest/test_registry.py compares the two on payloads of every kind these keywords judge).
SHARED_KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "const", "enum", "pattern", "minLength", "maxLength",
    "minimum", "maximum", "items", "minItems", "maxItems", "anyOf", "format", "description", "title",
})
_SUBSCHEMA = frozenset({"items", "additionalProperties"})
_SUBSCHEMAS = frozenset({"anyOf"})


def schema_keywords(schema: Any) -> set[str]:
    """Every keyword a schema uses, at any depth (the names under `properties` are fields, not keywords)."""
    if not isinstance(schema, Mapping):
        return set()
    found = set(schema)
    for keyword, value in schema.items():
        if keyword == "properties":
            found.update(*(schema_keywords(sub) for sub in value.values()))
        elif keyword in _SUBSCHEMA:
            found |= schema_keywords(value)
        elif keyword in _SUBSCHEMAS:
            found.update(*(schema_keywords(sub) for sub in value))
    return found


@functools.cache
def _fast_for(name: str) -> Callable[[Any], Any] | None:
    """The registered type's fast validator, compiled at its first check (about 2 ms a type: not at start-up)."""
    return fast_validator(_REGISTRY[name].schema)


def statement_types_compile() -> None:
    """Compile every registered type's fast validator now (a server's master does, before its workers fork)."""
    for name in _REGISTRY:
        _fast_for(name)


def fast_validator(schema: Mapping[str, Any]) -> Callable[[Any], Any] | None:
    """The schema compiled by fastjsonschema as draft-07, or None when it uses a keyword the drafts do not share."""
    if not schema_keywords(schema) <= SHARED_KEYWORDS:
        return None
    plain = json.loads(json.dumps(schema))  # plain JSON: the generated code spells values by repr (choices are str)
    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **plain},
                                  use_default=False, use_formats=False)


@dataclass(frozen=True)
class StatementType:
    """A kind of statement: its name, the context that owns it, who may sign it and the shape of its payload."""

    name: str
    context: str
    summary: str
    signers: frozenset[str]
    schema: Mapping[str, Any]
    validator: Draft202012Validator = field(repr=False, compare=False)

    def check(self, statement: Mapping[str, Any], *, signer_kind: str) -> None:
        """Refuse a payload that does not fit the schema, or a signer whose organization may not sign this type."""
        if signer_kind not in self.signers:
            raise PermissionDenied(
                SIGNER_NOT_ALLOWED,
                _("该类组织不能签署此类声明"),
                details={"type": self.name, "signer_kind": signer_kind, "allowed": sorted(self.signers)},
            )
        fast = _fast_for(self.name)
        if fast is not None:
            try:
                fast(statement)
                return
            except fastjsonschema.JsonSchemaException:
                pass  # jsonschema says why, and has the last word
        error = next(iter(self.validator.iter_errors(statement)), None)
        if error is not None:
            raise InvalidInput(
                PAYLOAD_INVALID,
                _("声明内容不符合该类型的格式"),
                details={"type": self.name, "path": "/".join(str(p) for p in error.absolute_path),
                         "reason": error.message[:300]},
            )


_REGISTRY: dict[str, StatementType] = {}


def statement_type(
    *,
    name: str,
    context: str,
    summary: str,
    signers: Iterable[str],
    properties: Mapping[str, Any],
    required: Iterable[str] = (),
) -> StatementType:
    """Register a statement type (at import of a context's statements.py) and return it.

    `properties` are the payload's own fields as JSON Schema; `type`, `subject`, `time` and `corrects` are common
    to every type. No other field is accepted.
    """
    if not _NAME.fullmatch(name) or len(name) > 64:
        raise ValueError(f"statement type {name!r}: dotted lowercase words, at most 64 characters")
    if name in _REGISTRY:
        raise ValueError(f"statement type {name!r} is registered twice")
    schema = {
        "type": "object",
        "properties": {
            "type": {"const": name},
            "subject": {"type": "string", "minLength": 1, "maxLength": 512},
            "time": TIMESTAMP,
            "corrects": LEAF_HASH,
            **properties,
        },
        "required": ["type", "subject", *required],
        "additionalProperties": False,
    }
    Draft202012Validator.check_schema(schema)
    registered = StatementType(
        name=name, context=context, summary=summary, signers=frozenset(str(s) for s in signers), schema=schema,
        validator=Draft202012Validator(schema),
    )
    _REGISTRY[name] = registered
    return registered


def statement_type_get(name: object) -> StatementType:
    """The registered type of this name, or a refusal naming the unknown type."""
    found = _REGISTRY.get(name) if isinstance(name, str) else None
    if found is None:
        raise InvalidInput(
            TYPE_UNREGISTERED, _("未登记的声明类型，不能写入日志"), details={"type": str(name)[:64]}
        )
    return found


def statement_types() -> list[StatementType]:
    """Every registered type, by name (what docs/ledger.md lists)."""
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def statement_type_unregister(name: str) -> None:
    """Forget a type (tests that register a type of their own)."""
    _REGISTRY.pop(name, None)

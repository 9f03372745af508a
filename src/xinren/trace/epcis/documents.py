"""EPCIS 2.0 documents: reading a capture document, and writing an EPCISDocument for export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

from .. import errors
from . import vocabulary as vocab
from .identifiers import uri_is_valid
from .validation import ParsedEvent, date_time_parse, event_parse, is_extension_key

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_EVENTS = 10_000

DOCUMENT_FIELDS = frozenset(
    {"@context", "id", "type", "schemaVersion", "creationDate", "instanceIdentifier", "sender", "receiver",
     "epcisHeader", "epcisBody"}
)  # fmt: skip


@dataclass
class CaptureDocument:
    """A validated capture: its events, and the @context entries they need besides the EPCIS context."""

    context: list[Any]
    events: list[ParsedEvent]


def _document_error(code: str, message: Any, field: str, **extra: Any) -> InvalidInput:
    return InvalidInput(code, message, details={"field": field, **extra})


def context_extra(context: Any) -> list[Any]:
    """The @context entries other than the EPCIS context; refuses a context without the EPCIS one."""
    entries = context if isinstance(context, list) else [context]
    for entry in entries:
        if not isinstance(entry, dict) and not uri_is_valid(entry):
            raise _document_error(errors.DOCUMENT_INVALID, _("@context 格式不正确"), "@context")
    if not any(isinstance(entry, str) and entry in vocab.EPCIS_CONTEXTS for entry in entries):
        raise _document_error(
            errors.CONTEXT_MISSING,
            _("@context 必须包含 EPCIS 2.0 上下文"),
            "@context",
            expected=vocab.EPCIS_CONTEXT,
        )
    return [entry for entry in entries if not (isinstance(entry, str) and entry in vocab.EPCIS_CONTEXTS)]


def capture_document_parse(document: Any) -> CaptureDocument:
    """Validate an EPCISDocument, or a single event, for capture. Nothing here touches the database."""
    if not isinstance(document, dict):
        raise InvalidInput(errors.DOCUMENT_INVALID, _("EPCIS 文档必须是 JSON 对象"))
    try:
        # NaN and infinity are not JSON; PostgreSQL's jsonb would refuse them later.
        size = len(json.dumps(document, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            errors.DOCUMENT_INVALID, _("EPCIS 文档含有 JSON 不能表示的值"), details={"reason": str(exc)[:200]}
        ) from exc
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            errors.DOCUMENT_TOO_LARGE, _("EPCIS 文档过大"), details={"limit": MAX_DOCUMENT_BYTES, "size": size}
        )
    kind = document.get("type")
    if kind == "EPCISQueryDocument":
        raise _document_error(
            errors.DOCUMENT_INVALID, _("这是查询结果文档（EPCISQueryDocument），不能用于采集"), "type", value=kind
        )
    if "@context" not in document:
        raise _document_error(errors.CONTEXT_MISSING, _("缺少 JSON-LD @context"), "@context")
    if kind != "EPCISDocument":
        # A single event: its own @context plays the document's part.
        single = {key: value for key, value in document.items() if key != "@context"}
        return CaptureDocument(context=context_extra(document["@context"]), events=[event_parse(single, index=0)])

    context = context_extra(document["@context"])
    for key in document:
        if key not in DOCUMENT_FIELDS and not is_extension_key(key):
            raise _document_error(errors.FIELD_UNKNOWN, _("未知字段；扩展字段须带命名空间前缀"), key)
    if document.get("schemaVersion") != vocab.SCHEMA_VERSION:
        raise _document_error(
            errors.DOCUMENT_INVALID, _("仅支持 EPCIS 2.0 文档（schemaVersion 为 \"2.0\"）"), "schemaVersion",
            value=str(document.get("schemaVersion")),
        )  # fmt: skip
    if date_time_parse(document.get("creationDate")) is None:
        raise _document_error(errors.TIME_INVALID, _("creationDate 缺失或格式不正确"), "creationDate")
    if "id" in document and not uri_is_valid(document["id"]):
        raise _document_error(errors.URI_INVALID, _("不是有效的 URI"), "id")
    for key in ("instanceIdentifier", "sender", "receiver"):
        if key in document and not isinstance(document[key], str):
            raise _document_error(errors.FIELD_INVALID, _("此字段必须是文本"), key)
    if "epcisHeader" in document and not isinstance(document["epcisHeader"], dict):
        raise _document_error(errors.FIELD_INVALID, _("此字段必须是对象"), "epcisHeader")
    body = document.get("epcisBody")
    if not isinstance(body, dict) or not isinstance(body.get("eventList"), list):
        raise _document_error(errors.FIELD_REQUIRED, _("缺少事件列表（epcisBody.eventList）"), "epcisBody.eventList")
    raw_events = body["eventList"]
    if not raw_events:
        raise _document_error(errors.FIELD_REQUIRED, _("事件列表为空"), "epcisBody.eventList")
    if len(raw_events) > MAX_EVENTS:
        raise _document_error(
            errors.TOO_MANY_EVENTS, _("一次提交的事件过多"), "epcisBody.eventList", limit=MAX_EVENTS,
            count=len(raw_events),
        )  # fmt: skip
    return CaptureDocument(
        context=context, events=[event_parse(raw, index=index) for index, raw in enumerate(raw_events)]
    )


def _defines(entry: dict[str, Any], defined: dict[str, Any]) -> bool:
    """True when `entry` agrees with every term already defined (so it can join the document context)."""
    return all(defined.get(term, value) == value for term, value in entry.items())


def document_build(
    *, events: Iterable[tuple[dict[str, Any], Sequence[Any]]], creation_date: datetime
) -> dict[str, Any]:
    """An EPCISDocument from (event JSON, extra @context entries) pairs.

    The events' context entries join the document's @context; an event whose entries clash with another's
    (the same prefix bound to two namespaces) carries its own @context instead.
    """
    document_context: list[Any] = [vocab.EPCIS_CONTEXT]
    defined: dict[str, Any] = {}
    event_list: list[dict[str, Any]] = []
    for document, context in events:
        event = dict(document)
        dicts = [entry for entry in context if isinstance(entry, dict)]
        if all(_defines(entry, defined) for entry in dicts):
            for entry in context:
                if entry not in document_context:
                    document_context.append(entry)
                if isinstance(entry, dict):
                    defined.update(entry)
        elif "@context" not in event:
            event["@context"] = list(context)
        event_list.append(event)
    return {
        "@context": document_context,
        "type": "EPCISDocument",
        "schemaVersion": vocab.SCHEMA_VERSION,
        "creationDate": creation_date.isoformat(timespec="milliseconds"),
        "epcisBody": {"eventList": event_list},
    }

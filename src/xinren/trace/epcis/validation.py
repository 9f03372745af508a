"""Validation of one EPCIS 2.0 event in JSON(-LD): the project's own reading of the standard.

Each check mirrors a rule of the EPCIS 2.0 JSON Schema (and of the standard's text where the schema is silent,
e.g. parentID on ADD/DELETE aggregations), so that what we store and export is always schema-valid. Every error
names the event's index in the document and the offending field.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

from .. import errors
from ..choices import EventType, SubjectRole
from . import vocabulary as vocab
from .identifiers import EpcIdentifier, identifier_parse, uri_is_valid

MAX_EVENT_BYTES = 64 * 1024  # one event becomes one ledger statement, and a ledger entry is at most 64 KiB

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_OFFSET = re.compile(r"^[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_HEX = re.compile(r"^[A-Fa-f0-9]+$")

COMMON_FIELDS = frozenset(
    {"@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "certificationInfo",
     "errorDeclaration"}
)  # fmt: skip
_WHERE_WHY = frozenset(
    {"bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
     "sensorElementList"}
)  # fmt: skip
EVENT_FIELDS: dict[str, frozenset[str]] = {
    EventType.OBJECT: _WHERE_WHY | {"action", "epcList", "quantityList", "persistentDisposition", "ilmd"},
    EventType.AGGREGATION: _WHERE_WHY | {"action", "parentID", "childEPCs", "childQuantityList"},
    EventType.ASSOCIATION: _WHERE_WHY | {"action", "parentID", "childEPCs", "childQuantityList"},
    EventType.TRANSFORMATION: _WHERE_WHY
    | {"inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID",
       "persistentDisposition", "ilmd"},
    EventType.TRANSACTION: _WHERE_WHY | {"action", "parentID", "epcList", "quantityList"},
}  # fmt: skip
# Where each identifier list stands, per event type: field -> (role, is a quantity list).
SUBJECT_FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    EventType.OBJECT: (("epcList", SubjectRole.EPC, False), ("quantityList", SubjectRole.QUANTITY, True)),
    EventType.AGGREGATION: (
        ("parentID", SubjectRole.PARENT, False),
        ("childEPCs", SubjectRole.CHILD, False),
        ("childQuantityList", SubjectRole.CHILD_QUANTITY, True),
    ),
    EventType.ASSOCIATION: (
        ("parentID", SubjectRole.PARENT, False),
        ("childEPCs", SubjectRole.CHILD, False),
        ("childQuantityList", SubjectRole.CHILD_QUANTITY, True),
    ),
    EventType.TRANSFORMATION: (
        ("inputEPCList", SubjectRole.INPUT, False),
        ("inputQuantityList", SubjectRole.INPUT_QUANTITY, True),
        ("outputEPCList", SubjectRole.OUTPUT, False),
        ("outputQuantityList", SubjectRole.OUTPUT_QUANTITY, True),
    ),
    EventType.TRANSACTION: (
        ("parentID", SubjectRole.PARENT, False),
        ("epcList", SubjectRole.EPC, False),
        ("quantityList", SubjectRole.QUANTITY, True),
    ),
}
SENSOR_METADATA_FIELDS = {
    "time": "time", "startTime": "time", "endTime": "time", "deviceID": "uri", "deviceMetadata": "uri",
    "rawData": "uri", "dataProcessingMethod": "uri", "bizRules": "uri",
}  # fmt: skip
SENSOR_REPORT_FIELDS = {
    "type": "measurement", "exception": "alert", "deviceID": "uri", "deviceMetadata": "uri", "rawData": "uri",
    "dataProcessingMethod": "uri", "bizRules": "uri", "time": "time", "microorganism": "uri",
    "chemicalSubstance": "uri", "coordinateReferenceSystem": "uri", "value": "number", "component": "component",
    "stringValue": "string", "booleanValue": "boolean", "hexBinaryValue": "hex", "uriValue": "uri",
    "minValue": "number", "maxValue": "number", "meanValue": "number", "sDev": "number", "percRank": "number",
    "percValue": "number", "uom": "string",
}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """One identifier an event names, where it stands, and the quantity given for it."""

    role: str
    identifier: EpcIdentifier
    field: str
    quantity: Decimal | None = None
    uom: str = ""


@dataclass
class ParsedEvent:
    """A validated event: its normalised JSON and the values the platform indexes."""

    index: int
    document: dict[str, Any]
    event_type: str
    event_id: str
    action: str
    biz_step: str
    disposition: str
    event_time: datetime
    event_time_zone_offset: str
    read_point: str
    biz_location: str
    is_error_declaration: bool
    subjects: list[Subject] = field(default_factory=list)


def is_number(value: object) -> bool:
    """A JSON number (bool is not one, nor NaN or infinity)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def date_time_parse(value: object) -> datetime | None:
    """An RFC 3339 date-time with an offset, or None."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.upper())
    except ValueError:
        return None


def is_extension_key(key: str) -> bool:
    """A user extension is named by a compact IRI (`prefix:name`) or an absolute IRI."""
    return uri_is_valid(key)


class _EventChecker:
    """Checks one event; every error names the event's index and the field's path."""

    def __init__(self, index: int) -> None:
        self.index = index

    def fail(self, code: str, message: str | Promise, path: str, **extra: Any) -> InvalidInput:
        details: dict[str, Any] = {"event": self.index, "field": path}
        details.update(extra)
        return InvalidInput(code, message, details=details)

    # -- primitives ------------------------------------------------------------------------------------------------

    def uri(self, value: Any, path: str) -> str:
        if not uri_is_valid(value):
            raise self.fail(errors.URI_INVALID, _("不是有效的 URI"), path, value=_shown(value))
        return str(value)

    def time(self, value: Any, path: str) -> datetime:
        parsed = date_time_parse(value)
        if parsed is None:
            raise self.fail(
                errors.TIME_INVALID, _("时间格式不正确，须为带时区的 ISO 8601 时间"), path, value=_shown(value)
            )
        return parsed

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(errors.FIELD_INVALID, _("此字段必须是对象"), path)
        return value

    def array(self, value: Any, path: str, *, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(errors.FIELD_INVALID, _("此字段必须是数组"), path)
        if len(value) < min_items:
            raise self.fail(errors.FIELD_REQUIRED, _("此列表不能为空"), path)
        return value

    def keys(self, data: dict[str, Any], allowed: frozenset[str] | set[str], path: str, *, extensions: bool) -> None:
        for key in data:
            if key in allowed or (extensions and is_extension_key(key)):
                continue
            raise self.fail(
                errors.FIELD_UNKNOWN,
                _("未知字段；扩展字段须带命名空间前缀（如 example:myField）"),
                f"{path}.{key}" if path else key,
            )

    def term(self, kind: str, value: Any, path: str) -> str:
        """A CBV term: its short name (URI forms are normalised to it) or a custom URI."""
        if not isinstance(value, str):
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 CBV 术语或 URI"), path, value=_shown(value))
        try:
            short = vocab.cbv_term(kind, value)
        except vocab.UnknownTerm:
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 CBV 术语或 URI"), path, value=value) from None
        return short if short is not None else self.uri(value, path)

    def biz_step(self, value: Any) -> tuple[str, str]:
        if not isinstance(value, str):
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 CBV 业务步骤或 URI"), "bizStep", value=_shown(value))
        try:
            indexed, written = vocab.biz_step_normalise(value)
        except vocab.UnknownTerm:
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 CBV 业务步骤或 URI"), "bizStep", value=value) from None
        if written not in vocab.BIZ_STEPS:
            self.uri(written, "bizStep")
        return indexed, written

    def voc_term(self, terms: frozenset[str], value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 GS1 术语或 URI"), path, value=_shown(value))
        try:
            short = vocab.gs1_voc_term(terms, value)
        except vocab.UnknownTerm:
            raise self.fail(errors.TERM_UNKNOWN, _("不是有效的 GS1 术语或 URI"), path, value=value) from None
        return short if short is not None else self.uri(value, path)

    def identifier(self, value: Any, path: str) -> EpcIdentifier:
        if not uri_is_valid(value):
            raise self.fail(errors.URI_INVALID, _("标识符不是有效的 URI"), path, value=_shown(value))
        try:
            return identifier_parse(value)
        except InvalidInput as exc:
            raise self.fail(exc.code, exc.message, path, **exc.details) from exc

    # -- parts of an event -----------------------------------------------------------------------------------------

    def where(self, event: dict[str, Any], key: str) -> str:
        if key not in event:
            return ""
        data = self.obj(event[key], key)
        if "id" not in data:
            raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{key}.id")
        self.keys(data, {"id"}, key, extensions=True)
        return self.uri(data["id"], f"{key}.id")

    def quantity_element(self, value: Any, path: str) -> tuple[str, Decimal | None, str]:
        data = self.obj(value, path)
        self.keys(data, {"epcClass", "quantity", "uom"}, path, extensions=False)
        if "epcClass" not in data:
            raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{path}.epcClass")
        quantity: Decimal | None = None
        if "quantity" in data:
            raw = data["quantity"]
            if not is_number(raw):
                raise self.fail(errors.QUANTITY_INVALID, _("数量必须是数字"), f"{path}.quantity", value=_shown(raw))
            if raw < 0:
                raise self.fail(errors.QUANTITY_INVALID, _("数量不能为负数"), f"{path}.quantity", value=raw)
            quantity = Decimal(str(raw))
        uom = data.get("uom", "")
        if "uom" in data:
            if not isinstance(uom, str) or not _UOM.match(uom):
                raise self.fail(
                    errors.FIELD_INVALID, _("计量单位须为 UN/CEFACT 代码（如 KGM）"), f"{path}.uom", value=_shown(uom)
                )
            if quantity is None:
                raise self.fail(errors.FIELD_REQUIRED, _("给出计量单位时必须给出数量"), f"{path}.quantity")
        return data["epcClass"], quantity, uom

    def subjects(self, event: dict[str, Any], event_type: str) -> list[Subject]:
        found: list[Subject] = []
        for key, role, is_quantity in SUBJECT_FIELDS[event_type]:
            if key not in event:
                continue
            if key == "parentID":
                found.append(Subject(role=role, identifier=self.identifier(event[key], key), field=key))
                continue
            seen: set[str] = set()
            for position, entry in enumerate(self.array(event[key], key)):
                path = f"{key}[{position}]"
                quantity: Decimal | None = None
                uom = ""
                if is_quantity:
                    uri, quantity, uom = self.quantity_element(entry, path)
                    path = f"{path}.epcClass"
                else:
                    uri = entry
                identifier = self.identifier(uri, path)
                if not is_quantity:
                    if uri in seen:
                        raise self.fail(errors.IDENTIFIER_DUPLICATE, _("同一列表中标识符重复"), path, value=uri)
                    seen.add(uri)
                found.append(Subject(role=role, identifier=identifier, field=path, quantity=quantity, uom=uom))
        return found

    def persistent_disposition(self, event: dict[str, Any]) -> None:
        data = self.obj(event["persistentDisposition"], "persistentDisposition")
        self.keys(data, {"set", "unset"}, "persistentDisposition", extensions=False)
        if not data:
            raise self.fail(errors.FIELD_REQUIRED, _("须给出 set 或 unset"), "persistentDisposition")
        for key, terms in data.items():
            path = f"persistentDisposition.{key}"
            normalised = [
                self.term("disposition", term, f"{path}[{n}]")
                for n, term in enumerate(self.array(terms, path, min_items=1))
            ]
            if len(set(normalised)) != len(normalised):
                raise self.fail(errors.FIELD_INVALID, _("列表中有重复项"), path)
            data[key] = normalised

    def biz_transactions(self, event: dict[str, Any]) -> None:
        key = "bizTransactionList"
        min_items = 1 if event["type"] == EventType.TRANSACTION else 0
        for n, entry in enumerate(self.array(event[key], key, min_items=min_items)):
            path = f"{key}[{n}]"
            data = self.obj(entry, path)
            self.keys(data, {"type", "bizTransaction"}, path, extensions=False)
            if "bizTransaction" not in data:
                raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{path}.bizTransaction")
            self.uri(data["bizTransaction"], f"{path}.bizTransaction")
            if "type" in data:
                data["type"] = self.term("bizTransactionType", data["type"], f"{path}.type")

    def sources_or_destinations(self, event: dict[str, Any], key: str, inner: str) -> None:
        for n, entry in enumerate(self.array(event[key], key)):
            path = f"{key}[{n}]"
            data = self.obj(entry, path)
            self.keys(data, {"type", inner}, path, extensions=False)
            for required in ("type", inner):
                if required not in data:
                    raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{path}.{required}")
            self.uri(data[inner], f"{path}.{inner}")
            data["type"] = self.term("sourceDestType", data["type"], f"{path}.type")

    def sensor_value(self, kind: str, data: dict[str, Any], key: str, path: str) -> None:
        value = data[key]
        if kind == "number":
            if not is_number(value):
                raise self.fail(errors.SENSOR_VALUE_INVALID, _("传感器读数必须是数字"), path, value=_shown(value))
        elif kind == "time":
            self.time(value, path)
        elif kind == "uri":
            self.uri(value, path)
        elif kind == "string":
            if not isinstance(value, str):
                raise self.fail(errors.SENSOR_VALUE_INVALID, _("此字段必须是文本"), path, value=_shown(value))
        elif kind == "boolean":
            if not isinstance(value, bool):
                raise self.fail(errors.SENSOR_VALUE_INVALID, _("此字段必须是 true 或 false"), path, value=_shown(value))
        elif kind == "hex":
            if not isinstance(value, str) or not _HEX.match(value):
                raise self.fail(errors.SENSOR_VALUE_INVALID, _("此字段必须是十六进制数据"), path, value=_shown(value))
        elif kind == "measurement":
            data[key] = self.voc_term(vocab.MEASUREMENT_TYPES, value, path)
        elif kind == "alert":
            data[key] = self.voc_term(vocab.SENSOR_ALERT_TYPES, value, path)
        elif kind == "component" and not (isinstance(value, str) and value in vocab.COMPONENTS):
            self.uri(value, path)

    def sensor_elements(self, event: dict[str, Any]) -> None:
        key = "sensorElementList"
        for n, entry in enumerate(self.array(event[key], key)):
            path = f"{key}[{n}]"
            element = self.obj(entry, path)
            self.keys(element, {"sensorMetadata", "sensorReport"}, path, extensions=True)
            if "sensorMetadata" in element:
                meta_path = f"{path}.sensorMetadata"
                metadata = self.obj(element["sensorMetadata"], meta_path)
                self.keys(metadata, set(SENSOR_METADATA_FIELDS), meta_path, extensions=True)
                for name, kind in SENSOR_METADATA_FIELDS.items():
                    if name in metadata:
                        self.sensor_value(kind, metadata, name, f"{meta_path}.{name}")
            if "sensorReport" not in element:
                raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{path}.sensorReport")
            reports = self.array(element["sensorReport"], f"{path}.sensorReport", min_items=1)
            for m, raw in enumerate(reports):
                report_path = f"{path}.sensorReport[{m}]"
                report = self.obj(raw, report_path)
                self.keys(report, set(SENSOR_REPORT_FIELDS), report_path, extensions=True)
                if "type" not in report:
                    raise self.fail(errors.FIELD_REQUIRED, _("传感器读数须注明测量类型"), f"{report_path}.type")
                for name, kind in SENSOR_REPORT_FIELDS.items():
                    if name in report:
                        self.sensor_value(kind, report, name, f"{report_path}.{name}")

    def error_declaration(self, event: dict[str, Any]) -> None:
        key = "errorDeclaration"
        data = self.obj(event[key], key)
        self.keys(data, {"declarationTime", "reason", "correctiveEventIDs"}, key, extensions=True)
        if "declarationTime" not in data:
            raise self.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), f"{key}.declarationTime")
        self.time(data["declarationTime"], f"{key}.declarationTime")
        if "reason" in data:
            data["reason"] = self.term("errorReason", data["reason"], f"{key}.reason")
        if "correctiveEventIDs" in data:
            for n, value in enumerate(self.array(data["correctiveEventIDs"], f"{key}.correctiveEventIDs")):
                self.uri(value, f"{key}.correctiveEventIDs[{n}]")

    def certification_info(self, value: Any) -> None:
        if isinstance(value, list):
            for n, entry in enumerate(value):
                self.uri(entry, f"certificationInfo[{n}]")
        else:
            self.uri(value, "certificationInfo")

    def ilmd(self, event: dict[str, Any], event_type: str, action: str) -> None:
        data = self.obj(event["ilmd"], "ilmd")
        self.keys(data, set(), "ilmd", extensions=True)
        if event_type == EventType.OBJECT and action != "ADD":
            raise self.fail(errors.FIELD_INVALID, _("只有 ADD 动作的对象事件可以带实例/批次主数据（ilmd）"), "ilmd")

    def what(self, event: dict[str, Any], event_type: str, action: str) -> None:
        """The standard's rules on which identifier lists an event must carry."""

        def has(key: str) -> bool:
            return isinstance(event.get(key), list) and len(event[key]) > 0

        if event_type == EventType.OBJECT:
            sensors_at_point = has("sensorElementList") and "readPoint" in event
            if "epcList" not in event and not has("quantityList") and not sensors_at_point:
                raise self.fail(
                    errors.FIELD_REQUIRED, _("对象事件须给出 epcList、quantityList，或传感器数据与读取点"), "epcList"
                )
        elif event_type in (EventType.AGGREGATION, EventType.ASSOCIATION):
            parent_required = event_type == EventType.ASSOCIATION or action in ("ADD", "DELETE")
            if parent_required and "parentID" not in event:
                raise self.fail(errors.FIELD_REQUIRED, _("此类事件须给出容器标识（parentID）"), "parentID")
            if action != "DELETE" and not has("childEPCs") and not has("childQuantityList"):
                raise self.fail(errors.FIELD_REQUIRED, _("须给出内容物（childEPCs 或 childQuantityList）"), "childEPCs")
        elif event_type == EventType.TRANSFORMATION:
            inputs = has("inputEPCList") or has("inputQuantityList")
            outputs = has("outputEPCList") or has("outputQuantityList")
            if not (inputs and outputs) and not ((inputs or outputs) and "transformationID" in event):
                raise self.fail(
                    errors.FIELD_REQUIRED,
                    _("转化事件须同时给出投入和产出，或给出其一并带 transformationID"),
                    "inputEPCList" if not inputs else "outputEPCList",
                )
        elif event_type == EventType.TRANSACTION:
            listed = "epcList" in event or has("quantityList")
            if not listed and action != "DELETE":
                raise self.fail(errors.FIELD_REQUIRED, _("交易事件须给出 epcList 或 quantityList"), "epcList")


def _shown(value: Any) -> Any:
    """A value safe to echo back in error details."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:200]


def context_check(value: Any, fail: Callable[[str], InvalidInput]) -> None:
    """A JSON-LD @context: a URI, an object, or an array of those."""
    entries = value if isinstance(value, list) else [value]
    for entry in entries:
        if isinstance(entry, dict):
            continue
        if not uri_is_valid(entry):
            raise fail("@context")


def event_parse(raw: Any, *, index: int) -> ParsedEvent:
    """Validate one event and return it normalised (CBV URIs → short names) with its indexed values."""
    checker = _EventChecker(index)
    event = checker.obj(raw, "")
    if len(json.dumps(event, ensure_ascii=False).encode()) > MAX_EVENT_BYTES:
        raise checker.fail(errors.EVENT_TOO_LARGE, _("单个事件过大"), "", limit=MAX_EVENT_BYTES)
    event = copy.deepcopy(event)
    event_type = event.get("type")
    if "type" not in event:
        raise checker.fail(errors.FIELD_REQUIRED, _("缺少事件类型"), "type")
    if event_type not in EVENT_FIELDS:
        raise checker.fail(
            errors.EVENT_TYPE_UNSUPPORTED, _("不支持的事件类型"), "type", value=_shown(event_type),
            supported=sorted(EVENT_FIELDS),
        )  # fmt: skip
    checker.keys(event, COMMON_FIELDS | EVENT_FIELDS[event_type], "", extensions=True)
    if "@context" in event:
        context_check(event["@context"], lambda path: checker.fail(errors.URI_INVALID, _("@context 格式不正确"), path))

    for required in ("eventTime", "eventTimeZoneOffset"):
        if required not in event:
            raise checker.fail(errors.FIELD_REQUIRED, _("缺少必填字段"), required)
    event_time = checker.time(event["eventTime"], "eventTime")
    offset = event["eventTimeZoneOffset"]
    if not isinstance(offset, str) or not _OFFSET.match(offset):
        raise checker.fail(
            errors.TIME_ZONE_OFFSET_INVALID, _("时区偏移格式不正确，须为 +08:00 这样的形式"), "eventTimeZoneOffset",
            value=_shown(offset),
        )  # fmt: skip
    if "recordTime" in event:
        checker.time(event["recordTime"], "recordTime")
    event_id = ""
    if "eventID" in event:
        event_id = checker.uri(event["eventID"], "eventID")
    if "certificationInfo" in event:
        checker.certification_info(event["certificationInfo"])
    if "errorDeclaration" in event:
        checker.error_declaration(event)

    action = ""
    if event_type == EventType.TRANSFORMATION:
        pass  # a transformation has no action; "action" is refused above as an unknown field
    elif "action" not in event:
        raise checker.fail(errors.ACTION_INVALID, _("此类事件须给出动作（ADD、OBSERVE 或 DELETE）"), "action")
    else:
        action = event["action"]
        if action not in ("ADD", "OBSERVE", "DELETE"):
            raise checker.fail(
                errors.ACTION_INVALID, _("动作须为 ADD、OBSERVE 或 DELETE"), "action", value=_shown(action)
            )

    biz_step = disposition = ""
    if "bizStep" in event:
        biz_step, event["bizStep"] = checker.biz_step(event["bizStep"])
    if "disposition" in event:
        disposition = event["disposition"] = checker.term("disposition", event["disposition"], "disposition")
    if "persistentDisposition" in event:
        checker.persistent_disposition(event)
    read_point = checker.where(event, "readPoint")
    biz_location = checker.where(event, "bizLocation")
    if "bizTransactionList" in event:
        checker.biz_transactions(event)
    elif event_type == EventType.TRANSACTION:
        raise checker.fail(
            errors.FIELD_REQUIRED, _("交易事件须给出业务交易（bizTransactionList）"), "bizTransactionList"
        )
    if "sourceList" in event:
        checker.sources_or_destinations(event, "sourceList", "source")
    if "destinationList" in event:
        checker.sources_or_destinations(event, "destinationList", "destination")
    if "sensorElementList" in event:
        checker.sensor_elements(event)
    if "transformationID" in event:
        checker.uri(event["transformationID"], "transformationID")
    if "ilmd" in event:
        checker.ilmd(event, event_type, action)
    subjects = checker.subjects(event, event_type)
    checker.what(event, event_type, action)

    return ParsedEvent(
        index=index,
        document=event,
        event_type=event_type,
        event_id=event_id,
        action=action,
        biz_step=biz_step,
        disposition=disposition,
        event_time=event_time,
        event_time_zone_offset=offset,
        read_point=read_point,
        biz_location=biz_location,
        is_error_declaration="errorDeclaration" in event,
        subjects=subjects,
    )

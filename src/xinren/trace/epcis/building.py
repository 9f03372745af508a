"""Building an EPCIS 2.0 event from the simple fields of the web form and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

from .. import errors
from ..choices import EventType
from .identifiers import identifier_parse
from .validation import SENSOR_REPORT_FIELDS


def _offset(event_time: datetime) -> str:
    delta = event_time.utcoffset()
    if delta is None:
        raise InvalidInput(errors.TIME_INVALID, _("时间必须带时区"), details={"event": 0, "field": "eventTime"})
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _json_number(value: Any) -> Any:
    """Decimals become JSON numbers; anything else is left for validation to judge."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _uri(value: str) -> str:
    """A Digital Link path becomes a URI on the platform's own resolver; other identifiers stay as written."""
    value = value.strip()
    return f"{settings.XINREN_RESOLVER}{value}" if value.startswith("/") else value


def _split(identifiers: Sequence[str], field: str) -> tuple[list[str], list[str]]:
    """Instance-level identifiers and class-level ones (a product or a lot), in their given order."""
    instances: list[str] = []
    classes: list[str] = []
    for position, raw in enumerate(identifiers):
        uri = _uri(raw)
        try:
            identifier = identifier_parse(uri)
        except InvalidInput as exc:
            raise InvalidInput(
                exc.code, exc.message, details={"event": 0, "field": f"{field}[{position}]", **exc.details}
            ) from exc
        (classes if identifier.names_trade_item and identifier.is_class_level else instances).append(uri)
    return instances, classes


def _quantities(classes: list[str], quantity: Decimal | None, uom: str) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for uri in classes:
        element: dict[str, Any] = {"epcClass": uri}
        if quantity is not None:
            element["quantity"] = _json_number(quantity)
            if uom:
                element["uom"] = uom
        elements.append(element)
    return elements


def _sensor_element(readings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    reports: list[dict[str, Any]] = []
    for position, reading in enumerate(readings):
        report: dict[str, Any] = {}
        for key, value in reading.items():
            if key not in SENSOR_REPORT_FIELDS:
                raise InvalidInput(
                    errors.FIELD_UNKNOWN,
                    _("未知的传感器读数字段"),
                    details={"event": 0, "field": f"sensorElementList[0].sensorReport[{position}].{key}"},
                )
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                if value.utcoffset() is None:
                    raise InvalidInput(
                        errors.TIME_INVALID,
                        _("时间必须带时区"),
                        details={"event": 0, "field": f"sensorElementList[0].sensorReport[{position}].{key}"},
                    )
                value = value.isoformat()
            report[key] = _json_number(value)
        reports.append(report)
    return {"sensorReport": reports}


def event_build(
    *,
    event_type: str,
    biz_step: str,
    event_time: datetime,
    identifiers: Sequence[str],
    action: str,
    disposition: str,
    place_uri: str | None,
    read_point: str,
    quantity: Decimal | None,
    uom: str,
    parent: str,
    outputs: Sequence[str],
    sensor_readings: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """An EPCIS 2.0 event (JSON) from the simple fields of a form or the API; validation happens afterwards."""
    if event_type not in (EventType.OBJECT, EventType.AGGREGATION, EventType.ASSOCIATION, EventType.TRANSFORMATION):
        raise InvalidInput(
            errors.EVENT_TYPE_UNSUPPORTED,
            _("此处只能记录对象、聚合、关联或转化事件；交易事件请以 EPCIS 文档提交"),
            details={"event": 0, "field": "type", "value": event_type},
        )
    offset = _offset(event_time)
    event: dict[str, Any] = {
        "type": event_type,
        "eventTime": event_time.isoformat(),
        "eventTimeZoneOffset": offset,
    }
    if event_type != EventType.TRANSFORMATION:
        event["action"] = action
    if biz_step:
        event["bizStep"] = biz_step.strip()
    if disposition:
        event["disposition"] = disposition.strip()
    read_point = read_point.strip()
    if read_point or place_uri:
        event["readPoint"] = {"id": read_point or place_uri}
    if place_uri:
        event["bizLocation"] = {"id": place_uri}

    lists = {
        EventType.OBJECT: ("epcList", "quantityList"),
        EventType.AGGREGATION: ("childEPCs", "childQuantityList"),
        EventType.ASSOCIATION: ("childEPCs", "childQuantityList"),
        EventType.TRANSFORMATION: ("inputEPCList", "inputQuantityList"),
    }[EventType(event_type)]
    if not identifiers and not (event_type == EventType.OBJECT and sensor_readings):
        raise InvalidInput(errors.FIELD_REQUIRED, _("请至少填写一个标识符"), details={"event": 0, "field": lists[0]})
    instances, classes = _split(identifiers, lists[0])
    if quantity is not None and len(classes) != 1:
        raise InvalidInput(
            errors.QUANTITY_INVALID,
            _("填写数量时须且只能给出一个批次或商品级标识（不带序列号）"),
            details={"event": 0, "field": lists[1], "class_level_identifiers": len(classes)},
        )
    if uom and quantity is None:
        raise InvalidInput(
            errors.QUANTITY_INVALID, _("给出计量单位时必须给出数量"), details={"event": 0, "field": lists[1]}
        )
    if instances or (event_type == EventType.OBJECT and not classes and not sensor_readings):
        event[lists[0]] = instances
    if classes:
        event[lists[1]] = _quantities(classes, quantity, uom)
    if parent.strip():
        if event_type not in (EventType.AGGREGATION, EventType.ASSOCIATION):
            raise InvalidInput(
                errors.FIELD_INVALID, _("只有聚合或关联事件有容器标识"), details={"event": 0, "field": "parentID"}
            )
        event["parentID"] = _uri(parent)
    if outputs:
        if event_type != EventType.TRANSFORMATION:
            raise InvalidInput(
                errors.FIELD_INVALID, _("只有转化事件有产出"), details={"event": 0, "field": "outputEPCList"}
            )
        out_instances, out_classes = _split(outputs, "outputEPCList")
        if out_instances:
            event["outputEPCList"] = out_instances
        if out_classes:
            event["outputQuantityList"] = _quantities(out_classes, None, "")
    if sensor_readings:
        event["sensorElementList"] = [_sensor_element(sensor_readings)]
    return event

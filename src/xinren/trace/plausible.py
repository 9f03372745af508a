"""Whether a trace event could have happened: the one validator every capture path calls (ADR 0015).

The web form, the JSON API, EPCIS capture (plain and self-signed), the delivery receipt and the demo loader all
store events through `services._capture_store`, and the self-signed path calls `events_check` before the envelopes
enter the log; so no path can sign what another would refuse.

- Times (eventTime, an error declaration's declarationTime, sensor times): `core.plausible.time_check`.
- Sensor values (value, minValue, maxValue, meanValue, percValue): `core.plausible.value_check`.
- What the event names (`identifiers_check`): a trade item (GTIN, lot, serial) must be a product, lot or item the
  platform knows, or carry a GS1 Company Prefix the recording organization declared external
  (`ExternalPrefix`); and the event may not predate the lot it names (its production date, less the lead time
  `XINREN_PLAUSIBLE_LEAD_DAYS` for harvesting, drying or curing before the date printed on the pack).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from xinren.catalog.models import Batch
from xinren.catalog.selectors import lot_existed_from
from xinren.core import clock, plausible
from xinren.core.errors import InvalidInput

from . import errors
from .epcis.validation import ParsedEvent, date_time_parse, is_number

SENSOR_TIME_FIELDS = ("time", "startTime", "endTime")
SENSOR_VALUE_FIELDS = ("value", "minValue", "maxValue", "meanValue", "percValue")


def events_check(*, events: Iterable[ParsedEvent]) -> None:
    """Refuse the first event with a time or a sensor value that cannot be (nothing about the platform's rows)."""
    now = clock.now()
    for parsed in events:
        plausible.time_check(parsed.event_time, details={"event": parsed.index, "field": "eventTime"}, now=now)
        declaration = parsed.document.get("errorDeclaration")
        if isinstance(declaration, dict):
            _time_field(declaration.get("declarationTime"), index=parsed.index,
                        field="errorDeclaration.declarationTime", now=now)
        for n, element in enumerate(parsed.document.get("sensorElementList") or []):
            _sensor_element_check(element, index=parsed.index, path=f"sensorElementList[{n}]", now=now)


def _time_field(value: Any, *, index: int, field: str, now: datetime) -> None:
    moment = date_time_parse(value)
    if moment is not None:
        plausible.time_check(moment, details={"event": index, "field": field}, now=now)


def _sensor_element_check(element: dict[str, Any], *, index: int, path: str, now: datetime) -> None:
    metadata = element.get("sensorMetadata") or {}
    for name in SENSOR_TIME_FIELDS:
        if name in metadata:
            _time_field(metadata[name], index=index, field=f"{path}.sensorMetadata.{name}", now=now)
    for m, report in enumerate(element.get("sensorReport") or []):
        report_path = f"{path}.sensorReport[{m}]"
        for name in SENSOR_TIME_FIELDS:
            if name in report:
                _time_field(report[name], index=index, field=f"{report_path}.{name}", now=now)
        quantity = report.get("type") if "type" in report else ""
        component = report.get("component", "")
        uom = report.get("uom", "")
        for name in SENSOR_VALUE_FIELDS:
            value = report.get(name)
            if not is_number(value):
                continue
            details = {"event": index, "field": f"{report_path}.{name}"}
            if component in ("latitude", "longitude"):
                plausible.value_check(quantity=component, uom=uom or "DD", value=value, details=details)
            if isinstance(quantity, str) and quantity and name != "percValue":
                plausible.value_check(quantity=quantity, uom=uom if isinstance(uom, str) else "", value=value,
                                      details=details)


def declared_external(*, gtin: str, prefixes: Iterable[str]) -> bool:
    """Whether a GTIN-14 carries one of the declared GS1 Company Prefixes (after its indicator digit)."""
    return any(gtin[1:].startswith(prefix) for prefix in prefixes)


def subject_unknown(*, parsed: ParsedEvent, field: str, uri: str, what: str) -> InvalidInput:
    """The refusal of an identifier the platform does not know (`what`: product, lot or item)."""
    messages = {
        "product": _("标识符中的商品（GTIN）未在平台登记；如属外部商品，请先声明其 GS1 厂商识别代码为外部标识"),
        "lot": _("标识符中的批次未在平台登记"),
        "item": _("标识符中的单品（序列号）未在平台登记"),
    }
    return InvalidInput(
        errors.IDENTIFIER_UNKNOWN, messages[what],
        details={"event": parsed.index, "field": field, "identifier": uri, "unknown": what},
    )  # fmt: skip


def existence_check(*, parsed: ParsedEvent, field: str, batch: Batch | None) -> None:
    """Refuse an event dated before the lot it names came to be."""
    if batch is not None:
        plausible.time_check(
            parsed.event_time, details={"event": parsed.index, "field": "eventTime", "subject": field},
            existed_from=lot_existed_from(batch),
        )  # fmt: skip

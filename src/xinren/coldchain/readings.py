"""Sensor readings as EPCIS 2.0 sensor elements: parsing, refusals, and the canonical bytes a batch digest covers.

A reading is one `sensorElementList` entry: `sensorMetadata` names the device (`deviceID`) and the `time`;
`sensorReport` holds a `Temperature` in `CEL` and/or a `RelativeHumidity` in `P1` (percent, UN/CEFACT Rec 20),
and optionally the position as reports with `component` `latitude` / `longitude` in `DD` (degrees). Nothing is
converted: a reading in another unit is refused with a message naming the unit expected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from xinren.core import plausible
from xinren.core.errors import InvalidInput

from . import errors

CANONICAL_FORMAT = "xinren.readings/1"
MAX_READINGS = 10_000
TEMPERATURE_LIMIT = 80  # °C either side of zero: no food cold chain reads beyond this; a sensor that does is broken
# Loggers are switched on while the goods are pre-cooled, so readings may start a little before departure.
BEFORE_DEPARTURE = timedelta(hours=24)

# The one unit each sensor report type must arrive in (UN/CEFACT Rec 20); nothing is converted.
READING_UNITS = {"Temperature": "CEL", "RelativeHumidity": "P1"}
_COMPONENTS = {"latitude": 90, "longitude": 180}
_ELEMENT_KEYS = frozenset({"sensorMetadata", "sensorReport"})
_METADATA_KEYS = frozenset({"time", "deviceID"})
_REPORT_KEYS = frozenset({"type", "value", "uom", "component"})
_DEVICE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]{1,120}$")
_MICRO = Decimal("0.000001")


class ParsedReading(NamedTuple):
    """One validated reading: temperature and humidity in integer tenths, time in UTC to the millisecond."""

    position: int
    device_id: str
    time: datetime
    temperature: int | None
    humidity: int | None
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.device_id, self.time)



def _fail(code: str, message: Any, index: int, field: Any, **details: Any) -> InvalidInput:
    return InvalidInput(code, message, details={"reading": index, "field": str(field), **details})


class _TimeField:
    """The field path of a reading's time, built only when an error names it (the happy path is hot)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __str__(self) -> str:
        return f"readings[{self.index}].sensorMetadata.time"


def _time(value: Any, index: int) -> datetime:
    field = _TimeField(index)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(
                errors.READING_TIME_INVALID,
                _("时间格式应为 ISO 8601，并带时区，如 2026-07-01T08:30:00+08:00"),
                index,
                field,
                value=value[:40],
            ) from None
    else:
        raise _fail(errors.READING_TIME_INVALID, _("缺少读数时间"), index, field)
    offset = moment.utcoffset()
    if offset is None:
        raise _fail(errors.READING_TIME_INVALID, _("读数时间须带时区"), index, field)
    if offset:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=UTC, microsecond=moment.microsecond // 1000 * 1000)


def _number(value: Any, index: int, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _fail(errors.READING_INVALID, _("读数必须是数字"), index, field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _fail(errors.READING_VALUE_IMPOSSIBLE, _("读数必须是有限的数字"), index, field)
    return number


def _report(report: Any, index: int, position: int, found: dict[str, Any]) -> None:
    if not isinstance(report, Mapping):
        path = f"readings[{index}].sensorReport[{position}]"
        raise _fail(errors.READING_INVALID, _("sensorReport 的每一项必须是对象"), index, path)
    if not _REPORT_KEYS.issuperset(report):
        path = f"readings[{index}].sensorReport[{position}]"
        unknown = ", ".join(sorted(set(report) - _REPORT_KEYS))
        raise _fail(errors.READING_INVALID, _("不支持的字段：%(names)s") % {"names": unknown}, index, path)
    kind = report.get("type")
    uom = report.get("uom")
    value = report.get("value")
    # The hot path: a temperature or humidity in its unit, a plain in-range number, not seen yet in this reading.
    if (
        kind in READING_UNITS
        and uom == READING_UNITS[kind]
        and kind not in found
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        tenths = _fast_tenths(value)
        if tenths is not None and (
            -10 * TEMPERATURE_LIMIT <= tenths <= 10 * TEMPERATURE_LIMIT
            if kind == "Temperature"
            else 0 <= tenths <= 1000
        ):
            found[kind] = tenths
            return
    path = f"readings[{index}].sensorReport[{position}]"
    component = report.get("component")
    if component is not None:
        if component not in _COMPONENTS:
            raise _fail(
                errors.READING_TYPE_UNKNOWN,
                _("只接受 latitude 和 longitude 两种位置分量"),
                index,
                f"{path}.component",
                value=str(component)[:40],
            )
        if report.get("uom", "DD") != "DD":
            raise _fail(
                errors.READING_UNIT_WRONG,
                _("经纬度的单位须为 DD（度），收到 %(uom)s") % {"uom": report.get("uom")},
                index,
                f"{path}.uom",
                expected="DD",
            )
        number = _number(report.get("value"), index, f"{path}.value")
        if not -_COMPONENTS[component] <= number <= _COMPONENTS[component]:
            raise _fail(
                errors.READING_VALUE_IMPOSSIBLE,
                _("坐标超出范围（纬度 -90～90，经度 -180～180）"),
                index,
                f"{path}.value",
                value=str(number),
            )
        found[component] = number.quantize(_MICRO, rounding=ROUND_HALF_EVEN)
        return
    kind = report.get("type")
    if isinstance(kind, str) and kind.startswith("gs1:"):
        kind = kind[4:]
    if kind not in READING_UNITS:
        raise _fail(
            errors.READING_TYPE_UNKNOWN,
            _("只接受 Temperature（温度）和 RelativeHumidity（相对湿度）读数"),
            index,
            f"{path}.type",
            value=str(kind)[:40],
        )
    expected = READING_UNITS[kind]
    uom = report.get("uom")
    if uom != expected:
        message = (
            _("温度单位须为 CEL（摄氏度），收到 %(uom)s；系统不做单位换算")
            if kind == "Temperature"
            else _("相对湿度单位须为 P1（百分比），收到 %(uom)s；系统不做单位换算")
        )
        raise _fail(
            errors.READING_UNIT_WRONG,
            message % {"uom": uom if uom is not None else "—"},
            index,
            f"{path}.uom",
            expected=expected,
            given=uom,
        )
    if kind in found:
        raise _fail(errors.READING_INVALID, _("同一条读数中有重复的 %(type)s") % {"type": kind}, index, path)
    number = _number(report.get("value"), index, f"{path}.value")
    if kind == "Temperature" and not -TEMPERATURE_LIMIT <= number <= TEMPERATURE_LIMIT:
        raise _fail(
            errors.READING_VALUE_IMPOSSIBLE,
            _("温度 %(value)s °C 不可能出现（应在 -80～80 °C 之间）") % {"value": number},
            index,
            f"{path}.value",
            value=str(number),
        )
    if kind == "RelativeHumidity" and not 0 <= number <= 100:
        raise _fail(
            errors.READING_VALUE_IMPOSSIBLE,
            _("相对湿度 %(value)s%% 不可能出现（应在 0～100%% 之间）") % {"value": number},
            index,
            f"{path}.value",
            value=str(number),
        )
    found[kind] = int(number.scaleb(1).to_integral_value(ROUND_HALF_EVEN))


def _fast_tenths(value: float) -> int | None:
    """Tenths of a JSON number, rounded half-even from its decimal text (as Decimal would), or None when it is
    not a plausible finite number (the full check then says why)."""
    if not -1e6 < value < 1e6:  # also false for NaN
        return None
    scaled = value * 10
    nearest = round(scaled)
    # Binary floats are exact enough unless the number sits on a half: then decide from its decimal text.
    if abs(abs(scaled - nearest) - 0.5) > 1e-6:
        return nearest
    return int(Decimal(repr(value)).scaleb(1).to_integral_value(ROUND_HALF_EVEN))


def _reading_fast(element: Any, index: int) -> ParsedReading | None:
    """The common reading (device, time, a temperature and/or a humidity in their units, in range), or None to
    let the full validation decide, and name the problem."""
    if type(element) is not dict or len(element) != 2:
        return None
    metadata, reports = element.get("sensorMetadata"), element.get("sensorReport")
    if type(metadata) is not dict or len(metadata) != 2 or type(reports) is not list or not reports:
        return None
    device, when = metadata.get("deviceID"), metadata.get("time")
    if type(device) is not str or type(when) is not str or not _DEVICE.match(device):
        return None
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    if offset:
        moment = moment.astimezone(UTC)
    moment = moment.replace(tzinfo=UTC, microsecond=moment.microsecond // 1000 * 1000)
    temperature = humidity = None
    for report in reports:
        if type(report) is not dict or len(report) != 3:
            return None
        kind, value, uom = report.get("type"), report.get("value"), report.get("uom")
        if type(value) is not float and type(value) is not int:
            return None
        if kind == "Temperature" and uom == "CEL" and temperature is None:
            temperature = _fast_tenths(value)
            if temperature is None or not -800 <= temperature <= 800:
                return None
        elif kind == "RelativeHumidity" and uom == "P1" and humidity is None:
            humidity = _fast_tenths(value)
            if humidity is None or not 0 <= humidity <= 1000:
                return None
        else:
            return None
    return ParsedReading(index, device, moment, temperature, humidity, None, None)


def reading_parse(element: Any, *, index: int) -> ParsedReading:
    """One sensor element, validated; raises InvalidInput naming the reading and field."""
    fast = _reading_fast(element, index)
    if fast is not None:
        return fast
    if not isinstance(element, Mapping):
        raise _fail(errors.READING_INVALID, _("每条读数必须是 EPCIS sensorElement 对象"), index, f"readings[{index}]")
    unknown = [] if _ELEMENT_KEYS.issuperset(element) else sorted(set(element) - _ELEMENT_KEYS)
    if unknown:
        raise _fail(
            errors.READING_INVALID,
            _("不支持的字段：%(names)s") % {"names": ", ".join(unknown)},
            index,
            f"readings[{index}]",
        )
    metadata = element.get("sensorMetadata")
    if not isinstance(metadata, Mapping):
        raise _fail(
            errors.READING_INVALID, _("缺少 sensorMetadata（设备与时间）"), index, f"readings[{index}].sensorMetadata"
        )
    unknown = [] if _METADATA_KEYS.issuperset(metadata) else sorted(set(metadata) - _METADATA_KEYS)
    if unknown:
        raise _fail(
            errors.READING_INVALID,
            _("不支持的字段：%(names)s") % {"names": ", ".join(unknown)},
            index,
            f"readings[{index}].sensorMetadata",
        )
    device = metadata.get("deviceID")
    if not isinstance(device, str) or not _DEVICE.match(device):
        raise _fail(
            errors.READING_INVALID,
            _("deviceID 须为设备的 URI（如 urn:epc:id:giai:…），不超过 128 字符"),
            index,
            f"readings[{index}].sensorMetadata.deviceID",
        )
    moment = _time(metadata.get("time"), index)
    reports = element.get("sensorReport")
    if not isinstance(reports, list) or not reports:
        raise _fail(errors.READING_INVALID, _("sensorReport 须为非空列表"), index, f"readings[{index}].sensorReport")
    found: dict[str, Any] = {}
    for position, report in enumerate(reports):
        _report(report, index, position, found)
    if "Temperature" not in found and "RelativeHumidity" not in found:
        raise _fail(
            errors.READING_INVALID, _("每条读数至少要有温度或相对湿度"), index, f"readings[{index}].sensorReport"
        )
    if ("latitude" in found) != ("longitude" in found):
        raise _fail(errors.READING_INVALID, _("纬度和经度须同时提供"), index, f"readings[{index}].sensorReport")
    return ParsedReading(
        position=index,
        device_id=device,
        time=moment,
        temperature=found.get("Temperature"),
        humidity=found.get("RelativeHumidity"),
        latitude=found.get("latitude"),
        longitude=found.get("longitude"),
    )


def readings_parse(readings: Sequence[Any], *, departed_at: datetime, now: datetime) -> list[ParsedReading]:
    """Every reading of a batch, validated, or InvalidInput for the first that is not acceptable."""
    if not isinstance(readings, Sequence) or isinstance(readings, str | bytes) or not readings:
        raise InvalidInput(errors.READINGS_EMPTY, _("请至少提交一条读数"), details={"field": "readings"})
    if len(readings) > MAX_READINGS:
        raise InvalidInput(
            errors.READINGS_TOO_MANY,
            _("一次最多提交 %(max)d 条读数，本次 %(count)d 条；请分批提交")
            % {"max": MAX_READINGS, "count": len(readings)},
            details={"field": "readings", "max": MAX_READINGS, "count": len(readings)},
        )
    earliest = max(departed_at - BEFORE_DEPARTURE, plausible.earliest())
    latest = now + plausible.clock_skew()
    parsed: list[ParsedReading] = []
    seen: dict[tuple[str, datetime], int] = {}
    for index, element in enumerate(readings):
        reading = reading_parse(element, index=index)
        field = f"readings[{index}].sensorMetadata.time"
        if reading.time > latest:
            raise _fail(
                errors.READING_TIME_INVALID, _("读数时间不能在未来"), index, field, time=reading.time.isoformat()
            )
        if reading.time < earliest:
            raise _fail(
                errors.READING_TIME_INVALID,
                _("读数时间早于本段运输出发前 24 小时，不属于这一段"),
                index,
                field,
                time=reading.time.isoformat(),
                departed_at=departed_at.isoformat(),
            )
        if reading.key in seen:
            raise _fail(
                errors.READING_DUPLICATE,
                _("同一设备在同一时间有两条读数（第 %(first)d 条和第 %(second)d 条）")
                % {"first": seen[reading.key] + 1, "second": index + 1},
                index,
                field,
                duplicate_of=seen[reading.key],
            )
        seen[reading.key] = index
        parsed.append(reading)
    return parsed


def _tenths(value: int | None) -> str:
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 10}.{abs(value) % 10}"


def _degrees(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).quantize(_MICRO)}"


def time_canonical(moment: datetime) -> str:
    """UTC, millisecond precision, `Z` suffix: 2026-07-01T00:30:00.000Z."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def readings_canonical_bytes(rows: Iterable[Any]) -> bytes:
    """The canonical bytes of a set of readings (docs/coldchain.md): one line per reading, sorted by device and
    time, tab-separated device, UTC time, °C and % with one decimal, latitude and longitude with six."""
    lines = sorted(
        (
            row.device_id,
            time_canonical(row.time),
            _tenths(row.temperature),
            _tenths(row.humidity),
            _degrees(row.latitude),
            _degrees(row.longitude),
        )
        for row in rows
    )
    return "".join("\t".join(line) + "\n" for line in lines).encode("utf-8")


def readings_digest(rows: Iterable[Any]) -> str:
    """SHA-256 (hex) of the canonical bytes."""
    return hashlib.sha256(readings_canonical_bytes(rows)).hexdigest()

"""GS1 identifiers: GTIN check digits (via biip) and Digital Link URIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from biip import ParseError
from biip.gtin import Gtin
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

# GS1 AI encodable character set 82, allowed in lot (AI 10) and serial (AI 21) values.
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def gtin_normalize(value: str) -> str:
    """The GTIN-14 form of `value`; refuses a wrong length, a non-digit or a wrong check digit."""
    value = value.strip()
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise InvalidInput(
            "gtin.format", _("GTIN 必须是 8、12、13 或 14 位数字"), details={"gtin": value}
        )
    try:
        gtin = Gtin.parse(value)
    except ParseError as exc:
        raise InvalidInput(
            "gtin.check_digit", _("GTIN 校验位错误"), details={"gtin": value, "reason": str(exc)}
        ) from exc
    return gtin.as_gtin_14()


def ai_value_validate(value: str, *, field: str) -> str:
    """A lot or serial number must be 1–20 characters of GS1's character set 82."""
    if not _CSET82.match(value):
        raise InvalidInput(
            f"{field}.format",
            _("只能使用 1–20 位字母、数字和 GS1 允许的符号"),
            details={field: value},
        )
    return value


@dataclass(frozen=True)
class DigitalLink:
    """The identifiers carried by a GS1 Digital Link path: a GTIN, optionally a lot, optionally a serial."""

    gtin: str
    lot: str | None = None
    serial: str | None = None

    @property
    def path(self) -> str:
        parts = [f"/01/{self.gtin}"]
        if self.lot is not None:
            parts.append(f"/10/{quote(self.lot, safe='')}")
        if self.serial is not None:
            parts.append(f"/21/{quote(self.serial, safe='')}")
        return "".join(parts)

    def uri(self, resolver: str) -> str:
        return f"{resolver.rstrip('/')}{self.path}"


_PATH = re.compile(r"^/01/(?P<gtin>\d{8,14})(?:/10/(?P<lot>[^/]+))?(?:/21/(?P<serial>[^/]+))?/?$")


def digital_link_parse(path: str) -> DigitalLink:
    """Parse the path of a Digital Link URI (`/01/<gtin>[/10/<lot>][/21/<serial>]`); refuses anything else."""
    match = _PATH.match(path)
    if match is None:
        raise InvalidInput("digital_link.format", _("不是有效的 GS1 数字链接"), details={"path": path})
    gtin = gtin_normalize(match["gtin"])
    lot = ai_value_validate(unquote(match["lot"]), field="lot") if match["lot"] else None
    serial = ai_value_validate(unquote(match["serial"]), field="serial") if match["serial"] else None
    return DigitalLink(gtin=gtin, lot=lot, serial=serial)

"""EPC identifiers: EPC URNs (SGTIN, LGTIN, SGTIN patterns), GS1 Digital Link URIs and paths, GLNs.

Trade-item identifiers become a GTIN-14 plus an optional lot and serial, so that events can be linked to the
platform's products, batches and items. Every other URI (SSCC, SGLN, GRAI, GIAI, any http(s) URI …) is kept as
written and is not linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from biip.checksums import gs1_standard_check_digit
from django.utils.translation import gettext_lazy as _

from xinren.catalog.gs1 import gtin_normalize
from xinren.core.errors import InvalidInput

from .. import errors

MAX_URI_LENGTH = 512

# RFC 3986 absolute URI: a scheme, then only characters a URI may hold (or %-escapes).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$")
# GS1 AI encodable character set 82, for lots and serials (AI 10, AI 21).
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
# The characters of an EPC URN's serial or lot part; `%` introduces an escape (EPC Tag Data Standard 6.x).
_URN_PART = r"(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})+"
_SGTIN = re.compile(rf"^urn:epc:id:sgtin:(?P<cp>\d+)\.(?P<ir>\d+)\.(?P<serial>{_URN_PART})$", re.IGNORECASE)
_LGTIN = re.compile(rf"^urn:epc:class:lgtin:(?P<cp>\d+)\.(?P<ir>\d+)\.(?P<lot>{_URN_PART})$", re.IGNORECASE)
_SGTIN_PATTERN = re.compile(r"^urn:epc:idpat:sgtin:(?P<cp>\d+)\.(?P<ir>\d+)\.\*$", re.IGNORECASE)
_EPC_SCHEME = re.compile(r"^urn:epc:(?:id|class|idpat):(?P<scheme>sgtin|lgtin):", re.IGNORECASE)
_SGLN = re.compile(r"^urn:epc:id:sgln:(?P<cp>\d+)\.(?P<lr>\d*)\.(?P<ext>[^.]+)$", re.IGNORECASE)
_WEB = re.compile(r"^https?://[^/?#]+(?P<path>/[^?#]*)(?:\?[^#]*)?(?:#.*)?$", re.IGNORECASE)
# A Digital Link path names a trade item when its primary key is AI 01; an optional path prefix may precede it.
_DL_GTIN = re.compile(
    r"^(?:/[^/]+)*?/01/(?P<gtin>\d{8,14})(?:/22/(?P<cpv>[^/]+))?(?:/10/(?P<lot>[^/]+))?(?:/21/(?P<serial>[^/]+))?/?$"
)
# Looks like a Digital Link with a GTIN but does not parse: refused rather than kept as an arbitrary URI.
_DL_GTIN_KEY = re.compile(r"^(?:/[^/]+)*?/01/\d")
_DL_GLN = re.compile(r"^(?:/[^/]+)*?/414/(?P<gln>\d{13})(?:/254/[^/]+)?/?$")


@dataclass(frozen=True)
class EpcIdentifier:
    """An identifier as written, and the trade item it names (GTIN-14, lot, serial) when it names one."""

    uri: str
    gtin: str = ""
    lot: str = ""
    serial: str = ""

    @property
    def names_trade_item(self) -> bool:
        return bool(self.gtin)

    @property
    def is_class_level(self) -> bool:
        """A product or a lot of it rather than one serialized unit."""
        return not self.serial


def uri_is_valid(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_URI_LENGTH and _URI.match(value) is not None


def _invalid(uri: str, reason: str) -> InvalidInput:
    return InvalidInput(errors.IDENTIFIER_INVALID, _("标识符格式不正确"), details={"identifier": uri, "reason": reason})


def _gtin_from_epc(uri: str, company_prefix: str, item_reference: str) -> str:
    if not 6 <= len(company_prefix) <= 12 or len(company_prefix) + len(item_reference) != 13:
        raise _invalid(uri, "company prefix and item reference must be 13 digits together")
    payload = item_reference[0] + company_prefix + item_reference[1:]
    return payload + str(gs1_standard_check_digit(payload))


def _ai_value(uri: str, raw: str, *, what: str) -> str:
    value = unquote(raw)
    if not _CSET82.match(value):
        raise _invalid(uri, f"{what} must be 1-20 characters of GS1 character set 82")
    return value


def _gtin(uri: str, digits: str) -> str:
    try:
        return gtin_normalize(digits)
    except InvalidInput as exc:
        code = errors.IDENTIFIER_CHECK_DIGIT if exc.code == "gtin.check_digit" else errors.IDENTIFIER_INVALID
        message = _("标识符中的 GTIN 校验位错误") if code == errors.IDENTIFIER_CHECK_DIGIT else _("标识符格式不正确")
        raise InvalidInput(code, message, details={"identifier": uri, "gtin": digits}) from exc


def digital_link_from_path(uri: str, path: str) -> EpcIdentifier | None:
    """The trade item a Digital Link path names, or None when its primary key is not a GTIN."""
    match = _DL_GTIN.match(path)
    if match is None:
        if _DL_GTIN_KEY.match(path):
            raise _invalid(uri, "not a valid GS1 Digital Link path")
        return None
    gtin = _gtin(uri, match["gtin"])
    lot = _ai_value(uri, match["lot"], what="lot") if match["lot"] else ""
    serial = _ai_value(uri, match["serial"], what="serial") if match["serial"] else ""
    return EpcIdentifier(uri=uri, gtin=gtin, lot=lot, serial=serial)


def identifier_parse(uri: str) -> EpcIdentifier:
    """Parse an EPC URN, a Digital Link URI on any host, or a Digital Link path (`/01/…`).

    Refuses a malformed URI, a malformed SGTIN/LGTIN and a GTIN with a wrong check digit.
    """
    if not isinstance(uri, str) or not uri:
        raise _invalid(str(uri), "empty")
    if uri.startswith("/"):
        identifier = digital_link_from_path(uri, uri)
        if identifier is None:
            raise _invalid(uri, "a path must be a GS1 Digital Link path /01/<gtin>[/10/<lot>][/21/<serial>]")
        return identifier
    if not uri_is_valid(uri):
        raise _invalid(uri, "not an absolute URI")
    if match := _SGTIN.match(uri):
        gtin = _gtin_from_epc(uri, match["cp"], match["ir"])
        return EpcIdentifier(uri=uri, gtin=gtin, serial=_ai_value(uri, match["serial"], what="serial"))
    if match := _LGTIN.match(uri):
        gtin = _gtin_from_epc(uri, match["cp"], match["ir"])
        return EpcIdentifier(uri=uri, gtin=gtin, lot=_ai_value(uri, match["lot"], what="lot"))
    if match := _SGTIN_PATTERN.match(uri):
        return EpcIdentifier(uri=uri, gtin=_gtin_from_epc(uri, match["cp"], match["ir"]))
    if _EPC_SCHEME.match(uri) and not uri.lower().startswith("urn:epc:idpat:"):
        raise _invalid(uri, "malformed SGTIN or LGTIN")
    if match := _WEB.match(uri):
        identifier = digital_link_from_path(uri, match["path"])
        if identifier is not None:
            return identifier
    return EpcIdentifier(uri=uri)


def gln_is_valid(value: str) -> bool:
    """A 13-digit GLN with a correct GS1 check digit."""
    return len(value) == 13 and value.isdigit() and gs1_standard_check_digit(value[:12]) == int(value[12])


def gln_from_location(uri: str) -> str:
    """The GLN a location URI names (`urn:epc:id:sgln:…` or a Digital Link `/414/<gln>`), or ""."""
    if match := _SGLN.match(uri):
        payload = match["cp"] + match["lr"]
        if len(payload) == 12:
            return payload + str(gs1_standard_check_digit(payload))
        return ""
    if match := _WEB.match(uri):
        path = match["path"]
    elif uri.startswith("/"):
        path = uri
    else:
        return ""
    if (found := _DL_GLN.match(path)) and gln_is_valid(found["gln"]):
        return found["gln"]
    return ""

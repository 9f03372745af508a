"""What a person types into the home page's box: whatever is printed under or read from a code (issue 12).

Accepted, after folding full-width characters （０１） to ASCII (NFKC) and dropping a scanner's symbology prefix
(`]d2`, `]Q3`, `]C1`, `]e0` …):

- a GS1 Digital Link URI of any host (`https://id.example.cn/01/…/10/…/21/…`, also under a path prefix), or its path;
- the human-readable text under a QR code, "(01) 06971234567890 (10) NH20261204 (21) 3AGNVUW6VS", with or without
  spaces;
- a GS1 element string with separators (GS, `<GS>`, `␝`, or spaces between elements, "01 069… 10 NH… 21 3A…");
- a GS1 element string without any separator ("010697123456789010NH20261204213AGNVUW6VS"): AI 01 is 14 digits,
  but a lot (AI 10) runs up to 20 characters and may itself contain "21", so the split is ambiguous. Every split is
  a candidate, and the lookup goes to the first one the platform knows;
- a bare GTIN (8, 12, 13 or 14 digits, spaces and dashes ignored).

Parsing the element strings is biip's (`GS1Message.parse_hri` / `parse`); checking GTINs, lots and serials is
`catalog.gs1.digital_link_parse`'s.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from biip import ParseError
from biip.gs1_messages import GS1Message

from xinren.catalog.gs1 import DigitalLink, digital_link_parse
from xinren.catalog.models import Batch, Item
from xinren.catalog.selectors import public_product_for_link
from xinren.core.errors import InvalidInput

# An AIM symbology identifier a scanner may put in front of what it read: "]d2" (GS1 DataMatrix), "]Q3" (GS1 QR),
# "]C1" (GS1-128), "]e0" (GS1 DataBar).
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS = "\x1d"
# What people and scanner software write for the FNC1 / group separator.
_SEPARATORS = re.compile(r"<GS>|\\x1[dD]|␝|\^|\{GS\}|\{FNC1\}", re.IGNORECASE)
# Fixed-length AIs that may come between 01 and 10/21 in an unseparated element string (dates, weights, counts).
_FIXED = {"11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6, "20": 2}
_ALL_DIGITS = re.compile(r"^\d+$")
LOT_MAX = SERIAL_MAX = 20


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.replace("【", "(").replace("】", ")")
    text = _SYMBOLOGY.sub("", text)
    return _SEPARATORS.sub(_GS, text).strip()


def _link(gtin: str, lot: str | None, serial: str | None) -> DigitalLink | None:
    """The Digital Link for these values when they are valid (check digit, GS1 character set), else None."""
    path = f"/01/{gtin}"
    if lot is not None:
        path += f"/10/{lot.replace('%', '%25').replace('/', '%2F')}"
    if serial is not None:
        path += f"/21/{serial.replace('%', '%25').replace('/', '%2F')}"
    try:
        return digital_link_parse(path)
    except InvalidInput:
        return None


def _from_message(message: GS1Message) -> DigitalLink | None:
    values: dict[str, str] = {}
    for element in message.element_strings:
        values.setdefault(element.ai.ai, element.value)
    if "01" not in values:
        return None
    return _link(values["01"], values.get("10"), values.get("21"))


def _from_path(path: str) -> list[DigitalLink]:
    """A Digital Link path, possibly under a host's own prefix ("/dl/01/…") and with a trailing slash."""
    start = path.find("/01/")
    if start < 0:
        return []
    path = path[start:].rstrip("/")
    try:
        return [digital_link_parse(path)]
    except InvalidInput:
        return []


def _unseparated(text: str) -> list[DigitalLink]:
    """Every reading of an element string without separators, the likeliest first (see the module's docstring)."""
    if not (text.startswith("01") and len(text) >= 16 and text[2:16].isdigit()):
        return []
    gtin, rest = text[2:16], text[16:]
    while rest[:2] in _FIXED and len(rest) >= 2 + _FIXED[rest[:2]] and rest[2 : 2 + _FIXED[rest[:2]]].isdigit():
        rest = rest[2 + _FIXED[rest[:2]] :]
    readings: list[tuple[str | None, str | None]] = []
    if not rest:
        readings.append((None, None))
    elif rest[:2] in ("10", "21"):
        first, other = rest[:2], "21" if rest[:2] == "10" else "10"
        body = rest[2:]
        # A split at each occurrence of the other AI, in order of position; then the whole as one value.
        for at in range(1, len(body) - 2):
            if body[at : at + 2] == other and at <= LOT_MAX and len(body) - at - 2 <= SERIAL_MAX:
                value, second = body[:at], body[at + 2 :]
                readings.append((value, second) if first == "10" else (second, value))
        if len(body) <= LOT_MAX:
            readings.append((body, None) if first == "10" else (None, body))
    links = [_link(gtin, lot, serial) for lot, serial in readings]
    return [link for link in links if link is not None]


def lookup_candidates(text: str) -> list[DigitalLink]:
    """The Digital Links `text` may mean, the likeliest first; empty when it means none."""
    text = _normalize(text)
    if not text:
        return []
    if "://" in text:
        return _from_path(urlsplit(text).path)  # still percent-encoded: a lot's "%2F" stays in its segment
    if "/" in text and not text.startswith("("):  # a path, or a URL without its scheme ("id.example.cn/01/…")
        return _from_path(re.split(r"[?#]", text, maxsplit=1)[0])
    digits = re.sub(r"[\s\-]", "", text)
    if _ALL_DIGITS.match(digits) and len(digits) in (8, 12, 13, 14):
        link = _link(digits, None, None)
        return [link] if link else []
    if "(" in text:
        try:
            link = _from_message(GS1Message.parse_hri(re.sub(r"\s+", "", text)))
        except ParseError:
            return []
        return [link] if link else []
    tokens = re.split(r"[\s" + _GS + r"]+", text)
    if len(tokens) > 1:
        # Spaces or separators between elements; a lone AI token ("01", "10", "21") belongs to the value after it.
        elements: list[str] = []
        pending = ""
        for token in tokens:
            if not pending and token in ("01", "10", "21", *_FIXED):
                pending = token
                continue
            elements.append(pending + token)
            pending = ""
        try:
            link = _from_message(GS1Message.parse(_GS.join(elements)))
        except ParseError:
            link = None
        if link is not None:
            return [link]
        return _unseparated("".join(elements))
    return _unseparated(text)


def story_exists(*, link: DigitalLink) -> bool:
    """Whether the platform has a public page for the link (a published product, and its lot or item if named)."""
    product = public_product_for_link(link=link)
    if product is None:
        return False
    if link.serial is not None:
        items = Item.objects.filter(product=product, serial=link.serial)
        return items.filter(batch__lot=link.lot).exists() if link.lot is not None else items.exists()
    if link.lot is not None:
        return Batch.objects.filter(product=product, lot=link.lot).exists()
    return True

"""Badge artwork: an uploaded SVG is an XSS vector, so only a small drawing vocabulary is accepted.

The file is parsed (no DTD, no entities, no processing instructions), every element and attribute is
checked against an allow-list, and the tree is serialised again, so what is stored and shown is our own
serialisation of an accepted drawing, never the uploaded bytes. Anything outside the list is refused with
the element or attribute named, rather than silently dropped: the alliance should see why its artwork
changed. Pages show badges as `<img src="data:image/svg+xml;base64,…">`, where scripts never run anyway.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers.expat import ExpatError

from django.utils.translation import gettext_lazy as _

from xinren.core.errors import InvalidInput

from . import errors

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_BYTES = 64 * 1024

ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "circle",
        "ellipse",
        "rect",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "use",
    }
)
TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan"})
ATTRIBUTES = frozenset(
    {
        "id",
        "viewBox",
        "width",
        "height",
        "version",
        "preserveAspectRatio",
        "role",
        "aria-label",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "d",
        "points",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-miterlimit",
        "opacity",
        "clip-path",
        "clip-rule",
        "clipPathUnits",
        "font-size",
        "font-family",
        "font-weight",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "style",
    }
)
# `href` may only point inside the drawing (`#id`), and `url(…)` only at a local gradient or clip path.
_LOCAL_URL = re.compile(r"url\(\s*#[A-Za-z][\w.-]*\s*\)")
_ANY_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_STYLE_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*([^;]*)$")
_FORBIDDEN_MARKUP = re.compile(rb"<!(DOCTYPE|ENTITY|\[CDATA\[)|<\?(?!xml[\s?])", re.IGNORECASE)


def _refuse(reason: str, **details: str) -> InvalidInput:
    return InvalidInput(
        errors.BADGE_SVG_INVALID,
        _("徽章 SVG 不安全或无法识别：%(reason)s") % {"reason": reason},
        details={"field": "badge_svg", "reason": reason, **details},
    )


def _local_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _check_value(name: str, value: str) -> None:
    lowered = value.lower()
    if "javascript:" in lowered or "expression(" in lowered or "@import" in lowered or "\\" in value:
        raise _refuse("forbidden value", attribute=name)
    if _ANY_URL.search(value) and len(_ANY_URL.findall(value)) != len(_LOCAL_URL.findall(value)):
        raise _refuse("external url()", attribute=name)


def _check_style(value: str) -> None:
    for declaration in filter(None, (part.strip() for part in value.split(";"))):
        match = _STYLE_DECLARATION.match(declaration)
        if match is None or match.group(1) not in ATTRIBUTES or match.group(1) == "style":
            raise _refuse("style property", attribute="style", value=declaration[:64])
        _check_value("style", match.group(2))


def _check_attribute(element: str, key: str, value: str) -> None:
    namespace, name = _local_name(key)
    if name.lower().startswith("on"):
        raise _refuse("event handler attribute", element=element, attribute=name)
    if name == "href" and namespace in ("", XLINK_NS):
        if not re.fullmatch(r"#[A-Za-z][\w.-]*", value.strip()):
            raise _refuse("external href", element=element, attribute=name)
        return
    if namespace == XML_NS and name in ("lang", "space"):
        return
    if namespace or name not in ATTRIBUTES:
        raise _refuse("attribute not allowed", element=element, attribute=name)
    if name == "style":
        _check_style(value)
    else:
        _check_value(name, value)


def _check_element(node: ET.Element) -> None:
    namespace, name = _local_name(node.tag)
    if namespace != SVG_NS or name not in ELEMENTS:
        raise _refuse("element not allowed", element=name)
    if name not in TEXT_ELEMENTS and node.text and node.text.strip():
        raise _refuse("text outside a text element", element=name)
    for key, value in node.attrib.items():
        _check_attribute(name, key, value)
    for child in node:
        if child.tail and child.tail.strip() and name not in TEXT_ELEMENTS:
            raise _refuse("text outside a text element", element=name)
        _check_element(child)


def svg_sanitize(data: bytes | str) -> str:
    """The accepted drawing, re-serialised; InvalidInput naming the first problem otherwise."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise _refuse("larger than 64 KiB")
    if _FORBIDDEN_MARKUP.search(raw):
        raise _refuse("DTD, entity, CDATA or processing instruction")
    try:
        raw.decode("utf-8")
        root = ET.fromstring(raw, parser=ET.XMLParser(encoding="utf-8"))
    except (ET.ParseError, ExpatError, UnicodeDecodeError, ValueError):
        raise _refuse("not well-formed UTF-8 XML") from None
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _refuse("the root element must be <svg> in the SVG namespace")
    _check_element(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise _refuse("larger than 64 KiB")
    return text

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
# A badge is a flat drawing; the checks and the serialiser below recurse once per level, so the parse stops as
# soon as the drawing nests deeper than this or holds more elements than a badge ever needs (defusedxml-like limits).
MAX_DEPTH = 32
MAX_ELEMENTS = 4096

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


class _BoundedTreeBuilder(ET.TreeBuilder):
    """Builds the tree as ElementTree does, stopping the parse at the first element past the bounds."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_DEPTH:
            raise _refuse("nested too deeply", limit=str(MAX_DEPTH))
        if self.elements > MAX_ELEMENTS:
            raise _refuse("too many elements", limit=str(MAX_ELEMENTS))
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def _parse_bounded(raw: bytes) -> ET.Element:
    """The parsed drawing; refused during the parse once it nests deeper than MAX_DEPTH or exceeds MAX_ELEMENTS."""
    try:
        raw.decode("utf-8")
        parser = ET.XMLParser(target=_BoundedTreeBuilder(), encoding="utf-8")
        parser.feed(raw)
        root: ET.Element = parser.close()
    except (ET.ParseError, ExpatError, UnicodeDecodeError, ValueError):
        raise _refuse("not well-formed UTF-8 XML") from None
    return root


def svg_sanitize(data: bytes | str) -> str:
    """The accepted drawing, re-serialised; InvalidInput naming the first problem otherwise."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise _refuse("larger than 64 KiB")
    if _FORBIDDEN_MARKUP.search(raw):
        raise _refuse("DTD, entity, CDATA or processing instruction")
    root = _parse_bounded(raw)
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _refuse("the root element must be <svg> in the SVG namespace")
    _check_element(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise _refuse("larger than 64 KiB")
    return text

"""Badge SVG: only a drawing vocabulary is accepted; scripts, handlers, external links and DTDs are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinren.core.errors import InvalidInput
from xinren.trust.svg import svg_sanitize

BADGES = Path(__file__).resolve().parents[2] / "src" / "xinren" / "trust" / "badges"
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'


@pytest.mark.parametrize("name", ["kunming-dongba.svg", "puer-yi.svg"])
def test_the_demo_badges_pass_and_reserialise_stably(name):
    text = svg_sanitize((BADGES / name).read_bytes())
    assert text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg_sanitize(text) == text


def test_local_gradients_hrefs_and_styles_are_kept():
    svg = (
        OPEN + '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        '<rect width="10" height="10" fill="url(#g)" style="stroke: #000; stroke-width: 1"/>'
        '<use xlink:href="#g"/><text x="1" y="9">昆明 &lt;溯源&gt;</text></svg>'
    )
    text = svg_sanitize(svg)
    assert 'fill="url(#g)"' in text and 'xlink:href="#g"' in text and "昆明 &lt;溯源&gt;" in text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<script>alert(1)</script>", "element not allowed"),
        ('<rect width="1" height="1" onload="alert(1)"/>', "event handler attribute"),
        ('<rect width="1" height="1" ONCLICK="alert(1)"/>', "event handler attribute"),
        ('<use xlink:href="https://evil.example/x.svg#a"/>', "external href"),
        ('<use href="javascript:alert(1)"/>', "external href"),
        ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "element not allowed"),
        ('<rect width="1" height="1" fill="url(https://evil.example/t.png)"/>', "external url()"),
        ('<rect width="1" height="1" style="fill:url(//evil.example/a)"/>', "external url()"),
        ('<rect width="1" height="1" style="behavior:url(x.htc)"/>', "style property"),
        ("<style>rect{fill:red}</style>", "element not allowed"),
        ('<image href="#a"/>', "element not allowed"),
        ('<a href="#x"><rect width="1" height="1"/></a>', "element not allowed"),
        ('<rect width="1" height="1" class="x"/>', "attribute not allowed"),
        ("hello", "text outside a text element"),
    ],
)
def test_dangerous_markup_is_refused_with_its_reason(body, reason):
    with pytest.raises(InvalidInput) as caught:
        svg_sanitize(OPEN + body + "</svg>")
    assert caught.value.code == "programme.badge_svg_invalid"
    assert caught.value.details["reason"] == reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>' + OPEN + "<text>&x;</text></svg>",
            "DTD, entity, CDATA or processing instruction",
        ),
        (OPEN + '<?xml-stylesheet href="evil.css"?></svg>', "DTD, entity, CDATA or processing instruction"),
        ("<svg><rect/>", "not well-formed UTF-8 XML"),
        ("<html xmlns='http://www.w3.org/1999/xhtml'/>", "the root element must be <svg> in the SVG namespace"),
        ("<svg/>", "the root element must be <svg> in the SVG namespace"),
        (OPEN + "<desc>" + "长" * 30000 + "</desc></svg>", "larger than 64 KiB"),
    ],
)
def test_unparseable_or_oversized_files_are_refused(data, reason):
    with pytest.raises(InvalidInput) as caught:
        svg_sanitize(data)
    assert caught.value.details["reason"] == reason


def test_an_xml_declaration_is_accepted():
    assert svg_sanitize('<?xml version="1.0" encoding="UTF-8"?>' + OPEN + "</svg>").startswith("<svg")

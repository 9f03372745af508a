"""QR label sheets: what each symbol encodes, its printed size, the text under it and the page count."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
import zlib

import pytest
import segno

from xinren.catalog.labels import label_sheet_pdf, label_sheet_svg
from xinren.catalog.models import Batch, Item
from xinren.core.errors import InvalidInput

from ..factories import BatchFactory, ItemFactory, ProductFactory

RESOLVER = "https://xinren.example.cn"
SVG = "{http://www.w3.org/2000/svg}"
QUIET = 4
MM_PER_PT = 25.4 / 72


def _expected_modules(uri: str) -> tuple[int, set[tuple[int, int]]]:
    """Side (quiet zone included) and dark modules of the symbol segno makes for `uri` at level M."""
    qr = segno.make_qr(uri, error="m", boost_error=False)
    dark = {(x + QUIET, y + QUIET) for y, row in enumerate(qr.matrix) for x, bit in enumerate(row) if bit}
    return len(qr.matrix) + 2 * QUIET, dark


def _cells(runs: list[tuple[float, float, float]]) -> set[tuple[int, int]]:
    return {(int(x) + i, int(y)) for x, y, length in runs for i in range(int(length))}


@pytest.fixture
def big_batch(db) -> Batch:
    product = ProductFactory(name="野生牛肝菌 <特级> & 鲜")
    batch = BatchFactory(product=product, lot="L2026/07", quantity=100)
    ItemFactory.create_batch(100, batch=batch)
    return batch


def _items(batch: Batch) -> list[Item]:
    return list(batch.items.select_related("product", "batch").order_by("id"))


def test_svg_symbols_encode_each_items_digital_link(big_batch):
    # when
    root = ET.fromstring(label_sheet_svg(batch=big_batch, resolver=RESOLVER))
    # then
    symbols = root.findall(f".//{SVG}g[@class='qr']")
    items = _items(big_batch)
    assert len(symbols) == 100
    for symbol, item in zip(symbols, items, strict=True):
        uri = item.digital_link.uri(RESOLVER)
        assert uri == f"{RESOLVER}/01/{item.product.gtin}/10/L2026%2F07/21/{item.serial}"
        assert symbol.get("data-uri") == uri
        side, dark = _expected_modules(uri)
        quiet_zone = symbol.find(f"{SVG}rect")
        assert quiet_zone is not None
        assert (quiet_zone.get("width"), quiet_zone.get("height")) == (str(side), str(side))
        path = symbol.find(f"{SVG}path")
        assert path is not None
        found = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d", ""))
        runs = [(float(x), float(y), float(n)) for x, y, n in found]
        assert _cells(runs) == dark


def test_svg_symbols_print_at_least_20_mm_with_quiet_zone(big_batch):
    # when
    root = ET.fromstring(label_sheet_svg(batch=big_batch, resolver=RESOLVER))
    # then the drawing is in millimetres: 210 mm wide, one 297 mm page per 24 labels
    assert root.get("width") == "210mm"
    assert root.get("viewBox") == "0 0 210 1485"
    for symbol in root.findall(f".//{SVG}g[@class='qr']"):
        match = re.fullmatch(r"translate\(([\d.]+) ([\d.]+)\) scale\(([\d.]+)\)", symbol.get("transform", ""))
        assert match is not None
        module_mm = float(match[3])
        side = int(symbol.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr]
        assert side * module_mm == pytest.approx(28.0, abs=0.01)
        assert side * module_mm >= 20


def test_svg_has_one_page_group_per_24_labels(big_batch):
    # when
    root = ET.fromstring(label_sheet_svg(batch=big_batch, resolver=RESOLVER))
    # then
    pages = root.findall(f"{SVG}g[@class='page']")
    assert root.get("data-pages") == "5"
    assert [page.get("transform") for page in pages] == [f"translate(0 {297 * n})" for n in range(5)]
    assert [len(page.findall(f"{SVG}g[@class='label']")) for page in pages] == [24, 24, 24, 24, 4]
    for page in pages:
        for label in page.findall(f"{SVG}g[@class='label']"):
            x, y = map(float, re.findall(r"[\d.]+", label.get("transform", "")))
            assert x >= 10 and x + 47.5 <= 200.01
            assert y >= 10 and y + 46.17 <= 287.01


def test_svg_prints_gtin_lot_serial_and_escaped_name_under_each_code(big_batch):
    # when
    svg = label_sheet_svg(batch=big_batch, resolver=RESOLVER)
    root = ET.fromstring(svg)
    # then
    item = _items(big_batch)[0]
    first = root.find(f".//{SVG}g[@class='label']")
    assert first is not None
    texts = [t.text for t in first.findall(f"{SVG}text")]
    assert texts == [f"(01) {item.product.gtin}", "(10) L2026/07", f"(21) {item.serial}", "野生牛肝菌 <特级> & 鲜"]
    assert "野生牛肝菌 &lt;特级&gt; &amp; 鲜" in svg


def _pdf_streams(pdf: bytes) -> list[str]:
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        streams.append(zlib.decompress(base64.a85decode(match[1].strip(), adobe=True)).decode("latin-1"))
    return [s for s in streams if " cm" in s]


_PDF_SYMBOL = re.compile(
    r"q\n([\d.]+) 0 0 -([\d.]+) [\d.]+ [\d.]+ cm\n1 1 1 rg\nn 0 0 (\d+) (\d+) re f\*\n0 0 0 rg\nn (.*?)\nf\*\nQ", re.S
)


def test_pdf_has_one_page_per_24_labels(big_batch):
    # when
    pdf = label_sheet_pdf(batch=big_batch, resolver=RESOLVER)
    # then
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\n", pdf)) == 5
    assert b"/Count 5 " in pdf
    assert [len(_PDF_SYMBOL.findall(page)) for page in _pdf_streams(pdf)] == [24, 24, 24, 24, 4]


def test_pdf_symbols_encode_each_item_at_least_20_mm_wide(big_batch):
    # when
    pdf = label_sheet_pdf(batch=big_batch, resolver=RESOLVER)
    # then
    symbols = [symbol for page in _pdf_streams(pdf) for symbol in _PDF_SYMBOL.findall(page)]
    for (scale_x, scale_y, width, height, rects), item in zip(symbols, _items(big_batch), strict=True):
        side, dark = _expected_modules(item.digital_link.uri(RESOLVER))
        assert (int(width), int(height)) == (side, side)
        assert scale_x == scale_y
        size_mm = float(scale_x) * side * MM_PER_PT
        assert size_mm == pytest.approx(28.0, abs=0.01)
        assert size_mm >= 20
        runs = [(float(x), float(y), float(n)) for x, y, n, _ in re.findall(r"(\d+) (\d+) (\d+) (1) re", rects)]
        assert _cells(runs) == dark


def _pdf_unescape(literal: str) -> bytes:
    """The bytes of a PDF literal string (octal and backslash escapes resolved)."""
    out = bytearray()
    i = 0
    while i < len(literal):
        if literal[i] != "\\":
            out += literal[i].encode("latin-1")
            i += 1
            continue
        octal = re.match(r"[0-7]{1,3}", literal[i + 1 :])
        if octal:
            out.append(int(octal[0], 8))
            i += 1 + len(octal[0])
        else:
            out += {"n": b"\n", "r": b"\r", "t": b"\t"}.get(literal[i + 1], literal[i + 1].encode("latin-1"))
            i += 2
    return bytes(out)


def _pdf_texts(content: str) -> list[bytes]:
    return [_pdf_unescape(s) for s in re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", content, re.S)]


def test_pdf_prints_gtin_lot_serial_and_name(big_batch):
    # when
    content = "".join(_pdf_streams(label_sheet_pdf(batch=big_batch, resolver=RESOLVER)))
    # then
    texts = _pdf_texts(content)
    latin = [t.decode("latin-1") for t in texts]
    # the CJK font (STSong-Light, UniGB-UCS2-H) writes UTF-16BE
    cjk = [t.decode("utf-16-be", errors="replace") for t in texts if len(t) % 2 == 0]
    items = _items(big_batch)
    assert latin.count(f"(01) {items[0].product.gtin}") == 100
    assert latin.count("(10) L2026/07") == 100
    assert sorted(t for t in latin if t.startswith("(21) ")) == sorted(f"(21) {item.serial}" for item in items)
    assert cjk.count("野生牛肝菌 <特级> & 鲜") == 100


def test_labels_need_items(db):
    # given
    batch = BatchFactory()
    # when / then
    with pytest.raises(InvalidInput) as exc:
        label_sheet_pdf(batch=batch, resolver=RESOLVER)
    assert exc.value.code == "labels.no_items"

"""Drawing QR label sheets: every symbol decodes (with a real decoder, from the rendered page) to its item's Digital
Link on the given origin, prints at least 20 mm, the text under it, page ranges, and the embedded Chinese font."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pypdf
import pypdfium2
import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from xinren.catalog.label_font import font_subset_truetype
from xinren.catalog.labels import label_qr, label_sheet_pdf, label_sheet_svg, sheet_plan
from xinren.catalog.models import Batch
from xinren.core.errors import InvalidInput

from ..factories import BatchFactory, ItemFactory, ProductFactory

ORIGIN = "https://xinren.example.cn"
SVG = "{http://www.w3.org/2000/svg}"
MM_PER_PT = 25.4 / 72


@pytest.fixture
def lot(db) -> Batch:
    """30 items: a full page of 24 labels and a second page of 6."""
    product = ProductFactory(name="野生牛肝菌 <特级> & 鲜", gtin="06901234567892")
    batch = BatchFactory(product=product, lot="L2026/07", quantity=30)
    ItemFactory.create_batch(30, batch=batch)
    return batch


def _uris(batch: Batch) -> list[str]:
    return [item.digital_link.uri(ORIGIN) for item in batch.items.select_related("product", "batch").order_by("id")]


def _decoded(image: Image.Image) -> list[str]:
    """The QR codes a real decoder finds in `image`, top to bottom then left to right."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    cells = sorted(found, key=lambda b: (round(b.position.top_left.y / 50), b.position.top_left.x))
    return [barcode.text for barcode in cells]


def _pdf_pages(pdf: bytes, *, scale: float = 2.0) -> list[Image.Image]:
    """Each page rendered by PDFium (Chrome's PDF engine) at `scale` × 72 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].render(scale=scale).to_pil().convert("L") for i in range(len(document))]


def _pdf_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def test_every_pdf_symbol_decodes_to_its_items_digital_link(lot):
    # when
    pdf = label_sheet_pdf(plan=sheet_plan(batch=lot), resolver=ORIGIN)
    # then a decoder reading the rendered pages finds every item's link, in order, and nothing else
    pages = _pdf_pages(pdf)
    assert len(pages) == 2
    decoded = [uri for page in pages for uri in _decoded(page)]
    uris = _uris(lot)
    assert decoded == uris
    assert uris[0] == f"{ORIGIN}/01/06901234567892/10/L2026%2F07/21/{lot.items.order_by('id')[0].serial}"


def test_every_svg_symbol_decodes_to_its_items_digital_link(lot):
    # given the SVG's symbols drawn as pixels, 4 per module, straight from their paths
    root = ET.fromstring(label_sheet_svg(plan=sheet_plan(batch=lot), resolver=ORIGIN))
    decoded = []
    for symbol in root.findall(f".//{SVG}g[@class='qr']"):
        side = int(symbol.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr]
        image = Image.new("L", (side * 4, side * 4), 255)
        draw = ImageDraw.Draw(image)
        for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", symbol.find(f"{SVG}path").get("d", "")):  # type: ignore[union-attr]
            draw.rectangle((int(x) * 4, int(y) * 4, (int(x) + int(n)) * 4 - 1, int(y) * 4 + 3), fill=0)
        # when
        decoded.extend(_decoded(image))
        assert symbol.get("data-uri") == decoded[-1]
    # then
    assert decoded == _uris(lot)


def test_symbols_are_full_qr_codes_at_level_m_and_28_mm_with_the_quiet_zone(lot):
    # given
    uris = _uris(lot)
    # when
    read = zxingcpp.read_barcode(_pdf_pages(label_sheet_pdf(plan=sheet_plan(batch=lot), resolver=ORIGIN))[0])
    svg = ET.fromstring(label_sheet_svg(plan=sheet_plan(batch=lot), resolver=ORIGIN))
    # then
    assert read is not None
    assert (read.format, read.ec_level) == (zxingcpp.BarcodeFormat.QRCode, "M")
    assert read.text in uris[:24]
    assert label_qr(uris[0]).modules == 33 + 8  # version 4 and four modules of quiet zone each side
    for symbol in svg.findall(f".//{SVG}g[@class='qr']"):
        match = re.fullmatch(r"translate\(([\d.]+) ([\d.]+)\) scale\(([\d.]+)\)", symbol.get("transform", ""))
        assert match is not None
        side = int(symbol.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr]
        assert side * float(match[3]) == pytest.approx(28.0, abs=0.01)


def test_the_pdf_prints_the_header_and_gtin_lot_serial_and_name_under_each_code(lot):
    # when
    texts = _pdf_texts(label_sheet_pdf(plan=sheet_plan(batch=lot), resolver=ORIGIN))
    # then
    assert texts[0].startswith("野生牛肝菌 <特级> & 鲜 · GTIN 06901234567892 · 批号 L2026/07 · 第 1/2 页")
    assert texts[1].startswith("野生牛肝菌 <特级> & 鲜 · GTIN 06901234567892 · 批号 L2026/07 · 第 2/2 页")
    serials = [item.serial for item in lot.items.order_by("id")]
    assert [texts[0].count(f"(21) {serial}") for serial in serials[:24]] == [1] * 24
    assert [texts[1].count(f"(21) {serial}") for serial in serials[24:]] == [1] * 6
    assert texts[1].count("(01) 06901234567892") == 6
    assert texts[1].count("(10) L2026/07") == 6
    assert texts[1].count("野生牛肝菌 <特级> & 鲜") == 6 + 1  # the labels and the header


def test_a_sheet_after_another_products_sheet_has_all_of_its_own_characters(lot):
    # given: a sheet of another product drawn first in this process (its font subset registered)
    other = BatchFactory(product=ProductFactory(name="鲜花饼 礼盒"), lot="F2026")
    ItemFactory(batch=other)
    label_sheet_pdf(plan=sheet_plan(batch=other), resolver=ORIGIN)
    # when
    texts = _pdf_texts(label_sheet_pdf(plan=sheet_plan(batch=lot), resolver=ORIGIN))
    # then its own name and header are set in a font that has them
    assert texts[0].startswith("野生牛肝菌 <特级> & 鲜 · GTIN 06901234567892 · 批号 L2026/07 · 第 1/2 页")


def test_every_font_of_the_pdf_is_embedded_or_one_of_the_standard_14(lot):
    # when
    reader = pypdf.PdfReader(io.BytesIO(label_sheet_pdf(plan=sheet_plan(batch=lot), resolver=ORIGIN)))
    # then
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"]
        fonts.update({str(f["/BaseFont"]): f for f in (v.get_object() for v in resources["/Font"].values())})
        for xobject in resources["/XObject"].values():
            fonts.update({str(f["/BaseFont"]): f for f in
                          (v.get_object() for v in xobject.get_object()["/Resources"]["/Font"].values())})
    embedded = {name for name, font in fonts.items()
                if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"]}
    assert set(fonts) - embedded == {"/Helvetica"}
    assert [re.sub(r"^/[A-Z]{6}\+", "", name)[:11] for name in embedded] == ["NotoSansSC-"]


def test_the_embedded_font_has_a_glyph_for_every_character_of_the_header():
    # given
    header = "野生牛肝菌 <特级> & 鲜 · GTIN 06901234567892 · 批号 L2026/07 · 第 1/209 页"
    # when
    font = TTFont(io.BytesIO(font_subset_truetype(frozenset(header))))
    # then no character falls back to .notdef (the empty box)
    cmap = font.getBestCmap()
    assert {ch for ch in header if ord(ch) not in cmap} == set()
    assert "glyf" in font and "CFF " not in font
    assert font["glyf"][cmap[ord("·")]].numberOfContours > 0


def test_a_page_range_prints_those_pages_with_the_whole_sheets_numbers(lot):
    # when
    pdf = label_sheet_pdf(plan=sheet_plan(batch=lot, first_page=2, last_page=2), resolver=ORIGIN)
    svg = ET.fromstring(label_sheet_svg(plan=sheet_plan(batch=lot, first_page=2, last_page=2), resolver=ORIGIN))
    # then
    pages = _pdf_pages(pdf)
    assert len(pages) == 1
    assert _decoded(pages[0]) == _uris(lot)[24:]
    assert "第 2/2 页" in _pdf_texts(pdf)[0]
    assert svg.get("data-pages") == "1"
    assert [g.get("id") for g in svg.findall(f"{SVG}g[@class='page']")] == ["page-2"]
    assert [g.get("data-uri") for g in svg.findall(f".//{SVG}g[@class='qr']")] == _uris(lot)[24:]


@pytest.mark.parametrize(("first", "last"), [(0, 1), (2, 1), (1, 3), (3, None)])
def test_a_range_outside_the_sheet_is_refused(lot, first, last):
    # when / then
    with pytest.raises(InvalidInput) as exc:
        sheet_plan(batch=lot, first_page=first, last_page=last)
    assert exc.value.code == "labels.pages_invalid"
    assert exc.value.details["pages"] == 2


def test_labels_need_items(db):
    # given
    batch = BatchFactory()
    # when / then
    with pytest.raises(InvalidInput) as exc:
        sheet_plan(batch=batch)
    assert exc.value.code == "labels.no_items"
    assert str(exc.value.message) == "该批次还没有生成单品，无法打印标签"


def test_items_minted_after_the_count_are_not_on_the_sheet(lot):
    # given a sheet planned for the first 30 items, then more items
    plan = sheet_plan(batch=lot)
    uris = _uris(lot)
    ItemFactory.create_batch(5, batch=lot)
    # when
    root = ET.fromstring(label_sheet_svg(plan=plan, resolver=ORIGIN))
    # then
    assert [g.get("data-uri") for g in root.findall(f".//{SVG}g[@class='qr']")] == uris

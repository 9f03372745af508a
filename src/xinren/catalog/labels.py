"""Printable A4 sheets of GS1 Digital Link QR labels for the items of a batch.

Every label is a QR code of the item's Digital Link URI (error correction M) printed 28 mm square
including its 4-module quiet zone (docs/architecture.md asks for at least 20 mm), with the human-readable GS1
element strings — (01) GTIN, (10) lot, (21) serial — and the product name under it. The module size
follows from the symbol version: 28 mm / (modules + 8).

Sheets are 4 × 6 labels on A4 with 10 mm margins and dashed cut guides. The PDF has one page per
sheet and embeds the subset of Noto Sans SC its text needs (label_font.py). The SVG is one tall drawing whose
pages are stacked `<g class="page">` groups, 297 mm apart, so that label software can import it as a single file.

A range of pages (`first_page`..`last_page`, 1-based, of the whole lot's sheet) can be drawn alone: a reprint of
pages 5–7 says "第 5/209 页" as the full sheet does. Symbols come from zxing-cpp's encoder (C++, ~0.2 ms a symbol;
segno took ~5 ms, most of the old 66 s for 5,000 labels) and are drawn as one rectangle per horizontal run of
dark modules, written straight into the page's content stream (docs/labels.md, bench/catalog/RESULTS.md).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import zxingcpp
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from xinren.core.errors import InvalidInput

from . import errors
from .gs1 import DigitalLink
from .label_font import label_font
from .models import Batch, Item

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_MM = 10.0
COLUMNS = 4
ROWS = 6
LABELS_PER_PAGE = COLUMNS * ROWS
CELL_WIDTH_MM = (PAGE_WIDTH_MM - 2 * MARGIN_MM) / COLUMNS
CELL_HEIGHT_MM = (PAGE_HEIGHT_MM - 2 * MARGIN_MM) / ROWS
# The printed symbol, quiet zone included; scanners need >= 20 mm at arm's length on a shelf.
QR_SIZE_MM = 28.0
QR_TOP_MM = 2.0
QUIET_ZONE_MODULES = 4
ERROR_CORRECTION = "M"
TEXT_SIZE_MM = 2.6
LINE_HEIGHT_MM = 3.3
FIRST_BASELINE_MM = QR_TOP_MM + QR_SIZE_MM + 3.5
HEADER_BASELINE_MM = 6.5
LATIN_FONT = "Helvetica"
SVG_CJK_FONTS = "'Noto Sans SC','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
SVG_MONO_FONTS = "'DejaVu Sans Mono',Menlo,Consolas,monospace"
_DARK_RUN = re.compile(rb"\x00+")

# Called after each page is drawn with (pages drawn, pages to draw): the sheet job reports its progress with it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Symbol:
    """A QR symbol: its side in modules and its modules row after row, one byte each (0 dark, 255 light), with a
    light byte after each row so that a run of dark modules never wraps from one row to the next."""

    side: int  # without the quiet zone
    rows: bytes

    @property
    def modules(self) -> int:
        """Side in modules, quiet zone included."""
        return self.side + 2 * QUIET_ZONE_MODULES

    @property
    def module_mm(self) -> float:
        return QR_SIZE_MM / self.modules

    def runs(self) -> list[tuple[int, int, int]]:
        """(x, y, length) of each horizontal run of dark modules, quiet zone included in x and y."""
        stride = self.side + 1
        return [(start % stride + QUIET_ZONE_MODULES, start // stride + QUIET_ZONE_MODULES, end - start)
                for start, end in (match.span() for match in _DARK_RUN.finditer(self.rows))]

    def drawn(self, starts: list[str], lengths: list[str], separator: str) -> str:
        """The runs as drawing text: `starts[position]` + `lengths[length]` per run, from tables made once per
        symbol size (formatting numbers for ~1.7 million runs was most of a 5,000-label sheet's time)."""
        return separator.join([starts[start] + lengths[end - start]
                               for start, end in (match.span() for match in _DARK_RUN.finditer(self.rows))])


@functools.lru_cache(maxsize=64)
def _run_table(side: int, start: str, length: str) -> tuple[list[str], list[str]]:
    """Text for each position a run can start at (`start` formatted with x, y) and each length it can have."""
    stride = side + 1
    starts = [start.format(x=p % stride + QUIET_ZONE_MODULES, y=p // stride + QUIET_ZONE_MODULES)
              for p in range(side * stride)]
    return starts, [length.format(n=n) for n in range(side + 1)]


def label_qr(uri: str) -> Symbol:
    """The QR symbol printed for `uri`: a full QR code (never Micro QR) at error correction M."""
    image = zxingcpp.create_barcode(uri, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR_CORRECTION).to_image(
        scale=1, add_quiet_zones=False
    )
    side = int(image.shape[0])
    pixels = bytes(memoryview(image))  # type: ignore[arg-type]  # a buffer: one byte a module, 0 dark, row by row
    return Symbol(side=side, rows=b"\xff".join([pixels[y * side : (y + 1) * side] for y in range(side)]) + b"\xff")


@dataclass(frozen=True)
class _Label:
    uri: str
    symbol: Symbol
    lines: tuple[str, str, str]


@dataclass(frozen=True)
class SheetPlan:
    """Which part of a lot's label sheet to draw: its pages `first_page`..`last_page` of `pages`."""

    batch: Batch
    item_count: int  # the lot's first `item_count` items (by id) are the sheet; later items are not on it
    first_page: int
    last_page: int

    @property
    def pages(self) -> int:
        return sheet_page_count(self.item_count)

    @property
    def page_count(self) -> int:
        return self.last_page - self.first_page + 1


def sheet_page_count(item_count: int) -> int:
    """Pages of a sheet of `item_count` labels."""
    return -(-item_count // LABELS_PER_PAGE)


def sheet_plan(*, batch: Batch, first_page: int | None = None, last_page: int | None = None,
               item_count: int | None = None) -> SheetPlan:
    """The pages to draw, checked against the lot's items: refuses an empty lot or a range outside the sheet."""
    count = batch.items.count() if item_count is None else item_count
    if count == 0:
        raise InvalidInput(errors.LABELS_NO_ITEMS, _("该批次还没有生成单品，无法打印标签"))
    pages = sheet_page_count(count)
    first = 1 if first_page is None else first_page
    last = pages if last_page is None else last_page
    if not 1 <= first <= last <= pages:
        raise InvalidInput(
            errors.LABELS_PAGES,
            _("页码范围无效：本批次的标签共 %(pages)d 页，请填写 1 到 %(pages)d 之间、起始页不大于结束页的页码")
            % {"pages": pages},
            details={"first_page": first, "last_page": last, "pages": pages},
        )
    return SheetPlan(batch=batch, item_count=count, first_page=first, last_page=last)


def label_filename(*, batch: Batch, extension: str, first_page: int, last_page: int, pages: int) -> str:
    """`labels-<GTIN>-<lot>[-p<first>-<last>].<ext>`: the page range only when it is not the whole sheet."""
    # Lots may hold GS1 punctuation such as '/' that is not safe in a file name.
    lot = re.sub(r"[^A-Za-z0-9._-]", "_", batch.lot)
    part = "" if (first_page, last_page) == (1, pages) else f"-p{first_page}-{last_page}"
    return f"labels-{batch.product.gtin}-{lot}{part}.{extension}"


def _fit(text: str, *, font: str, width_mm: float) -> str:
    """`text` shortened with an ellipsis until it fits `width_mm` at the label's text size."""
    size_pt = TEXT_SIZE_MM * mm
    if pdfmetrics.stringWidth(text, font, size_pt) <= width_mm * mm:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size_pt) > width_mm * mm:
        text = text[:-1]
    return text + "…"


def _page_labels(plan: SheetPlan, *, resolver: str) -> Iterator[tuple[int, list[_Label]]]:
    """(page number, its labels) for each page of the plan, reading the lot's items one page at a time."""
    batch = plan.batch
    gtin, lot = batch.product.gtin, batch.lot
    serials = Item.objects.filter(batch=batch).order_by("id").values_list("serial", flat=True)
    for number in range(plan.first_page, plan.last_page + 1):
        start = (number - 1) * LABELS_PER_PAGE
        stop = min(start + LABELS_PER_PAGE, plan.item_count)
        labels = []
        for serial in serials[start:stop]:
            uri = DigitalLink(gtin=gtin, lot=lot, serial=serial).uri(resolver)
            labels.append(_Label(uri=uri, symbol=label_qr(uri), lines=(f"(01) {gtin}", f"(10) {lot}",
                                                                         f"(21) {serial}")))
        yield number, labels


def _cell_origin(index: int) -> tuple[float, float]:
    """Top-left corner of the label cell at `index` on its page, in mm from the page's top-left."""
    row, column = divmod(index, COLUMNS)
    return MARGIN_MM + column * CELL_WIDTH_MM, MARGIN_MM + row * CELL_HEIGHT_MM


def _title(batch: Batch) -> str:
    return _("%(name)s · GTIN %(gtin)s · 批号 %(lot)s") % {
        "name": batch.product.name,
        "gtin": batch.product.gtin,
        "lot": batch.lot,
    }


def _header(batch: Batch, page: int, pages: int) -> str:
    return _("%(title)s · 第 %(page)d/%(pages)d 页") % {"title": _title(batch), "page": page, "pages": pages}


def _n(value: float, places: int = 4) -> str:
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def _svg_label(label: _Label, name: str, x: float, y: float) -> str:
    qr_x = (CELL_WIDTH_MM - QR_SIZE_MM) / 2
    center = CELL_WIDTH_MM / 2
    symbol = label.symbol
    path = symbol.drawn(*_run_table(symbol.side, "M{x} {y}h", "{n}v1h-{n}z"), "")
    texts = [
        f'<text class="hri" x="{_n(center)}" y="{_n(FIRST_BASELINE_MM + i * LINE_HEIGHT_MM)}">{escape(line)}</text>'
        for i, line in enumerate(label.lines)
    ]
    texts.append(
        f'<text class="name" x="{_n(center)}" y="{_n(FIRST_BASELINE_MM + 3 * LINE_HEIGHT_MM)}">{escape(name)}</text>'
    )
    return (
        f'<g class="label" transform="translate({_n(x)} {_n(y)})">'
        f'<rect class="cut" width="{_n(CELL_WIDTH_MM)}" height="{_n(CELL_HEIGHT_MM)}"/>'
        f'<g class="qr" data-uri={quoteattr(label.uri)} '
        f'transform="translate({_n(qr_x)} {_n(QR_TOP_MM)}) scale({_n(symbol.module_mm, 6)})">'
        f'<rect width="{symbol.modules}" height="{symbol.modules}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></g>'
        + "".join(texts)
        + "</g>"
    )


def label_sheet_svg(*, plan: SheetPlan, resolver: str, progress: Progress | None = None) -> str:
    """The plan's pages as one SVG in millimetres: A4 pages stacked top to bottom (see the module doc)."""
    batch = plan.batch
    name = _fit(batch.product.name, font=label_font(batch.product.name), width_mm=CELL_WIDTH_MM - 3)
    height = PAGE_HEIGHT_MM * plan.page_count
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(PAGE_WIDTH_MM)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(PAGE_WIDTH_MM)} {_n(height)}" data-pages="{plan.page_count}">',
        f"<title>{escape(_title(batch))}</title>",
        "<style>"
        f".hri,.name,.header{{font-size:{_n(TEXT_SIZE_MM)}px;text-anchor:middle;fill:#000}}"
        f".hri{{font-family:{SVG_MONO_FONTS}}}"
        f".name,.header{{font-family:{SVG_CJK_FONTS}}}"
        ".header{text-anchor:start}"
        ".cut{fill:none;stroke:#bbb;stroke-width:.1;stroke-dasharray:1 1}"
        ".qr path{shape-rendering:crispEdges}"
        "</style>",
    ]
    for offset, (number, labels) in enumerate(_page_labels(plan, resolver=resolver)):
        parts.append(
            f'<g class="page" id="page-{number}" transform="translate(0 {_n(PAGE_HEIGHT_MM * offset)})">'
            f'<rect width="{_n(PAGE_WIDTH_MM)}" height="{_n(PAGE_HEIGHT_MM)}" fill="#fff"/>'
            f'<text class="header" x="{_n(MARGIN_MM)}" y="{_n(HEADER_BASELINE_MM)}">'
            f"{escape(_header(batch, number, plan.pages))}</text>"
        )
        for index, label in enumerate(labels):
            parts.append(_svg_label(label, name, *_cell_origin(index)))
        parts.append("</g>")
        if progress is not None:
            progress(offset + 1, plan.page_count)
    parts.append("</svg>")
    return "\n".join(parts)


def _pdf_symbol(symbol: Symbol, x: float, y: float) -> str:
    """Content-stream operators drawing `symbol` in the cell whose top-left corner is (x, y) mm from the top-left.

    Written as text straight into the stream: reportlab's path objects cost ~20 µs a rectangle, and a sheet of
    5,000 labels has ~1.7 million of them. Coordinates are in modules with y pointing down, like the symbol.
    """
    left = (x + (CELL_WIDTH_MM - QR_SIZE_MM) / 2) * mm
    top = (PAGE_HEIGHT_MM - y - QR_TOP_MM) * mm
    scale = symbol.module_mm * mm
    side = symbol.modules
    runs = symbol.drawn(*_run_table(symbol.side, "{x} {y} ", "{n} 1 re"), "\n")
    return (
        f"q\n{scale:.5f} 0 0 -{scale:.5f} {left:.3f} {top:.3f} cm\n"
        f"1 1 1 rg\n0 0 {side} {side} re f\n0 0 0 rg\n{runs}\nf\nQ"
    )


_LABEL_FORM = "xinren-label"
_PDF_ESCAPES = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


def _pdf_label_form(canvas: Canvas, *, lines: tuple[str, str], name: str, font: str) -> None:
    """What every label of the sheet shares — cut guide, GTIN and lot lines, product name — drawn once as a form
    XObject with the cell's bottom-left corner at the origin; each label places it with one operator."""
    canvas.beginForm(_LABEL_FORM, lowerx=0, lowery=0, upperx=CELL_WIDTH_MM * mm, uppery=CELL_HEIGHT_MM * mm)
    canvas.saveState()
    canvas.setStrokeColorRGB(0.73, 0.73, 0.73)
    canvas.setLineWidth(0.1 * mm)
    canvas.setDash(1 * mm, 1 * mm)
    canvas.rect(0, 0, CELL_WIDTH_MM * mm, CELL_HEIGHT_MM * mm)
    canvas.restoreState()
    center = CELL_WIDTH_MM / 2 * mm
    canvas.setFont(LATIN_FONT, TEXT_SIZE_MM * mm)
    for index, line in enumerate(lines):
        canvas.drawCentredString(center, (CELL_HEIGHT_MM - FIRST_BASELINE_MM - index * LINE_HEIGHT_MM) * mm, line)
    canvas.setFont(font, TEXT_SIZE_MM * mm)
    canvas.drawCentredString(center, (CELL_HEIGHT_MM - FIRST_BASELINE_MM - 3 * LINE_HEIGHT_MM) * mm, name)
    canvas.endForm()


def _pdf_serial(line: str, font_resource: str, x: float, y: float) -> str:
    """Operators setting the serial's line (printable ASCII, Helvetica) centred under the symbol of the cell."""
    size = TEXT_SIZE_MM * mm
    left = (x + CELL_WIDTH_MM / 2) * mm - pdfmetrics.stringWidth(line, LATIN_FONT, size) / 2
    baseline = (PAGE_HEIGHT_MM - y - FIRST_BASELINE_MM - 2 * LINE_HEIGHT_MM) * mm
    text = line.translate(_PDF_ESCAPES)
    return f"BT {font_resource} {size:.3f} Tf 1 0 0 1 {left:.3f} {baseline:.3f} Tm ({text}) Tj ET"


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Flate-only streams while a sheet is written: reportlab's ASCII85 armour is pure Python without its optional
    C accelerator and cost ~14 ms a page, for a file 25 % larger. PDF has carried binary streams since 1.0."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def label_sheet_pdf(*, plan: SheetPlan, resolver: str, progress: Progress | None = None) -> bytes:
    """The plan's pages as a vector PDF, one A4 page per 24 labels, with its Chinese font embedded."""
    batch = plan.batch
    font = label_font(_header(batch, plan.pages, plan.pages) + "0123456789")
    size = TEXT_SIZE_MM * mm
    out = io.BytesIO()
    with _binary_streams():
        canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
        canvas.setTitle(_title(batch))
        canvas.setAuthor("Xinren")
        _pdf_label_form(canvas, lines=(f"(01) {batch.product.gtin}", f"(10) {batch.lot}"), font=font,
                        name=_fit(batch.product.name, font=font, width_mm=CELL_WIDTH_MM - 3))
        helvetica = canvas._doc.getInternalFontName(LATIN_FONT)
        for offset, (number, labels) in enumerate(_page_labels(plan, resolver=resolver)):
            canvas.setFont(font, size)
            canvas.drawString(MARGIN_MM * mm, (PAGE_HEIGHT_MM - HEADER_BASELINE_MM) * mm,
                              _header(batch, number, plan.pages))
            operators = []
            for index, label in enumerate(labels):
                x, y = _cell_origin(index)
                canvas.saveState()
                canvas.translate(x * mm, (PAGE_HEIGHT_MM - y - CELL_HEIGHT_MM) * mm)
                canvas.doForm(_LABEL_FORM)
                canvas.restoreState()
                operators.append(_pdf_symbol(label.symbol, x, y))
                operators.append(_pdf_serial(label.lines[2], helvetica, x, y))
            canvas.addLiteral("\n".join(operators))
            canvas.showPage()
            if progress is not None:
                progress(offset + 1, plan.page_count)
        canvas.save()
    return out.getvalue()

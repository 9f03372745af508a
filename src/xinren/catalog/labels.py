"""Printable A4 sheets of GS1 Digital Link QR labels for the items of a batch.

Every label is a QR code of the item's Digital Link URI (error correction M) printed 28 mm square
including its 4-module quiet zone (docs/architecture.md asks for at least 20 mm), with the human-readable GS1
element strings — (01) GTIN, (10) lot, (21) serial — and the product name under it. The module size
follows from the symbol version: 28 mm / (modules + 8).

Sheets are 4 × 6 labels on A4 with 10 mm margins and dashed cut guides. The PDF has one page per
sheet. The SVG is one tall drawing whose pages are stacked `<g class="page">` groups, 297 mm apart,
so that label software can import it as a single file; print the PDF when a batch needs several pages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from xinren.core.errors import InvalidInput

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
ERROR_CORRECTION = "m"
TEXT_SIZE_MM = 2.6
LINE_HEIGHT_MM = 3.3
FIRST_BASELINE_MM = QR_TOP_MM + QR_SIZE_MM + 3.5
HEADER_BASELINE_MM = 6.5
CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
SVG_CJK_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
SVG_MONO_FONTS = "'DejaVu Sans Mono',Menlo,Consolas,monospace"


@dataclass(frozen=True)
class _Label:
    """What one label shows: the symbol's dark-module runs and the lines of text under it."""

    uri: str
    modules: int  # side of the symbol in modules, quiet zone included
    runs: tuple[tuple[int, int, int], ...]  # (x, y, length) of horizontal dark runs, quiet zone included
    lines: tuple[str, str, str]
    name: str

    @property
    def module_mm(self) -> float:
        return QR_SIZE_MM / self.modules


def _register_cjk_font() -> None:
    # A CID font ships with reportlab's CJK support: no font file is needed on the server.
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _dark_runs(matrix: Sequence[Sequence[int]]) -> tuple[tuple[int, int, int], ...]:
    """Horizontal runs of dark modules, offset by the quiet zone, so each run is one rectangle."""
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((start + QUIET_ZONE_MODULES, y + QUIET_ZONE_MODULES, x - start))
            else:
                x += 1
    return tuple(runs)


def _fit(text: str, *, font: str, width_mm: float) -> str:
    """`text` shortened with an ellipsis until it fits `width_mm` at the label's text size."""
    _register_cjk_font()
    size_pt = TEXT_SIZE_MM * mm
    if pdfmetrics.stringWidth(text, font, size_pt) <= width_mm * mm:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size_pt) > width_mm * mm:
        text = text[:-1]
    return text + "…"


def label_qr(uri: str) -> segno.QRCode:
    """The QR symbol printed for `uri`: a full QR code (never Micro QR) at error correction M."""
    return segno.make_qr(uri, error=ERROR_CORRECTION, boost_error=False)


def _labels(*, batch: Batch, resolver: str) -> list[_Label]:
    items: list[Item] = list(batch.items.select_related("product", "batch").order_by("id"))
    if not items:
        raise InvalidInput("labels.no_items", _("该批次还没有生成单品，无法打印标签"))
    name = _fit(batch.product.name, font=CJK_FONT, width_mm=CELL_WIDTH_MM - 3)
    labels = []
    for item in items:
        link = item.digital_link
        uri = link.uri(resolver)
        qr = label_qr(uri)
        labels.append(
            _Label(
                uri=uri,
                modules=int(qr.symbol_size(border=0)[0]) + 2 * QUIET_ZONE_MODULES,
                runs=_dark_runs(qr.matrix),
                lines=(f"(01) {link.gtin}", f"(10) {link.lot}", f"(21) {link.serial}"),
                name=name,
            )
        )
    return labels


def _pages(labels: list[_Label]) -> Iterator[list[_Label]]:
    for start in range(0, len(labels), LABELS_PER_PAGE):
        yield labels[start : start + LABELS_PER_PAGE]


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


def _svg_label(label: _Label, x: float, y: float) -> str:
    qr_x = (CELL_WIDTH_MM - QR_SIZE_MM) / 2
    center = CELL_WIDTH_MM / 2
    path = "".join(f"M{rx} {ry}h{length}v1h-{length}z" for rx, ry, length in label.runs)
    texts = [
        f'<text class="hri" x="{_n(center)}" y="{_n(FIRST_BASELINE_MM + i * LINE_HEIGHT_MM)}">{escape(line)}</text>'
        for i, line in enumerate(label.lines)
    ]
    texts.append(
        f'<text class="name" x="{_n(center)}" y="{_n(FIRST_BASELINE_MM + 3 * LINE_HEIGHT_MM)}">'
        f"{escape(label.name)}</text>"
    )
    return (
        f'<g class="label" transform="translate({_n(x)} {_n(y)})">'
        f'<rect class="cut" width="{_n(CELL_WIDTH_MM)}" height="{_n(CELL_HEIGHT_MM)}"/>'
        f'<g class="qr" data-uri={quoteattr(label.uri)} '
        f'transform="translate({_n(qr_x)} {_n(QR_TOP_MM)}) scale({_n(label.module_mm, 6)})">'
        f'<rect width="{label.modules}" height="{label.modules}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></g>'
        + "".join(texts)
        + "</g>"
    )


def label_sheet_svg(*, batch: Batch, resolver: str) -> str:
    """The batch's labels as one SVG in millimetres: A4 pages stacked top to bottom (see the module doc)."""
    labels = _labels(batch=batch, resolver=resolver)
    pages = list(_pages(labels))
    height = PAGE_HEIGHT_MM * len(pages)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(PAGE_WIDTH_MM)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(PAGE_WIDTH_MM)} {_n(height)}" data-pages="{len(pages)}">',
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
    for number, page_labels in enumerate(pages, start=1):
        parts.append(
            f'<g class="page" id="page-{number}" transform="translate(0 {_n(PAGE_HEIGHT_MM * (number - 1))})">'
            f'<rect width="{_n(PAGE_WIDTH_MM)}" height="{_n(PAGE_HEIGHT_MM)}" fill="#fff"/>'
            f'<text class="header" x="{_n(MARGIN_MM)}" y="{_n(HEADER_BASELINE_MM)}">'
            f"{escape(_header(batch, number, len(pages)))}</text>"
        )
        for index, label in enumerate(page_labels):
            parts.append(_svg_label(label, *_cell_origin(index)))
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def _pdf_label(canvas: Canvas, label: _Label, x: float, y: float) -> None:
    """Draw one label whose cell's top-left corner is (x, y) mm from the page's top-left."""
    page_height = PAGE_HEIGHT_MM * mm
    left = (x + (CELL_WIDTH_MM - QR_SIZE_MM) / 2) * mm
    top = page_height - (y + QR_TOP_MM) * mm
    canvas.saveState()
    # Work in module units with y pointing down, exactly like the symbol's matrix.
    canvas.translate(left, top)
    canvas.scale(label.module_mm * mm, -label.module_mm * mm)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(0, 0, label.modules, label.modules, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for rx, ry, length in label.runs:
        path.rect(rx, ry, length, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()

    center = (x + CELL_WIDTH_MM / 2) * mm
    size = TEXT_SIZE_MM * mm
    canvas.setFont(LATIN_FONT, size)
    for i, line in enumerate(label.lines):
        canvas.drawCentredString(center, page_height - (y + FIRST_BASELINE_MM + i * LINE_HEIGHT_MM) * mm, line)
    canvas.setFont(CJK_FONT, size)
    canvas.drawCentredString(center, page_height - (y + FIRST_BASELINE_MM + 3 * LINE_HEIGHT_MM) * mm, label.name)

    canvas.saveState()
    canvas.setStrokeColorRGB(0.73, 0.73, 0.73)
    canvas.setLineWidth(0.1 * mm)
    canvas.setDash(1 * mm, 1 * mm)
    canvas.rect(x * mm, page_height - (y + CELL_HEIGHT_MM) * mm, CELL_WIDTH_MM * mm, CELL_HEIGHT_MM * mm)
    canvas.restoreState()


def label_sheet_pdf(*, batch: Batch, resolver: str) -> bytes:
    """The batch's labels as a vector PDF, one A4 page per 24 labels."""
    _register_cjk_font()
    labels = _labels(batch=batch, resolver=resolver)
    pages = list(_pages(labels))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(_title(batch))
    canvas.setAuthor("Xinren")
    for number, page_labels in enumerate(pages, start=1):
        canvas.setFont(CJK_FONT, TEXT_SIZE_MM * mm)
        header = _header(batch, number, len(pages))
        canvas.drawString(MARGIN_MM * mm, (PAGE_HEIGHT_MM - HEADER_BASELINE_MM) * mm, header)
        for index, label in enumerate(page_labels):
            _pdf_label(canvas, label, *_cell_origin(index))
        canvas.showPage()
    canvas.save()
    return out.getvalue()

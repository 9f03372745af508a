"""The Chinese font embedded in label sheet PDFs: Noto Sans SC, cut down to the characters a sheet prints.

Viewers without a CJK font of their own (many printers' RIPs, pdf.js without its CMaps, older Acrobat Readers
without the Asian font pack) cannot draw text set in a non-embedded CID font such as reportlab's STSong-Light: the
"·" separators and often the whole header come out as empty boxes. So the font travels in the file.

Noto Sans SC (SIL Open Font License 1.1) comes from the `pylopdf-fonts-zh-cn` package, which the share cards use
already; nothing has to be installed on the machine by hand. Its outlines are CFF, which reportlab cannot embed,
so for each sheet the font is cut down with fontTools to the characters the sheet prints (a few dozen glyphs, ~0.3 s)
and its cubic outlines are converted to TrueType quadratics; reportlab then embeds that subset (a few KiB).
docs/adr/0037-label-sheets-in-the-background.md says why this and not a font shipped in the repository.
"""

from __future__ import annotations

import functools
import hashlib
import io
import string

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as FontToolsFont
from fontTools.ttLib import newTable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Everything a label's human-readable lines may hold (GS1 AI 82 characters are printable ASCII) is always present.
ALWAYS = frozenset(string.printable.strip() + " ")
# Largest distance (font units of 1000 per em) between a cubic curve and the quadratics that replace it.
MAX_CURVE_ERROR = 1.0
# Layout tables describe vertical text and ligatures that a label never uses; the PDF does not need them.
_DROPPED_TABLES = ("BASE", "GPOS", "GSUB", "VORG", "vhea", "vmtx", "DSIG")


def _noto_sans_sc_path() -> str:
    import pylopdf_fonts_zh_cn

    return str(pylopdf_fonts_zh_cn.sans_path())


def _to_truetype(font: FontToolsFont) -> None:
    """Replace the font's CFF outlines by TrueType ones in place (as fontTools' otf2ttf example does)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    for tag in _DROPPED_TABLES:
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"


def font_subset_truetype(characters: frozenset[str], *, postscript_name: str = "") -> bytes:
    """Noto Sans SC holding only `characters` (and .notdef), as a TrueType font file; named `postscript_name` when
    given (reportlab keeps one font per PostScript name in a process: two subsets under Noto's own name would be
    taken for one, and the second sheet would be set in the first one's glyphs)."""
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = FontToolsFont(_noto_sans_sc_path(), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    _to_truetype(font)
    if postscript_name:
        for record in font["name"].names:
            if record.nameID in (4, 6):  # full name, PostScript name
                record.string = postscript_name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def _registered(characters: frozenset[str]) -> str:
    name = "NotoSansSC-" + hashlib.sha256("".join(sorted(characters)).encode()).hexdigest()[:12]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(font_subset_truetype(characters, postscript_name=name))))
    return name


def label_font(text: str) -> str:
    """The reportlab name of an embeddable font that can set every character of `text` and of label lines.

    The same characters give the same font (cached per process): a sheet's pages and repeated sheets of a lot
    share one subset.
    """
    return _registered(frozenset(text) | ALWAYS)

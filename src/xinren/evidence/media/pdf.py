"""PDF: checking that it parses, then rewriting it without its metadata and its active content.

Dropped: the document information dictionary (/Info: author, creator tool, producer, dates), XMP metadata
streams on the catalogue and on every page, and what a viewer would run on opening (/OpenAction, /AA,
JavaScript in the name tree). Objects no longer referenced are left out of the rewritten file. Encrypted
PDFs are refused: their content cannot be checked, and a certificate has no reason to be locked.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject, NameObject

logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed input is refused below, not logged as noise

MAX_PAGES = 200


class PdfRefused(ValueError):
    """The PDF cannot be accepted; `encrypted` tells why."""

    def __init__(self, message: str, *, encrypted: bool = False) -> None:
        super().__init__(message)
        self.encrypted = encrypted


@dataclass(frozen=True)
class PdfInfo:
    pages: int


def strip(content: bytes) -> tuple[bytes, PdfInfo]:
    """The rewritten PDF and its page count; raises PdfRefused for broken, encrypted or huge files."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise PdfRefused("encrypted", encrypted=True)
        pages = len(reader.pages)
        if pages == 0 or pages > MAX_PAGES:
            raise PdfRefused(f"{pages} pages")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        root = writer.root_object
        for key in ("/Metadata", "/OpenAction", "/AA"):
            root.pop(NameObject(key), None)
        names = root.get("/Names")
        if names is not None:
            names_dict = names.get_object()
            if isinstance(names_dict, DictionaryObject):
                names_dict.pop(NameObject("/JavaScript"), None)
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
            page.pop(NameObject("/AA"), None)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except PdfRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise PdfRefused(str(exc)[:200]) from exc
    return out.getvalue(), PdfInfo(pages=pages)

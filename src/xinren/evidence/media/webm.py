"""WebM (Matroska/EBML): checking the element structure and blanking tags and attachments.

A WebM file keeps its `Info` element (muxing and writing application, date, optional title) and its track
headers; `Tags` (free-form name/value pairs, where tools put locations and comments) and `Attachments`
(embedded files, cover pictures) are overwritten in place by `Void` elements of the same size, so no byte
moves and the cues stay valid. Segment children that follow an element of unknown size (live recordings
write clusters that way) cannot be reached without parsing every cluster and are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

EBML_HEADER = 0x1A45DFA3
SEGMENT = 0x18538067
_BLANKED = {0x1254C367, 0x1941A469}  # Tags, Attachments
_VOID = 0xEC


class EbmlError(ValueError):
    """The file is not well-formed EBML."""


@dataclass(frozen=True)
class Element:
    id: int
    start: int
    data_start: int
    end: int | None  # None: unknown size, runs to the end of its parent


def _vint(data: bytes | bytearray, position: int, *, keep_marker: bool) -> tuple[int, int]:
    if position >= len(data):
        raise EbmlError("truncated element")
    first = data[position]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or position + length > len(data):
        raise EbmlError("invalid variable-length integer")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[position + 1 : position + length]:
        value = (value << 8) | byte
    return value, length


def _element(data: bytes | bytearray, position: int, limit: int) -> Element:
    element_id, id_length = _vint(data, position, keep_marker=True)
    size, size_length = _vint(data, position + id_length, keep_marker=False)
    data_start = position + id_length + size_length
    unknown = size == (1 << (7 * size_length)) - 1
    end = None if unknown else data_start + size
    if end is not None and end > limit:
        raise EbmlError("element overruns its parent")
    return Element(element_id, position, data_start, end)


def strip(content: bytes) -> tuple[bytes, int]:
    """The file with Tags and Attachments blanked, and how many elements were blanked."""
    data = bytearray(content)
    header = _element(data, 0, len(data))
    if header.id != EBML_HEADER or header.end is None:
        raise EbmlError("the file does not start with an EBML header")
    segment = _element(data, header.end, len(data))
    if segment.id != SEGMENT:
        raise EbmlError("no Segment after the EBML header")
    limit = segment.end if segment.end is not None else len(data)
    position, blanked = segment.data_start, 0
    while position < limit:
        child = _element(data, position, limit)
        if child.end is None:
            break
        if child.id in _BLANKED:
            _void(data, child.start, child.end)
            blanked += 1
        position = child.end
    return bytes(data), blanked


def _void(data: bytearray, start: int, end: int) -> None:
    """A Void element filling exactly [start, end): one ID byte, an n-byte size, zeroed content."""
    total = end - start
    width = min(8, total - 1)
    size = total - 1 - width
    data[start] = _VOID
    data[start + 1 : start + 1 + width] = (size | (1 << (7 * width))).to_bytes(width, "big")
    data[start + 1 + width : end] = bytes(size)

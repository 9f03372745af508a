"""A customer's text with the classifier's evidence spans marked: every character escaped, then <mark> added."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def evidence_marked(text: str, evidence: Mapping[str, Iterable[str]]) -> SafeString:
    """`text` as HTML with each occurrence of each evidence span wrapped in <mark> (overlaps merged)."""
    covered = [False] * len(text)
    for spans in evidence.values():
        for span in spans:
            if not span:
                continue
            start = text.find(span)
            while start != -1:
                for n in range(start, start + len(span)):
                    covered[n] = True
                start = text.find(span, start + 1)
    parts: list[str] = []
    n = 0
    while n < len(text):
        end = n
        while end < len(text) and covered[end] == covered[n]:
            end += 1
        chunk = escape(text[n:end])
        parts.append(f"<mark>{chunk}</mark>" if covered[n] else str(chunk))
        n = end
    return mark_safe("".join(parts))  # every piece of the customer's text went through escape()

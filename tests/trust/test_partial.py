"""The consumer partial escapes every text that came from merchants or alliances."""

from __future__ import annotations

from django.template.loader import render_to_string


def _section(text: str) -> dict:  # type: ignore[type-arg]
    ref = {
        "kind": "evidence.media",
        "description": text,
        "leaf_hash": "ab" * 32,
        "log_index": 7,
        "url": "/log/bundle/7",
    }
    return {
        "rule_version": "labels/2026-11",
        "labels": [
            {"code": "origin_direct", "name": "产地直采", "icon": "⛰", "rule": "规则", "how": text, "evidence": [ref]}
        ],
        "badges": [
            {
                "code": "c",
                "name": text,
                "alliance": text,
                "region": "云南省昆明市",
                "description": text,
                "version": 1,
                "leaf_hash": "",
                "requires": [text],
                "min_lab_stars": 4,
                "badge": "data:image/svg+xml;base64,PHN2Zy8+",
                "evidence": [ref],
            }
        ],
    }


def test_text_is_escaped_and_evidence_linked():
    # given
    evil = '<script>alert("x")</script>'
    # when
    html = render_to_string("public/_labels.html", {"labels": _section(evil)})
    # then
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<a href="/log/bundle/7">日志第 7 条</a>' in html
    assert '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="" width="48" height="48">' in html
    assert "检测不低于 4 星" in html and "标签规则版本 labels/2026-11" in html

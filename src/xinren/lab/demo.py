"""A demo lab's own report document: a small, valid PDF drawn at demo load (marked as demo data)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from .thresholds import INDICATOR_NAMES


def demo_report_pdf(
    *, lab: str, accreditation: str, product: str, lot: str, sample_id: str, sampled_at: datetime, place: str,
    method: str, measurements: Sequence[tuple[str, str, str]],
) -> bytes:
    """A one-page 检验检测报告 listing the measurements, with the CJK font reportlab ships (no font file needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    width, height = A4
    page.setFont(font, 22)
    page.drawCentredString(width / 2, height - 90, "检验检测报告")
    page.setFont(font, 11)
    lines = [
        f"检测机构：{lab}（{accreditation}）",
        f"样品名称：{product}    批号：{lot}",
        f"样品编号：{sample_id}    抽样时间：{sampled_at:%Y-%m-%d %H:%M}",
        f"抽样地点：{place}",
        f"检测依据：{method[:60]}",
    ]
    for n, text in enumerate(lines):
        page.drawString(60, height - 140 - n * 20, text)
    y = height - 260
    page.drawString(60, y, "检测项目")
    page.drawString(300, y, "检测结果")
    page.drawString(420, y, "单位")
    page.line(60, y - 6, width - 60, y - 6)
    for n, (indicator, value, unit) in enumerate(measurements, start=1):
        row = y - 6 - n * 20
        page.drawString(60, row, INDICATOR_NAMES.get(indicator, indicator))
        page.drawString(300, row, "未检出" if value == "ND" else value)
        page.drawString(420, row, unit)
    page.setFont(font, 9)
    page.drawString(60, 60, "本报告为 Xinren 演示数据，不具有任何检测效力。")
    page.save()
    return out.getvalue()

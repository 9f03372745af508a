"""Reads of the product trust score: what the shop cards, the product page and the scan page show (ADR 0047).

The stored row is read, never recomputed on a page; a product without a row yet shows nothing (the next refresh
writes it). `ScoreSection` is plain JSON, so the scan page's story JSON and published files carry it as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from xinren.catalog.models import Product

from ..models import ProductScore
from .formula import CURRENT_VERSION, FORMULAS, half_stars


class ScoreInput(TypedDict, closed=True):
    label: str
    value: str


class ScoreComponent(TypedDict, closed=True):
    code: str
    name: str
    value: str | None  # 0–5 with two places; None: no evidence of this kind (its weight goes to the others)
    weight: int
    inputs: list[ScoreInput]
    raise_it: list[str]


class ScoreSection(TypedDict, closed=True):
    version: str
    score: str | None  # None: 评分数据不足
    half_stars: float | None
    stars: list[str]  # five of "full", "half", "empty"
    components: list[ScoreComponent]
    computed_at: str


def _names() -> dict[str, str]:
    return {"quality": _("质量"), "reviews": _("评价"), "aftersales": _("售后"), "credit": _("商家信用")}


def _raise_texts() -> dict[str, str]:
    return {
        "lab": _("送检新批次并取得更高的检测星级"),
        "labels": _("以可核验的证据获得更多信任标签"),
        "coldchain": _("减少温控超限，兑现时效承诺"),
        "more_reviews": _("更多已验证购买的评价"),
        "better_reviews": _("提升商品与服务，获得更好的评价"),
        "orders": _("更多签收且无售后成立的订单"),
        "claims": _("减少成立的售后与索赔"),
        "refund_speed": _("更快完成退款（24 小时内满分）"),
        "disputes": _("避免平台介入后判定商家败诉"),
        "qualification": _("提交资质并通过核验"),
        "not_on_probation": _("完成新手期"),
        "no_open_suspension": _("解决商品的暂停销售原因"),
        "risk_band": _("降低店铺风险等级"),
        "deposit": _("缴纳保证金"),
        "insurance": _("投保消费者保障险"),
    }


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def _inputs(code: str, inputs: dict[str, Any], detail: dict[str, Any]) -> list[ScoreInput]:
    rows: list[tuple[str, Any]] = []
    if code == "quality":
        parts = detail.get("parts", {})
        stars = [str(r["stars"]) for r in inputs.get("lab_reports", [])]
        rows = [
            (_("检测报告星级（按时间加权）"), f"{_num(parts.get('lab'))}（{'/'.join(stars) or _('无报告')}）"),
            (_("已获信任标签"), f"{_num(parts.get('labels'))}（{len(inputs.get('labels', []))}）"),
            (_("冷链与时效承诺"), _num(parts.get("coldchain"))),
            (_("温控超限次数"), inputs.get("coldchain", {}).get("excursions", 0)),
            (_("承诺兑现/未兑现"),
             f"{inputs.get('coldchain', {}).get('kept', 0)}/{inputs.get('coldchain', {}).get('broken', 0)}"),
        ]  # fmt: skip
    elif code == "reviews":
        rows = [
            (_("计入的已验证评价"), detail.get("counted", 0)),
            (_("品类平均星级（先验，按 7 条计）"), detail.get("prior_mean")),
            (_("评价权重合计（质量 × 半年衰减）"), detail.get("weight_total")),
        ]
    elif code == "aftersales":
        rows = [
            (_("签收订单"), inputs.get("orders_delivered", 0)),
            (_("售后成立的订单"), inputs.get("claims_upheld", 0)),
            (_("无售后订单占比（Wilson 下限）"), _num(detail.get("wilson"))),
            (_("退款中位时长（小时）"), _num(inputs.get("refund_hours_median"))),
            (_("平台介入判定败诉"), inputs.get("disputes_lost", 0)),
        ]
    elif code == "credit":
        credit = inputs.get("credit", {})
        rows = [
            (_("已核验资质"), credit.get("qualifications", 0)),
            (_("新手期"), _("是") if credit.get("on_probation") else _("否")),
            (_("暂停销售"), credit.get("open_suspensions", 0)),
            (_("风险等级"), credit.get("risk_band") or _("未评估")),
            (_("保证金"), _("已缴") if credit.get("deposit_fen") else _("未缴")),
            (_("消费者保障险"), _("已投保") if credit.get("insured") else _("未投保")),
        ]
    return [{"label": str(label), "value": str(value)} for label, value in rows]


def _stars(half: float | None) -> list[str]:
    if half is None:
        return ["empty"] * 5
    return ["full" if n <= half else "half" if n - 0.5 == half else "empty" for n in range(1, 6)]


def score_section(row: ProductScore) -> ScoreSection:
    names, texts = _names(), _raise_texts()
    components: list[ScoreComponent] = []
    for code in ("quality", "reviews", "aftersales", "credit"):
        part = row.components.get(code, {})
        components.append({
            "code": code,
            "name": names[code],
            "value": part.get("value"),
            "weight": int(part.get("weight", FORMULAS[row.version]["weights"][code])),
            "inputs": _inputs(code, row.inputs, part.get("detail", {})),
            "raise_it": [texts[r] for r in part.get("raise", []) if r in texts],
        })  # fmt: skip
    half = half_stars(row.score)
    return {
        "version": row.version,
        "score": None if row.score is None else str(row.score),
        "half_stars": half,
        "stars": _stars(half),
        "components": components,
        "computed_at": row.computed_at.isoformat(),
    }


def score_section_for(*, product: Product, version: str = CURRENT_VERSION) -> ScoreSection | None:
    """The product's stored score under `version`, ready to draw, or None when none is stored yet."""
    row = ProductScore.objects.filter(product=product, version=version).first()
    return None if row is None else score_section(row)


def score_sections_for(*, product_ids: Iterable[int], version: str = CURRENT_VERSION) -> dict[int, ScoreSection]:
    """The stored scores of many products in one query (the shop's cards), by product id."""
    rows = ProductScore.objects.filter(product_id__in=list(product_ids), version=version)
    return {row.product_id: score_section(row) for row in rows}

"""The label catalogue, rule set labels/2026-11. A change of any rule is a new rule set version."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import rules
from .outcome import Label

RULESET_VERSION = "labels/2026-11"

LABELS: tuple[Label, ...] = (
    Label(
        "origin_direct",
        _("产地直采"),
        "⛰",
        _("商家本人在产地（产地坐标 30 公里内）记录并已上链验证的采收或赋码事件，外加至少一张已验证的产地实拍照片。"),
        rules.origin_direct,
    ),
    Label(
        "handmade",
        _("匠人手作"),
        "✋",
        _("商品或本批次有已上链验证的生产过程实拍（视频优先）。"),
        rules.handmade,
        needs_lot=False,
    ),
    Label(
        "direct_24h",
        _("24小时直达仓配"),
        "⏱",
        _("本批次至少一段运输已完成，且每一段从发货事件到收货事件都不超过 24 小时；用时由事件本身计算，不可手填。"),
        rules.direct_24h,
    ),
    Label(
        "coldchain_full",
        _("冷链全程"),
        "❄",
        _("本批次每一段运输都有温度记录，且全部在商品的温度范围之内，记录已上链验证。"),
        rules.coldchain_full,
    ),
    Label(
        "organic",
        _("有机认证"),
        "🌿",
        _("商家本人持有（统一社会信用代码一致）、今天核验有效、范围包含本商品的有机产品认证证书。"),
        rules.organic,
        needs_lot=False,
    ),
    Label(
        "geo_indication",
        _("地理标志产品"),
        "📍",
        _("商家持有、今天核验有效的地理标志产品授权，且保护地区包含本商品产地。"),
        rules.geo_indication,
        needs_lot=False,
    ),
)
LABEL_CODES: tuple[str, ...] = tuple(label.code for label in LABELS)


def label_get(code: str) -> Label | None:
    return next((label for label in LABELS if label.code == code), None)

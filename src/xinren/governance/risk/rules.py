"""The risk rules (docs/governance.md, "Risk score"): each a small pure function over a merchant's figures.

A rule returns a value in [0, 1], the figures it used and an explanation (a source string marked for translation
plus its parameters, rendered in the reader's language when shown). The weights, thresholds and each rule's
parameters are not here: they are rows of a versioned rule set (models/risk.py, ADR 0045). A rate over fewer
than the rule's minimum sample counts as 0 with "样本不足", so one bad order does not mark a small shop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Django's gettext_noop without Django's settings (so the bench runs the rules without a project); the same
    name, so makemessages still collects the strings."""
    return message


@dataclass(frozen=True)
class MerchantFigures:
    """What the platform recorded about one merchant over the rules' windows (inputs.py gathers it)."""

    orders: int = 0  # orders paid in the last 90 days
    claims: int = 0  # guarantee claims opened in the last 90 days
    escalations: int = 0  # after-sale requests escalated to the platform (申请平台介入) in the last 90 days
    disputes_lost: int = 0  # escalated requests the platform decided for the consumer, last 90 days
    brushing_flags: int = 0  # shop-level brushing flags not dismissed, last 90 days
    review_flags: int = 0  # near-duplicate / burst flags on its reviews not dismissed, last 90 days
    inquiries_decided: int = 0  # consumer inquiries answered or waiting ≥ 24 h, last 30 days
    answered_within_24h: int = 0
    shipments_due: int = 0  # paid orders whose shipping promise has passed or that shipped, last 90 days
    shipped_late: int = 0  # of those, shipped after the promise or not shipped at all
    credentials_failed: int = 0
    credentials_expired: int = 0
    new_listings: int = 0  # products created in the last 30 days
    new_listings_new_category: int = 0  # of those, in a category the merchant had no product in before
    offers_repriced: int = 0  # offers whose price was set in the last 7 days
    offers_price_jumped: int = 0  # of those, moved by more than the rule's share from the price 7 days ago
    blacklist_links: int = 0  # keyed-hash entities shared with blacklisted entries

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RuleResult:
    value: float  # in [0, 1]
    inputs: dict[str, Any]
    explanation: str  # a source string (gettext_noop); shown as gettext(explanation) % params
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # the rule's name, a source string (gettext_noop)
    figures: tuple[str, ...]  # the MerchantFigures fields it reads
    function: Callable[[MerchantFigures, Mapping[str, Any]], RuleResult]
    defaults: Mapping[str, Any]


INSUFFICIENT = gettext_noop("样本不足：%(sample)s 个（至少需要 %(minimum)s 个），按 0 计")


def _ramp(x: float, floor: float, ceiling: float) -> float:
    """0 at or below the floor, 1 at or above the ceiling, linear between."""
    if x <= floor:
        return 0.0
    if x >= ceiling:
        return 1.0
    return (x - floor) / (ceiling - floor)


def _rate_rule(
    numerator: str, denominator: str, text: str
) -> Callable[[MerchantFigures, Mapping[str, Any]], RuleResult]:
    def rule(figures: MerchantFigures, params: Mapping[str, Any]) -> RuleResult:
        top, bottom = getattr(figures, numerator), getattr(figures, denominator)
        inputs = {numerator: top, denominator: bottom}
        minimum = int(params["min_sample"])
        if bottom < minimum:
            return RuleResult(0.0, inputs, INSUFFICIENT, {"sample": bottom, "minimum": minimum})
        rate = top / bottom
        value = _ramp(rate, float(params["floor"]), float(params["ceiling"]))
        return RuleResult(
            round(value, 4),
            {**inputs, "rate": round(rate, 4)},
            text,
            {
                "count": top,
                "sample": bottom,
                "rate": f"{rate:.1%}",
                "floor": f"{float(params['floor']):.1%}",
                "ceiling": f"{float(params['ceiling']):.1%}",
            },
        )

    return rule


def _count_rule(
    counted: tuple[tuple[str, float], ...], text: str
) -> Callable[[MerchantFigures, Mapping[str, Any]], RuleResult]:
    """Weighted counts of events against a ceiling: value = min(1, Σ weight × count / ceiling)."""

    def rule(figures: MerchantFigures, params: Mapping[str, Any]) -> RuleResult:
        inputs = {name: getattr(figures, name) for name, _ in counted}
        points = sum(float(params.get(f"{name}_weight", weight)) * inputs[name] for name, weight in counted)
        ceiling = float(params["ceiling"])
        value = min(1.0, points / ceiling) if ceiling > 0 else 0.0
        return RuleResult(round(value, 4), inputs, text, {"count": sum(inputs.values()), "ceiling": params["ceiling"]})

    return rule


def reply_punctuality(figures: MerchantFigures, params: Mapping[str, Any]) -> RuleResult:
    """The share of inquiries not answered within 24 h, above the tolerated share."""
    inputs = {"inquiries_decided": figures.inquiries_decided, "answered_within_24h": figures.answered_within_24h}
    minimum = int(params["min_sample"])
    if figures.inquiries_decided < minimum:
        return RuleResult(0.0, inputs, INSUFFICIENT, {"sample": figures.inquiries_decided, "minimum": minimum})
    missed = 1 - figures.answered_within_24h / figures.inquiries_decided
    value = _ramp(missed, float(params["floor"]), float(params["ceiling"]))
    return RuleResult(
        round(value, 4),
        {**inputs, "missed_share": round(missed, 4)},
        gettext_noop("%(sample)s 次咨询中 %(rate)s 未在 24 小时内回复（容忍 %(floor)s，达到 %(ceiling)s 计满分）"),
        {
            "sample": figures.inquiries_decided,
            "rate": f"{missed:.1%}",
            "floor": f"{float(params['floor']):.1%}",
            "ceiling": f"{float(params['ceiling']):.1%}",
        },
    )


RATE_TEXT = gettext_noop("%(sample)s 笔中 %(count)s 笔，比例 %(rate)s（容忍 %(floor)s，达到 %(ceiling)s 计满分）")

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "claim_rate",
            gettext_noop("售后理赔率"),
            ("claims", "orders"),
            _rate_rule("claims", "orders", RATE_TEXT),
            {"floor": 0.01, "ceiling": 0.10, "min_sample": 20},
        ),
        Rule(
            "complaint_rate",
            gettext_noop("投诉率（申请平台介入）"),
            ("escalations", "orders"),
            _rate_rule("escalations", "orders", RATE_TEXT),
            {"floor": 0.005, "ceiling": 0.05, "min_sample": 20},
        ),
        Rule(
            "disputes_lost",
            gettext_noop("纠纷判商家败诉"),
            ("disputes_lost", "orders"),
            _rate_rule("disputes_lost", "orders", RATE_TEXT),
            {"floor": 0.0, "ceiling": 0.03, "min_sample": 20},
        ),
        Rule(
            "review_integrity",
            gettext_noop("刷单与重复评价标记"),
            ("brushing_flags", "review_flags"),
            _count_rule(
                (("brushing_flags", 2.0), ("review_flags", 1.0)),
                gettext_noop("%(count)s 个未被驳回的诚信标记（刷单计 2 分，达到 %(ceiling)s 分计满分）"),
            ),
            {"ceiling": 4},
        ),
        Rule(
            "reply_punctuality",
            gettext_noop("客服回复及时性"),
            ("inquiries_decided", "answered_within_24h"),
            reply_punctuality,
            {"floor": 0.1, "ceiling": 0.5, "min_sample": 10},
        ),
        Rule(
            "shipping_punctuality",
            gettext_noop("发货及时性"),
            ("shipped_late", "shipments_due"),
            _rate_rule(
                "shipped_late",
                "shipments_due",
                gettext_noop(
                    "%(sample)s 笔应发货订单中 %(count)s 笔超过承诺时限，比例 %(rate)s"
                    "（容忍 %(floor)s，达到 %(ceiling)s 计满分）"
                ),
            ),
            {"floor": 0.05, "ceiling": 0.30, "min_sample": 20, "promise_hours": 48},
        ),
        Rule(
            "qualification_problems",
            gettext_noop("资质问题"),
            ("credentials_failed", "credentials_expired"),
            _count_rule(
                (("credentials_failed", 1.0), ("credentials_expired", 1.0)),
                gettext_noop("%(count)s 张资质核验未通过或已过期（达到 %(ceiling)s 张计满分）"),
            ),
            {"ceiling": 2},
        ),
        Rule(
            "category_change",
            gettext_noop("经营品类突变"),
            ("new_listings_new_category", "new_listings"),
            _rate_rule(
                "new_listings_new_category",
                "new_listings",
                gettext_noop(
                    "30 天内 %(sample)s 个新商品中 %(count)s 个属于新品类，比例 %(rate)s"
                    "（容忍 %(floor)s，达到 %(ceiling)s 计满分）"
                ),
            ),
            {"floor": 0.3, "ceiling": 0.8, "min_sample": 5},
        ),
        Rule(
            "price_change",
            gettext_noop("价格突变"),
            ("offers_price_jumped", "offers_repriced"),
            _rate_rule(
                "offers_price_jumped",
                "offers_repriced",
                gettext_noop(
                    "7 天内改价的 %(sample)s 个报价中 %(count)s 个变动超过 50%%，比例 %(rate)s"
                    "（容忍 %(floor)s，达到 %(ceiling)s 计满分）"
                ),
            ),
            {"floor": 0.0, "ceiling": 0.5, "min_sample": 2, "jump_share": 0.5},
        ),
        Rule(
            "blacklist_proximity",
            gettext_noop("与黑名单关联"),
            ("blacklist_links",),
            _count_rule(
                (("blacklist_links", 1.0),),
                gettext_noop("与黑名单条目共用 %(count)s 个身份信息（达到 %(ceiling)s 个计满分）"),
            ),
            {"ceiling": 1},
        ),
    )
}

# Rule set version 1 (seeded by migration governance 0005_risk): weights sum to 100, so the score is 0–100.
VERSION_1_WEIGHTS: dict[str, int] = {
    "claim_rate": 20,
    "complaint_rate": 10,
    "disputes_lost": 15,
    "review_integrity": 15,
    "reply_punctuality": 5,
    "shipping_punctuality": 10,
    "qualification_problems": 10,
    "category_change": 5,
    "price_change": 5,
    "blacklist_proximity": 5,
}
VERSION_1_THRESHOLDS = {"review": 25, "restrict": 45, "suspend": 70}
# Its parameters are the rules' defaults (the migration froze a copy; a test keeps the two equal).
VERSION_1_PARAMS: dict[str, dict[str, Any]] = {rule_id: dict(RULES[rule_id].defaults) for rule_id in VERSION_1_WEIGHTS}


def rule_apply(rule_id: str, figures: MerchantFigures, params: Mapping[str, Any] | None = None) -> RuleResult:
    """One rule over the figures, with the rule set's parameters over the rule's defaults."""
    rule = RULES[rule_id]
    return rule.function(figures, {**rule.defaults, **(params or {})})

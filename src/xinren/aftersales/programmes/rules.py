"""A programme's rules as data: a fixed vocabulary of eligibility conditions and of promises the code honours.

An operator writes a programme's `eligibility` as named conditions with thresholds, e.g.
``{"deposit_min_fen": 200000, "insurance": ["quality"], "guarantees": ["bad_order"], "upheld_share_min": 0.8}``,
and its `promises` as ``[{"id": "return_days", "value": 30, "text": "30 天无理由退货"}, …]``. Keys outside the
vocabulary are refused when the programme is saved (`terms_clean`), so a typo never becomes a condition nobody checks.

`eligibility_evaluate` returns every condition with its value, its threshold and whether it passed (as
`aftersales.rules.bad_order_evaluate` does): the merchant sees it as a checklist, the daily review keeps the failed
ones on the membership it ends. The trust score (issue 14) is not a condition yet: it will be one more key here
(`trust_score_min`) reading its selector, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.choices import OrganizationStatus
from xinren.accounts.models import Organization
from xinren.catalog.choices import ProductCategory, ProductStatus
from xinren.catalog.models import Product
from xinren.core.errors import InvalidInput

from ..fund.choices import AccountKind, PolicyKind
from ..models.fund import Account, InsuranceSubscription
from ..models.programmes import ProgrammeMembership
from ..selectors import AftersaleRecord, merchant_aftersale_record
from . import errors

# Guarantees a merchant may accept when joining (the `guarantees` condition asks for some of them).
GUARANTEES: dict[str, Any] = {
    "bad_order": _("坏单包赔：生鲜坏单凭照片直接赔付，无需退货"),
    "no_reason_30d": _("30 天无理由退货"),
    "free_pickup": _("退货免费上门取件"),
}

# What each condition is called on the checklist.
CONDITION_LABELS: dict[str, Any] = {
    "merchant_active": _("商家在正常经营"),
    "deposit_min_fen": _("保证金余额达到要求"),
    "insurance": _("已投保指定险种"),
    "guarantees": _("接受计划要求的保障"),
    "categories": _("在计划覆盖的品类有在售商品"),
    "upheld_share_min": _("近 90 天售后支持率达到要求"),
    "refund_median_hours_max": _("近 90 天退款时长中位数不超过要求"),
}
ELIGIBILITY_KEYS = frozenset({*CONDITION_LABELS, "requests_min"})

# Promises the code honours; `text` is how the programme words each one for consumers.
PROMISE_LABELS: dict[str, Any] = {
    "return_days": _("无理由退货天数（长于法定 7 天）"),
    "free_pickup": _("退货免费上门取件"),
    "claim_deadline_hours": _("理赔优先处理：商家处理时限（小时）"),
    "compensation_fen": _("品质问题退款另加固定补偿（分）"),
    "compensation_multiple": _("品质问题退款另加价款倍数补偿"),
}
RETURN_DAYS_MAX = 90
CLAIM_DEADLINE_HOURS_MAX = 24  # the 坏单包赔 rules' own deadline: a promise can only shorten it
COMPENSATION_FEN_MAX = 1_000_000
COMPENSATION_MULTIPLE_MAX = 10
PROMISE_TEXT_MAX = 60
# Under this many decided requests the record's share and median are too few to judge: those conditions pass.
REQUESTS_MIN_DEFAULT = 5


def _refuse(field: str, message: Any, **details: Any) -> InvalidInput:
    return InvalidInput(errors.TERMS_INVALID, message, details={"field": field, **details})


def _int(value: Any, *, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _share(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def _names(value: Any, allowed: Iterable[str]) -> bool:
    allowed = set(allowed)
    return isinstance(value, list) and all(isinstance(v, str) and v in allowed for v in value) and len(
        set(value)) == len(value)


def eligibility_clean(eligibility: Any) -> dict[str, Any]:
    """The eligibility conditions, checked against the vocabulary; anything else is refused."""
    if not isinstance(eligibility, Mapping):
        raise _refuse("eligibility", _("加入条件必须是“条件名: 门槛”的对象"))
    unknown = sorted(set(eligibility) - ELIGIBILITY_KEYS)
    if unknown:
        raise _refuse("eligibility", _("不认识的加入条件：%(keys)s") % {"keys": ", ".join(map(str, unknown))},
                      unknown=unknown)
    checks = {
        "merchant_active": lambda v: v is True,
        "deposit_min_fen": lambda v: _int(v, low=0, high=10**10),
        "insurance": lambda v: _names(v, PolicyKind.values) and bool(v),
        "guarantees": lambda v: _names(v, GUARANTEES) and bool(v),
        "categories": lambda v: v is True,
        "upheld_share_min": _share,
        "refund_median_hours_max": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 720,
        "requests_min": lambda v: _int(v, low=1, high=1000),
    }
    for key, value in eligibility.items():
        if not checks[key](value):
            raise _refuse("eligibility", _("加入条件 %(key)s 的门槛不合理：%(value)s") % {"key": key, "value": value},
                          key=key)
    return dict(eligibility)


def promises_clean(promises: Any) -> list[dict[str, Any]]:
    """The promises, each an id of the vocabulary with a plausible value and its display text."""
    if not isinstance(promises, list) or not all(isinstance(p, Mapping) for p in promises):
        raise _refuse("promises", _("保障承诺必须是列表，每项含 id、value、text"))
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    checks = {
        "return_days": lambda v: _int(v, low=8, high=RETURN_DAYS_MAX),
        "free_pickup": lambda v: v is True,
        "claim_deadline_hours": lambda v: _int(v, low=1, high=CLAIM_DEADLINE_HOURS_MAX),
        "compensation_fen": lambda v: _int(v, low=1, high=COMPENSATION_FEN_MAX),
        "compensation_multiple": lambda v: _int(v, low=1, high=COMPENSATION_MULTIPLE_MAX),
    }
    for promise in promises:
        pid, value, text = promise.get("id"), promise.get("value"), str(promise.get("text", "")).strip()
        if pid not in checks or set(promise) - {"id", "value", "text"}:
            raise _refuse("promises", _("不认识的保障承诺：%(id)s") % {"id": pid}, unknown=[str(pid)])
        if pid in seen:
            raise _refuse("promises", _("保障承诺 %(id)s 重复") % {"id": pid})
        if not checks[pid](value):
            raise _refuse("promises", _("保障承诺 %(id)s 的数值不合理：%(value)s") % {"id": pid, "value": value})
        if not 1 <= len(text) <= PROMISE_TEXT_MAX:
            raise _refuse("promises", _("请为保障承诺 %(id)s 填写说明（不超过 60 字）") % {"id": pid})
        seen.add(pid)
        cleaned.append({"id": pid, "value": value, "text": text})
    if {"compensation_fen", "compensation_multiple"} <= seen:
        raise _refuse("promises", _("固定补偿和倍数补偿只能选一种"))
    return cleaned


def categories_clean(categories: Any) -> list[str]:
    if not _names(categories, ProductCategory.values):
        raise _refuse("categories", _("请选择有效的品类"))
    return sorted(categories)


# -- evaluation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MerchantFacts:
    """What the conditions look at, gathered once per merchant."""

    active: bool
    deposit_fen: int
    insurance: frozenset[str]
    categories: frozenset[str]
    record: AftersaleRecord


def merchant_facts(merchant: Organization) -> MerchantFacts:
    deposit = Account.objects.filter(kind=AccountKind.MERCHANT_DEPOSIT, organization=merchant).values_list(
        "balance_fen", flat=True).first()
    insurance = InsuranceSubscription.objects.filter(merchant=merchant, policy__active=True).values_list(
        "policy__kind", flat=True)
    categories = Product.objects.filter(merchant=merchant, status=ProductStatus.ACTIVE).values_list(
        "category", flat=True)
    return MerchantFacts(
        active=merchant.status == OrganizationStatus.ACTIVE, deposit_fen=deposit or 0,
        insurance=frozenset(insurance), categories=frozenset(categories),
        record=merchant_aftersale_record(merchant=merchant),
    )


def eligibility_evaluate(
    *, eligibility: Mapping[str, Any], programme_categories: Iterable[str], facts: MerchantFacts,
    guarantees: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Every condition of the programme: {"id", "value", "threshold", "passed"}, in the vocabulary's order."""
    accepted = set(guarantees)
    record = facts.record
    judged = record.decided >= int(eligibility.get("requests_min", REQUESTS_MIN_DEFAULT))
    conditions: list[dict[str, Any]] = []
    for key in CONDITION_LABELS:
        if key not in eligibility:
            continue
        threshold = eligibility[key]
        value: Any
        if key == "merchant_active":
            value, passed = facts.active, facts.active
        elif key == "deposit_min_fen":
            value, passed = facts.deposit_fen, facts.deposit_fen >= threshold
        elif key == "insurance":
            value = sorted(facts.insurance)
            passed = set(threshold) <= facts.insurance
        elif key == "guarantees":
            value = sorted(accepted)
            passed = set(threshold) <= accepted
        elif key == "categories":
            covered = set(programme_categories)
            value = sorted(facts.categories & covered) if covered else sorted(facts.categories)
            passed = bool(value)
            threshold = sorted(covered)
        elif key == "upheld_share_min":
            value = record.upheld_share if judged else None
            passed = value is None or value >= threshold
        else:  # refund_median_hours_max
            value = record.refund_median_hours if judged else None
            passed = value is None or value <= threshold
        conditions.append({"id": key, "value": value, "threshold": threshold, "passed": bool(passed)})
    return conditions


def failed_of(conditions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The failed conditions, as kept on a membership the review ended: {id: value}."""
    return {c["id"]: c["value"] for c in conditions if not c["passed"]}


def condition_words(condition: Mapping[str, Any]) -> str:
    """One condition of the checklist in words: what is asked and what was found."""
    key: str = condition["id"]
    value: Any = condition.get("value")
    threshold: Any = condition.get("threshold")
    label = CONDITION_LABELS.get(key, key)
    found: Any
    if key == "deposit_min_fen":
        found = _("余额 ¥%(have).2f，要求 ¥%(need).2f") % {"have": value / 100, "need": threshold / 100}
    elif key == "insurance":
        names = dict(PolicyKind.choices)
        found = _("已投保：%(have)s；要求：%(need)s") % {
            "have": "、".join(str(names.get(v, v)) for v in value) or "—",
            "need": "、".join(str(names.get(v, v)) for v in threshold)}
    elif key == "guarantees":
        found = _("要求：%(need)s") % {"need": "；".join(str(GUARANTEES.get(v, v)) for v in threshold)}
    elif key == "categories":
        labels = dict(ProductCategory.choices)
        found = _("在售：%(have)s") % {"have": "、".join(str(labels.get(v, v)) for v in value) or "—"}
    elif key in ("upheld_share_min", "refund_median_hours_max") and value is None:
        found = _("售后记录太少，暂不评判")
    elif key == "upheld_share_min":
        found = _("%(have).0f%%，要求至少 %(need).0f%%") % {"have": value * 100, "need": threshold * 100}
    elif key == "refund_median_hours_max":
        found = _("%(have).1f 小时，要求不超过 %(need)s 小时") % {"have": value, "need": threshold}
    else:
        found = _("是") if value else _("否")
    return f"{label}（{found}）"


# -- promises the request flow honours ---------------------------------------------------------------------


def promise_value(promises: Iterable[Mapping[str, Any]], promise_id: str) -> Any:
    return next((p["value"] for p in promises if p.get("id") == promise_id), None)


def promises_in_force(*, merchant_id: int, category: str, at: datetime) -> list[dict[str, Any]]:
    """The promises of every programme the merchant belonged to at `at` that covers `category` (an empty list of
    categories covers all), merged: for a number the most generous value wins."""
    memberships = ProgrammeMembership.objects.filter(
        Q(left_at__isnull=True) | Q(left_at__gt=at), merchant_id=merchant_id, joined_at__lte=at,
    ).select_related("programme")
    merged: dict[str, dict[str, Any]] = {}
    for membership in memberships:
        programme = membership.programme
        if programme.categories and category not in programme.categories:
            continue
        for promise in programme.promises:
            kept = merged.get(promise["id"])
            if kept is None or _more_generous(promise, kept):
                merged[promise["id"]] = dict(promise)
    return [merged[key] for key in PROMISE_LABELS if key in merged]


def _more_generous(promise: Mapping[str, Any], kept: Mapping[str, Any]) -> bool:
    if promise["id"] == "claim_deadline_hours":  # a shorter deadline is the better promise
        return bool(promise["value"] < kept["value"])
    return bool(promise["value"] > kept["value"])


def compensation_fen(promises: Iterable[Mapping[str, Any]], *, price_fen: int) -> int:
    """What a quality claim pays on top of the refund under these promises (0: none promised)."""
    promises = list(promises)
    fixed = promise_value(promises, "compensation_fen")
    multiple = promise_value(promises, "compensation_multiple")
    return int(fixed or 0) + int(multiple or 0) * price_fen


def eligibility_words(eligibility: Mapping[str, Any]) -> list[str]:
    """The programme's conditions in words, for its public page (what a member has to keep up)."""
    words: list[str] = []
    judged = int(eligibility.get("requests_min", REQUESTS_MIN_DEFAULT))
    for key in CONDITION_LABELS:
        if key not in eligibility:
            continue
        threshold = eligibility[key]
        if key == "deposit_min_fen":
            words.append(str(_("保证金余额不少于 ¥%(need).2f") % {"need": threshold / 100}))
        elif key == "insurance":
            names = dict(PolicyKind.choices)
            words.append(str(_("投保：%(need)s") % {"need": "、".join(str(names.get(v, v)) for v in threshold)}))
        elif key == "guarantees":
            words.append(str(_("承诺：%(need)s") % {"need": "；".join(str(GUARANTEES.get(v, v)) for v in threshold)}))
        elif key == "upheld_share_min":
            words.append(str(_("近 90 天售后支持买家的比例不低于 %(need).0f%%（已处理不足 %(n)s 单时暂不评判）") % {
                "need": threshold * 100, "n": judged}))
        elif key == "refund_median_hours_max":
            words.append(str(_("近 90 天退款时长中位数不超过 %(need)s 小时（已处理不足 %(n)s 单时暂不评判）") % {
                "need": threshold, "n": judged}))
        else:
            words.append(str(CONDITION_LABELS[key]))
    return words

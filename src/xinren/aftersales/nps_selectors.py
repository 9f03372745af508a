"""Reads of the after-sales NPS: the question on the consumer's own request, and the operators' figures per merchant,
per programme and per category (programme members against the rest — the seeds' comparison).

An answer counts for a programme when its merchant was a member when the consumer answered
(`joined_at <= answered_at < left_at`) and the programme covers the answer's category (no categories: all of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.catalog.choices import ProductCategory
from xinren.core import clock

from .models import AfterSaleRequest, GuaranteeProgramme, NpsAnswer, ProgrammeMembership
from .nps import DETRACTOR_MAX, PROMOTER_MIN, SCORE_MAX, SCORE_MIN, NpsFigure, closed_moment, question_closes_at

MERCHANTS_SHOWN = 100
_PROMOTER = Q(score__gte=PROMOTER_MIN)
_DETRACTOR = Q(score__lte=DETRACTOR_MAX)


@dataclass(frozen=True)
class NpsQuestion:
    """What the consumer's request page shows: the question (open until `closes_at`) or the answer given."""

    answer: NpsAnswer | None
    open: bool
    closes_at: datetime | None

    @property
    def scores(self) -> range:
        return range(SCORE_MIN, SCORE_MAX + 1)


def consumer_nps_question(*, request: AfterSaleRequest, now: datetime | None = None) -> NpsQuestion:
    """The NPS state of a request already scoped to its consumer (selectors.consumer_request_get)."""
    answer = NpsAnswer.objects.filter(request=request).first()
    closed = closed_moment(request, now=now or clock.now())
    if answer is not None or closed is None:
        return NpsQuestion(answer=answer, open=False, closes_at=None)
    closes_at = question_closes_at(closed)
    return NpsQuestion(answer=None, open=(now or clock.now()) < closes_at, closes_at=closes_at)


@dataclass(frozen=True)
class NpsRow:
    """One line of the operators' tables: what it is about and its figure."""

    key: str
    label: str
    figure: NpsFigure
    note: str = ""


@dataclass(frozen=True)
class CategoryComparison:
    category: str
    label: str
    members: NpsFigure
    others: NpsFigure


@dataclass(frozen=True)
class NpsOverview:
    overall: NpsFigure
    merchants: list[NpsRow]
    programmes: list[NpsRow]
    categories: list[CategoryComparison]


def _figure(row: Mapping[str, Any], suffix: str = "") -> NpsFigure:
    return NpsFigure(n=row[f"n{suffix}"] or 0, promoters=row[f"promoters{suffix}"] or 0,
                     detractors=row[f"detractors{suffix}"] or 0)


def _counts(condition: Q | None = None, suffix: str = "") -> dict[str, Count]:
    def count(extra: Q | None) -> Count:
        parts = [q for q in (condition, extra) if q is not None]
        return Count("id", filter=reduce(lambda a, b: a & b, parts)) if parts else Count("id")

    return {f"n{suffix}": count(None), f"promoters{suffix}": count(_PROMOTER),
            f"detractors{suffix}": count(_DETRACTOR)}


def _membership_q(membership: ProgrammeMembership) -> Q:
    """Answers given to this merchant while it was a member, in the programme's categories."""
    condition = Q(merchant_id=membership.merchant_id, answered_at__gte=membership.joined_at)
    if membership.left_at is not None:
        condition &= Q(answered_at__lt=membership.left_at)
    categories = membership.programme.categories
    if categories:
        condition &= Q(category__in=list(categories))
    return condition


def _category_label(value: str) -> str:
    return str(ProductCategory(value).label) if value in ProductCategory.values else value


def operator_nps_overview(*, actor: Actor, since: datetime | None = None) -> NpsOverview:
    """NPS overall, per merchant (most answers first), per programme, and per category: programme members against
    the other merchants. Platform organizations only."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    answers: QuerySet[NpsAnswer] = NpsAnswer.objects.all()
    if since is not None:
        answers = answers.filter(answered_at__gte=since)
    memberships = list(ProgrammeMembership.objects.select_related("programme").order_by("programme_id", "id"))
    current: dict[int, list[str]] = {}
    for membership in memberships:
        if membership.left_at is None:
            current.setdefault(membership.merchant_id, []).append(membership.programme.name)

    overall = _figure(answers.aggregate(**_counts()))
    per_merchant: list[Mapping[str, Any]] = list(answers.values("merchant_id", "merchant__name").annotate(**_counts()))
    per_merchant.sort(key=lambda row: (-row["n"], row["merchant__name"]))
    merchants = [
        NpsRow(key=str(row["merchant_id"]), label=row["merchant__name"], figure=_figure(row),
               note="、".join(current.get(row["merchant_id"], [])))
        for row in per_merchant[:MERCHANTS_SHOWN]
    ]

    programmes = []
    for programme in GuaranteeProgramme.objects.order_by("name", "id"):
        windows = [_membership_q(m) for m in memberships if m.programme_id == programme.pk]
        figure = (_figure(answers.filter(reduce(or_, windows)).aggregate(**_counts())) if windows
                  else NpsFigure(n=0, promoters=0, detractors=0))
        programmes.append(NpsRow(key=programme.slug, label=programme.name, figure=figure,
                                 note=str(programme.get_status_display())))

    member_q = reduce(or_, [_membership_q(m) for m in memberships]) if memberships else None
    rows: QuerySet[Any, Any] = answers.values("category").annotate(**_counts())
    if member_q is not None:
        rows = rows.annotate(**_counts(member_q, "_in"))
    categories = []
    for row in rows.order_by("category"):
        everyone = _figure(row)
        members = _figure(row, "_in") if member_q is not None else NpsFigure(n=0, promoters=0, detractors=0)
        others = NpsFigure(n=everyone.n - members.n, promoters=everyone.promoters - members.promoters,
                           detractors=everyone.detractors - members.detractors)
        categories.append(CategoryComparison(category=row["category"], label=_category_label(row["category"]),
                                             members=members, others=others))
    return NpsOverview(overall=overall, merchants=merchants, programmes=programmes, categories=categories)

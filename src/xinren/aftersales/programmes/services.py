"""Writes of the guarantee programmes: operators publish and edit them, merchants join and leave, the daily review
ends memberships that no longer qualify. Every refusal comes before anything is written.

Lock order: GuaranteeProgramme → ProgrammeMembership. A membership's start and end are signed
`programme.membership` statements (the platform's), and the merchant's product pages are queued for publishing in
the same transaction, so the badge appears and disappears with the fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.accounts.services import platform_organization
from xinren.attest.signing import statement_sign_and_append
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale

from ..models import AfterSaleRequest
from ..models.programmes import GuaranteeProgramme, ProgrammeMembership
from ..selectors import RECORD_DAYS
from . import errors
from .choices import LeftReason, ProgrammeStatus
from .rules import (
    GUARANTEES,
    categories_clean,
    eligibility_clean,
    eligibility_evaluate,
    failed_of,
    merchant_facts,
    promises_clean,
)
from .statements import membership_statement

PLATFORM = [OrganizationKind.PLATFORM]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FIELD_NAMES: dict[str, Any] = {"name": _("名称"), "summary": _("简介"), "badge_label": _("徽章文字")}


@dataclass(frozen=True)
class ProgrammeTerms:
    """What an operator writes about a programme; `programme_publish` and `programme_edit` check all of it."""

    name: str
    summary: str
    badge_label: str
    categories: list[str] = field(default_factory=list)
    eligibility: dict[str, Any] = field(default_factory=dict)
    promises: list[dict[str, Any]] = field(default_factory=list)
    badge_colour: str = "#c0392b"


def _text(value: str, *, field_name: str, limit: int) -> str:
    value = (value or "").strip()
    if not 1 <= len(value) <= limit:
        raise InvalidInput(errors.TERMS_INVALID, _("请填写%(field)s（不超过 %(limit)s 字）") % {
            "field": FIELD_NAMES[field_name], "limit": limit}, details={"field": field_name})
    return value


def terms_clean(terms: ProgrammeTerms) -> ProgrammeTerms:
    """The terms with every part checked against the vocabulary (programmes/rules.py); anything else refused."""
    if not COLOUR.match(terms.badge_colour or ""):
        raise InvalidInput(errors.TERMS_INVALID, _("徽章颜色应为 #RRGGBB"), details={"field": "badge_colour"})
    return ProgrammeTerms(
        name=_text(terms.name, field_name="name", limit=40), summary=_text(terms.summary, field_name="summary",
                                                                           limit=200),
        badge_label=_text(terms.badge_label, field_name="badge_label", limit=16),
        categories=categories_clean(terms.categories), eligibility=eligibility_clean(terms.eligibility),
        promises=promises_clean(terms.promises), badge_colour=terms.badge_colour.lower(),
    )


def _programme_locked(programme_id: int) -> GuaranteeProgramme:
    programme = GuaranteeProgramme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(errors.PROGRAMME_NOT_FOUND, _("找不到该保障计划"))
    return programme


def _pages_queue(merchant_ids: Iterable[int]) -> None:
    """The merchant's product pages (and from there its lots and items) show the badge: publish them again."""
    product_ids = Product.objects.filter(merchant_id__in=list(merchant_ids)).values_list("pk", flat=True)
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=product_ids)


@transaction.atomic
def programme_publish(*, actor: Actor, slug: str, terms: ProgrammeTerms) -> GuaranteeProgramme:
    """An operator (platform admin) publishes a new programme, version 1."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM)
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug):
        raise InvalidInput(errors.TERMS_INVALID, _("标识只能用小写字母、数字和连字符（2–40 个）"),
                           details={"field": "slug"})
    terms = terms_clean(terms)
    if GuaranteeProgramme.objects.filter(slug=slug).exists():
        raise Conflict(errors.SLUG_TAKEN, _("该标识已被使用"), details={"field": "slug"})
    now = clock.now()
    programme = GuaranteeProgramme.objects.create(
        slug=slug, name=terms.name, summary=terms.summary, categories=terms.categories,
        eligibility=terms.eligibility, promises=terms.promises, badge_label=terms.badge_label,
        badge_colour=terms.badge_colour, version=1, status=ProgrammeStatus.ACTIVE, created_at=now, updated_at=now,
    )
    audit_record(actor=actor.user, organization=actor.organization, action="programme.publish", target=programme,
                 data={"slug": slug, "version": 1})
    return programme


@transaction.atomic
def programme_edit(*, actor: Actor, programme_id: int, terms: ProgrammeTerms) -> GuaranteeProgramme:
    """An operator edits a programme; a change of what it asks or promises (eligibility, promises, categories) is a
    new terms version. Members keep the version they joined under until the daily review re-checks them."""
    actor.require(role=Role.ADMIN, kinds=PLATFORM)
    terms = terms_clean(terms)
    programme = _programme_locked(programme_id)
    if programme.status != ProgrammeStatus.ACTIVE:
        raise Conflict(errors.RETIRED, _("该保障计划已停止，不能修改"))
    changed = (terms.eligibility, terms.promises, terms.categories) != (
        programme.eligibility, programme.promises, sorted(programme.categories))
    if changed:
        programme.version += 1
    for name in ("name", "summary", "badge_label", "badge_colour", "categories", "eligibility", "promises"):
        setattr(programme, name, getattr(terms, name))
    programme.updated_at = clock.now()
    programme.save()
    audit_record(actor=actor.user, organization=actor.organization, action="programme.edit", target=programme,
                 data={"version": programme.version, "terms_changed": changed})
    _pages_queue(programme.memberships.filter(left_at__isnull=True).values_list("merchant_id", flat=True))
    return programme


def programme_checklist(*, programme: GuaranteeProgramme, merchant: Organization,
                        guarantees: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every condition of the programme for this merchant (what the console shows before joining)."""
    return eligibility_evaluate(eligibility=programme.eligibility, programme_categories=programme.categories,
                                facts=merchant_facts(merchant), guarantees=guarantees)


def _sign(membership: ProgrammeMembership, *, event: str, at: datetime) -> str:
    return statement_sign_and_append(organization=platform_organization(),
                                     statement=membership_statement(membership, event=event, at=at)).leaf_hash


@transaction.atomic
def programme_join(*, actor: Actor, programme_id: int, guarantees: Iterable[str] = ()) -> ProgrammeMembership:
    """The merchant's staff join a programme: every condition must pass; the guarantees accepted are kept."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    accepted = sorted(set(guarantees))
    if any(g not in GUARANTEES for g in accepted):
        raise InvalidInput(errors.TERMS_INVALID, _("不认识的保障"), details={"field": "guarantees"})
    programme = _programme_locked(programme_id)
    merchant = actor.organization
    if programme.status != ProgrammeStatus.ACTIVE:
        raise Conflict(errors.RETIRED, _("该保障计划已停止，不能加入"))
    if programme.memberships.filter(merchant=merchant, left_at__isnull=True).exists():
        raise Conflict(errors.ALREADY_MEMBER, _("已经加入该保障计划"))
    conditions = programme_checklist(programme=programme, merchant=merchant, guarantees=accepted)
    failed = failed_of(conditions)
    if failed:
        raise Conflict(errors.NOT_ELIGIBLE, _("尚未满足加入条件：%(failed)s") % {"failed": ", ".join(failed)},
                       details={"failed": sorted(failed)})
    now = clock.now()
    membership = ProgrammeMembership.objects.create(
        programme=programme, merchant=merchant, version=programme.version, joined_at=now, guarantees=accepted)
    membership.joined_leaf_hash = _sign(membership, event="start", at=now)
    membership.save(update_fields=["joined_leaf_hash"])
    _pages_queue([merchant.pk])
    return membership


def _end(membership: ProgrammeMembership, *, reason: str, details: dict[str, Any], at: datetime) -> None:
    membership.left_at, membership.left_reason, membership.left_details = at, reason, details
    membership.left_leaf_hash = _sign(membership, event="end", at=at)
    membership.save(update_fields=["left_at", "left_reason", "left_details", "left_leaf_hash"])
    _pages_queue([membership.merchant_id])


@transaction.atomic
def programme_leave(*, actor: Actor, programme_id: int) -> ProgrammeMembership:
    """The merchant's staff leave a programme: the badge goes, the membership's history stays."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    programme = _programme_locked(programme_id)
    membership = ProgrammeMembership.objects.select_for_update().filter(
        programme=programme, merchant=actor.organization, left_at__isnull=True).first()
    if membership is None:
        raise Conflict(errors.NOT_MEMBER, _("尚未加入该保障计划"))
    _end(membership, reason=LeftReason.WITHDRAWN, details={}, at=clock.now())
    return membership


@dataclass
class ReviewReport:
    checked: int = 0
    ended: list[int] = field(default_factory=list)  # membership ids
    refreshed_merchants: int = 0


def programmes_review(*, now: datetime | None = None) -> ReviewReport:
    """Daily: re-check every standing membership under its programme's current terms and end those that fail
    (the failed conditions kept on the row and in the statement); then queue the pages of merchants whose after-sale
    record may have moved since yesterday, so the published figures are at most a day old."""
    now = now or clock.now()
    report = ReviewReport()
    for membership_id, programme_id in ProgrammeMembership.objects.filter(left_at__isnull=True).order_by(
            "programme_id", "id").values_list("pk", "programme_id"):
        report.checked += 1
        with transaction.atomic():
            _programme_locked(programme_id)
            membership = ProgrammeMembership.objects.select_for_update(of=("self",)).select_related(
                "programme", "merchant").filter(pk=membership_id, left_at__isnull=True).first()
            if membership is None:  # the merchant left meanwhile
                continue
            failed = failed_of(programme_checklist(programme=membership.programme, merchant=membership.merchant,
                                                   guarantees=membership.guarantees))
            if failed:
                _end(membership, reason=LeftReason.NO_LONGER_ELIGIBLE, details=failed, at=now)
                report.ended.append(membership.pk)
    with transaction.atomic():
        day = timedelta(days=1)
        window_edge = now - timedelta(days=RECORD_DAYS)
        merchants = set(AfterSaleRequest.objects.filter(
            Q(updated_at__gt=now - day) | Q(created_at__gt=window_edge - day, created_at__lte=window_edge)
        ).values_list("merchant_id", flat=True).distinct())
        report.refreshed_merchants = len(merchants)
        _pages_queue(merchants)
    return report

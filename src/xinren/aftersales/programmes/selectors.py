"""Reads of the guarantee programmes: public (the programme page, badges on pages) and the console's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.core.errors import NotFound

from ..models.programmes import GuaranteeProgramme, ProgrammeMembership
from . import errors
from .choices import ProgrammeStatus


def programme_public_list() -> QuerySet[GuaranteeProgramme]:
    return GuaranteeProgramme.objects.filter(status=ProgrammeStatus.ACTIVE)


def programme_public_get(*, slug: str) -> GuaranteeProgramme:
    programme = GuaranteeProgramme.objects.filter(slug=slug).first()
    if programme is None:
        raise NotFound(errors.PROGRAMME_NOT_FOUND, _("找不到该保障计划"))
    return programme


def programme_members(*, programme: GuaranteeProgramme) -> QuerySet[ProgrammeMembership]:
    """Standing members, longest first (public: a badge's page names who carries it)."""
    return programme.memberships.filter(left_at__isnull=True).select_related("merchant").order_by("joined_at", "id")


def programme_console_list(*, actor: Actor) -> QuerySet[GuaranteeProgramme]:
    """Operators see every programme; merchants the active ones they may join."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM, *CATALOG_KINDS])
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return GuaranteeProgramme.objects.all()
    return programme_public_list()


def programme_console_get(*, actor: Actor, programme_id: int) -> GuaranteeProgramme:
    programme = programme_console_list(actor=actor).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(errors.PROGRAMME_NOT_FOUND, _("找不到该保障计划"))
    return programme


def membership_history(*, actor: Actor, programme: GuaranteeProgramme) -> QuerySet[ProgrammeMembership]:
    """Every membership, standing and ended (operators), or the merchant's own."""
    memberships = programme.memberships.select_related("merchant")
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return memberships
    return memberships.filter(merchant=actor.organization)


@dataclass(frozen=True)
class Badge:
    slug: str
    name: str
    label: str
    colour: str
    promises: list[str]


def badges_for(*, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[Badge]]:
    """The badges each (merchant id, product category) carries: standing memberships of programmes covering the
    category. One query for a whole product list."""
    pairs = set(pairs)
    found: dict[tuple[int, str], list[Badge]] = {pair: [] for pair in pairs}
    memberships = ProgrammeMembership.objects.filter(
        merchant_id__in={merchant_id for merchant_id, _ in pairs}, left_at__isnull=True,
        programme__status=ProgrammeStatus.ACTIVE,
    ).select_related("programme").order_by("programme__name", "programme_id")
    for membership in memberships:
        programme = membership.programme
        badge = Badge(slug=programme.slug, name=programme.name, label=programme.badge_label,
                      colour=programme.badge_colour, promises=[str(p["text"]) for p in programme.promises])
        for merchant_id, category in pairs:
            if merchant_id == membership.merchant_id and (not programme.categories or category in programme.categories):
                found[(merchant_id, category)].append(badge)
    return found


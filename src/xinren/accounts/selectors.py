"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.core.errors import PermissionDenied

from .actors import Actor
from .choices import OrganizationKind, OrganizationStatus
from .models import ApiKey, Membership, Organization, User

# The session key under which web pages remember which of a person's organizations they act for.
SESSION_ORGANIZATION_KEY = "merchant_organization_id"
# The slug of the platform organization that the demo and the set-up create.
PLATFORM_SLUG = "xinren"


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def actor_for_user(*, user: User, organization_id: int | None = None) -> Actor:
    """The actor for a signed-in person in one of their organizations (the first one if none is named)."""
    memberships = membership_list_for_user(user=user)
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    membership = memberships.first()
    if membership is None:
        raise PermissionDenied("permission.no_membership", _("你不是任何组织的成员"))
    return Actor(organization=membership.organization, role=membership.role, user=user)


def platform_find() -> Organization | None:
    """The platform's own active organization (kind "platform"; the demo's slug is "xinren"), or None.

    It signs what the platform vouches for on behalf of people who have no organization: verified reviews,
    a buyer's confirmation of delivery, verification results.
    """
    platforms = Organization.objects.filter(kind=OrganizationKind.PLATFORM, status=OrganizationStatus.ACTIVE)
    return platforms.filter(slug=PLATFORM_SLUG).first() or platforms.order_by("pk").first()


def organization_list(*, kind: str | None = None) -> QuerySet[Organization]:
    organizations = Organization.objects.all()
    if kind:
        organizations = organizations.filter(kind=kind)
    return organizations


def api_key_list(*, actor: Actor) -> QuerySet[ApiKey]:
    """The actor's organization's API keys, newest first (hashes only, never the keys)."""
    return ApiKey.objects.filter(organization=actor.organization).order_by("-created_at", "-id")

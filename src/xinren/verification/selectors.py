"""Reads of credentials and verification results, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.core.errors import NotFound

from . import errors
from .choices import CredentialStatus
from .models import Credential, CredentialCheck, RegistryImport


def credential_list(*, actor: Actor) -> QuerySet[Credential]:
    """The actor's organization's credentials, newest first."""
    actor.require(role=Role.VIEWER)
    return Credential.objects.filter(organization=actor.organization).order_by("-created_at", "-id")


def credential_get(*, actor: Actor, credential_id: int) -> Credential:
    credential = credential_list(actor=actor).filter(pk=credential_id).first()
    if credential is None:
        raise NotFound(errors.CREDENTIAL_NOT_FOUND, _("找不到该证书"))
    return credential


def check_list(*, actor: Actor) -> QuerySet[CredentialCheck]:
    """Verification results about the actor's organization (a platform operator sees all of them)."""
    actor.require(role=Role.VIEWER)
    checks = CredentialCheck.objects.select_related("organization").order_by("-checked_at", "-id")
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return checks
    return checks.filter(organization=actor.organization)


def credentials_live(*, organization: Organization, kind: str) -> list[tuple[Credential, CredentialCheck | None]]:
    """Public: the organization's credentials of a kind that are not withdrawn, each with its latest check."""
    credentials = list(
        Credential.objects.filter(organization=organization, kind=kind)
        .exclude(status=CredentialStatus.WITHDRAWN)
        .order_by("-created_at", "-id")
    )
    latest: dict[int, CredentialCheck] = {}
    for check in CredentialCheck.objects.filter(credential__in=credentials).order_by("checked_at", "id"):
        assert check.credential_id is not None
        latest[check.credential_id] = check
    return [(credential, latest.get(credential.pk)) for credential in credentials]


def registry_import_list() -> QuerySet[RegistryImport]:
    """Every import, current and superseded (public: which registries the platform checks against)."""
    return RegistryImport.objects.order_by("kind", "source", "-version")


def credential_kinds_in_force(organization_id: int) -> frozenset[str]:
    """The kinds of the organization's verified credentials in force today (what its copy may claim: 有机 needs
    `organic`, 绿色食品 `green_food`; catalog asks through `catalog.claims`)."""
    today = timezone.localdate()
    rows = Credential.objects.filter(organization_id=organization_id, status=CredentialStatus.VERIFIED).values_list(
        "kind", "valid_until"
    )
    return frozenset(kind for kind, valid_until in rows if valid_until is None or valid_until >= today)

"""Writes for organizations, memberships and API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

from .actors import Actor
from .choices import OrganizationKind, OrganizationStatus, Role
from .models import ApiKey, Membership, Organization, User
from .selectors import platform_find
from .uscc import uscc_is_valid

API_KEY_PREFIX = "xr"


@transaction.atomic
def organization_create(
    *,
    name: str,
    kind: str,
    uscc: str | None,
    slug: str = "",
    region: str = "",
    gln: str = "",
    description: str = "",
    owner: User | None = None,
) -> Organization:
    """Register an organization (a platform operator's act) and make `owner` its owner."""
    if kind not in OrganizationKind.values:
        raise InvalidInput("organization.kind_invalid", _("未知的组织类型"), details={"kind": kind})
    uscc = (uscc or "").strip().upper() or None
    if kind != OrganizationKind.PLATFORM and uscc is None:
        raise InvalidInput("organization.uscc_required", _("企业必须填写统一社会信用代码"))
    if uscc is not None and not uscc_is_valid(uscc):
        raise InvalidInput("organization.uscc_invalid", _("统一社会信用代码无效（校验位不符）"), details={"uscc": uscc})
    if uscc is not None and Organization.objects.filter(uscc=uscc).exists():
        raise Conflict("organization.uscc_taken", _("该统一社会信用代码已注册"), details={"uscc": uscc})
    slug = slug or slugify(name) or f"org-{secrets.token_hex(4)}"
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict("organization.slug_taken", _("该组织标识已被使用"), details={"slug": slug})
    organization = Organization.objects.create(
        name=name, kind=kind, uscc=uscc, slug=slug, region=region, gln=gln, description=description
    )
    if owner is not None:
        Membership.objects.create(user=owner, organization=organization, role=Role.OWNER)
    audit_record(actor=owner, organization=organization, action="organization.create", target=organization)
    return organization


# A platform created lazily gets its own slug, so that it never looks like a loaded demo.
LAZY_PLATFORM_SLUG = "xinren-platform"


def platform_organization() -> Organization:
    """The platform organization that signs what the platform vouches for; created (without a USCC) when absent.

    A suspended platform is not silently replaced by a new one: that refuses with 503 `platform.suspended`.
    """
    platform = platform_find()
    if platform is not None:
        return platform
    if Organization.objects.filter(kind=OrganizationKind.PLATFORM).exists():
        raise DomainError("platform.suspended", _("平台组织已被暂停，暂时无法签署"), status=503)
    return organization_create(name="信任平台", kind=OrganizationKind.PLATFORM, uscc=None, slug=LAZY_PLATFORM_SLUG)


@transaction.atomic
def membership_add(*, actor: Actor, user: User, role: str) -> Membership:
    """Add a person to the actor's organization; only admins may, and nobody may grant more than they have."""
    actor.require(role=Role.ADMIN)
    if role not in Role.values:
        raise InvalidInput("membership.role_invalid", _("未知的角色"), details={"role": role})
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("permission.role", _("只有负责人可以任命负责人"))
    membership, created = Membership.objects.get_or_create(
        user=user, organization=actor.organization, defaults={"role": role}
    )
    if not created:
        raise Conflict("membership.exists", _("该用户已是成员"))
    audit_record(
        actor=actor.user, organization=actor.organization, action="membership.add", target=membership,
        data={"role": role},
    )
    return membership


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor: Actor, name: str, role: str = Role.STAFF) -> tuple[ApiKey, str]:
    """Create an API key for the actor's organization. The plaintext is returned once and never stored."""
    actor.require(role=Role.ADMIN)
    if role not in (Role.STAFF, Role.VIEWER):
        raise InvalidInput("api_key.role_invalid", _("API 密钥只能是员工或只读权限"))
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        organization=actor.organization,
        name=name,
        prefix=prefix,
        key_hash=_hash_key(raw),
        role=role,
        created_by=actor.user,
    )
    audit_record(actor=actor.user, organization=actor.organization, action="api_key.create", target=key)
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    """Revoke one of the actor's organization's keys."""
    actor.require(role=Role.ADMIN)
    key = ApiKey.objects.filter(organization=actor.organization, pk=key_id).first()
    if key is None:
        raise NotFound("api_key.not_found", _("找不到该 API 密钥"))
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor.user, organization=actor.organization, action="api_key.revoke", target=key)
    return key


def api_key_authenticate(*, raw: str) -> Actor | None:
    """The actor behind a presented key, or None when it is unknown, malformed or revoked."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("organization").filter(prefix=parts[1]).first()
    if key is None or key.revoked_at is not None:
        return None
    if not secrets.compare_digest(key.key_hash, _hash_key(raw)):
        return None
    if key.organization.status != OrganizationStatus.ACTIVE:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=clock.now())
    return Actor(organization=key.organization, role=key.role, api_key=key)

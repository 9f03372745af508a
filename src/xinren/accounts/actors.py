"""Who is acting: a person or an API key, always on behalf of one organization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xinren.core.errors import PermissionDenied

from .choices import ROLE_RANK, OrganizationStatus, Role
from .models import ApiKey, Organization, User


@dataclass(frozen=True)
class Actor:
    """The acting party that every service receives. Scoping always starts from `organization`."""

    organization: Organization
    role: str
    user: User | None = None
    api_key: ApiKey | None = None

    @property
    def label(self) -> str:
        if self.user is not None:
            return str(self.user)
        if self.api_key is not None:
            return f"api:{self.api_key.prefix}"
        return "system"

    def require(self, *, role: str = Role.STAFF, kinds: Iterable[str] | None = None) -> None:
        """Refuse unless the actor has at least `role` and its organization is one of `kinds`."""
        if self.organization.status != OrganizationStatus.ACTIVE:
            raise PermissionDenied("organization.suspended", _("该组织已被暂停，不能进行此操作"))
        if ROLE_RANK[Role(self.role)] < ROLE_RANK[Role(role)]:
            raise PermissionDenied(
                "permission.role", _("你的角色无权进行此操作"), details={"required_role": str(role)}
            )
        if kinds is not None and self.organization.kind not in set(kinds):
            raise PermissionDenied(
                "permission.organization_kind",
                _("此类组织不能进行此操作"),
                details={"organization_kind": self.organization.kind},
            )

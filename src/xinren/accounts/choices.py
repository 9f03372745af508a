"""Organization kinds and membership roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    MERCHANT = "merchant", _("商家")
    SUPPLIER = "supplier", _("供应商")
    LAB = "lab", _("检测机构")
    LOGISTICS = "logistics", _("物流")
    INSURER = "insurer", _("保险")
    REGULATOR = "regulator", _("监管")
    ALLIANCE = "alliance", _("行业协会/联盟")
    PLATFORM = "platform", _("平台")


# Kinds that may register products and batches.
CATALOG_KINDS = frozenset({OrganizationKind.MERCHANT, OrganizationKind.SUPPLIER})
# Kinds that may record trace events about items they handle.
TRACE_KINDS = frozenset(
    {
        OrganizationKind.MERCHANT,
        OrganizationKind.SUPPLIER,
        OrganizationKind.LOGISTICS,
        OrganizationKind.LAB,
    }
)


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("已暂停")


class Role(models.TextChoices):
    OWNER = "owner", _("负责人")
    ADMIN = "admin", _("管理员")
    STAFF = "staff", _("员工")
    VIEWER = "viewer", _("只读")


# What each role may do; a role includes everything of the roles below it.
ROLE_RANK = {Role.VIEWER: 0, Role.STAFF: 1, Role.ADMIN: 2, Role.OWNER: 3}

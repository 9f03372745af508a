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


class RestrictionKind(models.TextChoices):
    """What governance may limit about a merchant (accounts/restrictions.py). Valued kinds carry a number."""

    LISTING_LIMIT = "listing_limit", _("在售商品上限")  # value: products on sale at once
    DAILY_ORDER_LIMIT = "daily_order_limit", _("每日订单上限")  # value: orders accepted per day
    NO_NEW_LISTINGS = "no_new_listings", _("暂停上新")
    PAYOUT_HOLD_DAYS = "payout_hold_days", _("货款结算延后")  # value: days after delivery before payout
    PAYOUTS_HELD = "payouts_held", _("暂停结算")
    CLAIM_ESCALATION_HOURS = "claim_escalation_hours", _("售后加速升级")  # value: hours before escalation


VALUED_RESTRICTIONS = frozenset(
    {
        RestrictionKind.LISTING_LIMIT,
        RestrictionKind.DAILY_ORDER_LIMIT,
        RestrictionKind.PAYOUT_HOLD_DAYS,
        RestrictionKind.CLAIM_ESCALATION_HOURS,
    }
)


class RestrictionSource(models.TextChoices):
    """Who put a restriction in place; each source lifts only its own."""

    PROBATION = "probation", _("新手期")
    RISK = "risk", _("风险评估")
    QUALIFICATION = "qualification", _("资质")
    BLACKLIST = "blacklist", _("黑名单")
    OPERATOR = "operator", _("平台运营")


class BlacklistKind(models.TextChoices):
    """What a blacklist entry names (accounts/blacklist.py); each is stored as a keyed hash (accounts/keyed.py)."""

    USCC = "uscc", _("统一社会信用代码")
    ID_NUMBER = "id_number", _("身份证号")
    PHONE = "phone", _("手机号")
    BANK_ACCOUNT = "bank_account", _("银行账号")
    DEVICE = "device", _("设备")


class InterceptionStage(models.TextChoices):
    """Where the blacklist is screened: an application, a listing going on sale, an order, a payout."""

    APPLICATION = "application", _("入驻申请")
    LISTING = "listing", _("商品上架")
    ORDER = "order", _("下单")
    PAYOUT = "payout", _("结算")

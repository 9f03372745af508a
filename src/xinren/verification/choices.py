"""Credential kinds, verification outcomes, registry row statuses and credential statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class CredentialKind(models.TextChoices):
    ORGANIC = "organic", _("有机产品认证")
    GEO_INDICATION = "geo_indication", _("地理标志产品")
    GREEN_FOOD = "green_food", _("绿色食品标志许可")
    BUSINESS_CREDIT = "business_credit", _("企业信用/工商登记")
    # The qualifications a merchant shows when it applies to sell (docs/governance.md).
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    FOOD_BUSINESS = "food_business", _("食品经营许可证")
    FOOD_PRODUCTION = "food_production", _("食品生产许可证")
    DRUG_BUSINESS = "drug_business", _("药品经营许可证")
    DEVICE_FILING = "device_filing", _("医疗器械经营备案")
    COSMETICS_FILING = "cosmetics_filing", _("化妆品备案")


class VerificationStatus(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    NOT_FOUND = "not_found", _("查无此证")
    MISMATCH = "mismatch", _("持有人不符")


class RecordStatus(models.TextChoices):
    """What the issuing body's export says of a row (a suspended certificate counts as revoked)."""

    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")


class CredentialStatus(models.TextChoices):
    VERIFIED = "verified", _("核验通过")
    FAILED = "failed", _("核验未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# A failed credential may be checked again (the registry may have been re-imported); a withdrawn one is final.
CREDENTIAL_TRANSITIONS: TransitionTable = {
    CredentialStatus.VERIFIED: frozenset({CredentialStatus.FAILED, CredentialStatus.WITHDRAWN}),
    CredentialStatus.FAILED: frozenset({CredentialStatus.VERIFIED, CredentialStatus.WITHDRAWN}),
    CredentialStatus.WITHDRAWN: frozenset(),
}

"""Credential kinds, verification outcomes, registry row statuses and credential statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class CredentialKind(models.TextChoices):
    ORGANIC = "organic", _("有机产品认证")
    GEO_INDICATION = "geo_indication", _("地理标志产品")
    BUSINESS_CREDIT = "business_credit", _("企业信用/工商登记")


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

"""Statuses of merchant governance and their transition tables (core.transitions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    CHANGES_REQUESTED = "changes_requested", _("待补正")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


# A draft is submitted; a reviewer approves, rejects or sends it back; the applicant fixes and resubmits.
APPLICATION_TRANSITIONS: TransitionTable = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.CHANGES_REQUESTED}
    ),
    ApplicationStatus.CHANGES_REQUESTED: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
}
# The applicant may edit the application in these statuses.
APPLICATION_EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED})


class ApplicationDecisionKind(models.TextChoices):
    APPROVE = "approve", _("通过")
    REQUEST_CHANGES = "request_changes", _("退回补正")
    REJECT = "reject", _("驳回")


DECISION_STATUS = {
    ApplicationDecisionKind.APPROVE: ApplicationStatus.APPROVED,
    ApplicationDecisionKind.REQUEST_CHANGES: ApplicationStatus.CHANGES_REQUESTED,
    ApplicationDecisionKind.REJECT: ApplicationStatus.REJECTED,
}


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("通过")
    FAIL = "fail", _("未通过")
    MANUAL = "manual", _("需人工审核")


class ReviewReason(models.TextChoices):
    """Reasons a reviewer gives besides the rule ids of the automatic checks."""

    ALL_CHECKS_PASSED = "review.all_checks_passed", _("各项检查通过，资料齐全")
    SCAN_UNREADABLE = "review.scan_unreadable", _("证照扫描件不清晰")
    SCAN_MISMATCH = "review.scan_mismatch", _("扫描件与填写的信息不一致")
    QUALIFICATION_MISSING = "review.qualification_missing", _("缺少所申请品类需要的资质")
    HOLDER_MISMATCH = "review.holder_mismatch", _("证照持有人与申请企业不一致")
    CONTACT_UNREACHABLE = "review.contact_unreachable", _("联系人无法联系")
    NOT_ELIGIBLE = "review.not_eligible", _("经营范围不符合平台入驻要求")
    OTHER = "review.other", _("其他（见说明）")

"""Reads of applications to sell: the applicant's own, and the reviewers' queue (oldest first)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import NotFound

from ..choices import ApplicationStatus
from ..models import MerchantApplication

DEFAULT_REVIEW_HOURS = 48


def review_hours() -> int:
    """The published time limit for a reviewer's first decision (XINREN_APPLICATION_REVIEW_HOURS)."""
    return int(getattr(settings, "XINREN_APPLICATION_REVIEW_HOURS", DEFAULT_REVIEW_HOURS))


def application_list_for_user(*, user: User) -> QuerySet[MerchantApplication]:
    return MerchantApplication.objects.filter(applicant=user).order_by("-created_at", "-id")


def application_get_for_user(*, user: User, public_id: str) -> MerchantApplication:
    """The person's own application; anyone else's is NotFound."""
    application = application_list_for_user(user=user).filter(public_id=public_id).first()
    if application is None:
        raise NotFound("application.not_found", _("找不到该入驻申请"))
    return application


@dataclass(frozen=True)
class QueueEntry:
    application: MerchantApplication
    waiting: dt.timedelta
    due_at: dt.datetime

    @property
    def overdue(self) -> bool:
        return self.waiting > dt.timedelta(hours=review_hours())

    @property
    def waiting_hours(self) -> int:
        return int(self.waiting.total_seconds() // 3600)


def application_queue(*, actor: Actor) -> list[QueueEntry]:
    """Submitted applications, oldest first, with their time in queue against the published limit."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    now = clock.now()
    limit = dt.timedelta(hours=review_hours())
    submitted = MerchantApplication.objects.filter(status=ApplicationStatus.SUBMITTED).select_related("applicant")
    return [
        QueueEntry(application=a, waiting=now - a.submitted_at, due_at=a.submitted_at + limit)
        for a in submitted.order_by("submitted_at", "id")
        if a.submitted_at is not None
    ]


def application_get_for_reviewer(*, actor: Actor, public_id: str) -> MerchantApplication:
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    application = MerchantApplication.objects.filter(public_id=public_id).first()
    if application is None:
        raise NotFound("application.not_found", _("找不到该入驻申请"))
    return application

"""The applicant hears of the reviewer's decision in their inbox, with a link to the application."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.governance.services.applications import application_decide
from xinren.notify.models import Notification

from ..factories import actor_for
from ..fixtures.accounts import consumer_new
from ..governance.factories_applications import submitted_for

pytestmark = pytest.mark.django_db


def test_a_sent_back_application_is_notified_once_with_its_link(platform, run_tasks) -> None:  # type: ignore[no-untyped-def]
    user = consumer_new()
    application = submitted_for(user)
    application_decide(
        actor=actor_for(platform, Role.STAFF),
        public_id=application.public_id,
        decision="request_changes",
        reasons=["review.scan_unreadable"],
    )
    run_tasks()
    run_tasks()
    notice = Notification.objects.get(user=user)
    assert notice.kind == "application_decided"
    assert notice.link == f"/merchant/apply/{application.public_id}/"
    assert notice.params["decision"] == "退回补正" and notice.params["company"] == "昆明滇味茶叶有限公司"


def test_a_licence_about_to_expire_reaches_the_owner_with_the_renewal_page(run_tasks) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from xinren.accounts.models import Organization
    from xinren.core import clock
    from xinren.governance.watch import qualifications_watch
    from xinren.verification.models import Credential

    from ..factories import OrganizationFactory

    merchant: Organization = OrganizationFactory(name="云岭菌业")
    owner = actor_for(merchant, Role.OWNER).user
    today = clock.now().date()
    Credential.objects.create(
        organization=merchant,
        kind="food_business",
        number="JY15301020000017",
        holder_name="云岭菌业",
        status="verified",
        valid_until=today + dt.timedelta(days=20),
    )
    qualifications_watch(today=today)
    run_tasks()
    run_tasks()
    notice = Notification.objects.get(user=owner)
    assert notice.kind == "licence_expiring" and notice.link == "/merchant/qualifications/"
    assert notice.params["licence"] == "食品经营许可证" and notice.params["date"] == str(today + dt.timedelta(days=20))

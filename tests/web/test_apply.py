"""/merchant/apply/ and /operator/applications/: applying, seeing the checks, and a reviewer deciding."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.governance.models import MerchantApplication
from xinren.governance.services.applications import application_submit

from ..fixtures.accounts import browser_of, consumer_new
from ..fixtures.api import member
from ..governance.factories_applications import ID_NUMBER, draft_for, uscc_new

pytestmark = pytest.mark.django_db


def test_a_visitor_is_offered_sign_in_or_sign_up():
    page = Client().get("/merchant/apply/")
    assert page.status_code == 200
    assert "/shop/signup/" in page.content.decode()


def test_a_person_saves_and_submits_and_sees_each_check():
    # given
    user = consumer_new()
    browser = browser_of(user)
    form = {
        "company_name": "昆明滇味茶叶有限公司",
        "uscc": uscc_new(),
        "legal_rep_name": "李四",
        "legal_rep_id_number": ID_NUMBER,
        "contact_phone": "13800001111",
        "categories": ["fruit"],
        "q0-kind": "business_licence",
        "submit": "1",
    }
    # when
    response = browser.post("/merchant/apply/new/", form)
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    application = MerchantApplication.objects.get(applicant=user)
    assert application.status == "submitted"
    page = browser.get(response["Location"]).content.decode()
    assert "uscc.checksum" in page and ID_NUMBER not in page


def test_a_failing_check_is_shown_next_to_the_form_and_nothing_is_submitted():
    user = consumer_new()
    form = {
        "company_name": "某公司",
        "uscc": "91530102MA0000001X",
        "legal_rep_name": "李四",
        "legal_rep_id_number": ID_NUMBER,
        "contact_phone": "13800001111",
        "categories": ["fruit"],
        "q0-kind": "business_licence",
        "submit": "1",
    }
    response = browser_of(user).post("/merchant/apply/new/", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "check-fail" in page and "统一社会信用代码校验位不符" in page
    assert MerchantApplication.objects.get(applicant=user).status == "draft"


def test_another_persons_application_is_404():
    draft = draft_for(consumer_new())
    assert browser_of(consumer_new()).get(f"/merchant/apply/{draft.public_id}/").status_code == 404


def test_a_reviewer_sees_the_queue_and_approves(platform, settings):
    # given an application submitted
    settings.XINREN_APPLICATION_REVIEW_HOURS = 48
    user = consumer_new()
    draft = draft_for(user)
    application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)
    reviewer = browser_of(member(platform, Role.STAFF))
    # when
    queue = reviewer.get("/operator/applications/").content.decode()
    detail = reviewer.get(f"/operator/applications/{draft.public_id}/").content.decode()
    decided = reviewer.post(
        f"/operator/applications/{draft.public_id}/", {"decision": "approve", "reasons": ["review.all_checks_passed"]}
    )
    # then
    assert draft.public_id in queue
    assert "138****1111" in detail and ID_NUMBER not in detail and "13800001111" not in detail
    assert decided.status_code == 302
    assert MerchantApplication.objects.get(pk=draft.pk).status == "approved"


def test_a_merchant_member_cannot_open_the_queue(merchant):
    assert browser_of(member(merchant, Role.OWNER)).get("/operator/applications/").status_code == 403


def test_the_applicant_reads_the_reasons_in_words_and_when_to_expect_an_answer(platform):  # type: ignore[no-untyped-def]
    from xinren.governance.services.applications import application_decide

    from ..factories import actor_for
    from ..governance.factories_applications import submitted_for

    user = consumer_new()
    application = submitted_for(user)
    browser = browser_of(user)
    waiting = browser.get(f"/merchant/apply/{application.public_id}/").content.decode()
    assert "48 小时内给出结果" in waiting
    application_decide(
        actor=actor_for(platform, Role.STAFF),
        public_id=application.public_id,
        decision="request_changes",
        reasons=["review.scan_unreadable"],
    )
    page = browser.get(f"/merchant/apply/{application.public_id}/").content.decode()
    assert "证照扫描件不清晰" in page and "review.scan_unreadable" not in page

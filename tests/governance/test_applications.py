"""Applications to sell: drafts, submission with the automatic checks, the blacklist, reviewers' decisions."""

from __future__ import annotations

import pytest

from xinren.accounts import blacklist
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.keyed import keyed_hash
from xinren.accounts.models import Membership, Organization
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import AuditEntry
from xinren.governance.choices import ApplicationStatus
from xinren.governance.models import ApplicationCheck, ApplicationDecision, MerchantApplication
from xinren.governance.services import applications as services
from xinren.governance.services.applications import application_decide, application_submit, application_update
from xinren.ledger.store.models import PendingEntry
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential

from ..evidence.samples import png
from ..factories import actor_for
from ..fixtures.accounts import consumer_new
from .factories_applications import ID_NUMBER, application_data, draft_for, id_number

pytestmark = pytest.mark.django_db


def submitted_for(user):  # type: ignore[no-untyped-def]
    draft = draft_for(user)
    return application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)


def test_a_draft_keeps_only_the_hash_and_last_four_of_the_id_number():
    # given
    user = consumer_new()
    # when
    draft = draft_for(user)
    # then
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.legal_rep_id_hash == keyed_hash("id_number", ID_NUMBER)
    assert draft.legal_rep_id_last4 == ID_NUMBER[-4:]
    assert draft.legal_rep_id_masked.endswith(ID_NUMBER[-4:]) and ID_NUMBER not in draft.legal_rep_id_masked
    assert ID_NUMBER not in str(MerchantApplication.objects.filter(pk=draft.pk).values().get())
    assert draft.qualifications.get(kind="food_business").scan is not None


def test_a_malformed_id_number_is_refused_and_nothing_is_written():
    user = consumer_new()
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as refused:
        services.application_create(user=user, data=application_data(legal_rep_id_number=bad))
    assert refused.value.code == services.ID_NUMBER_INVALID
    assert refused.value.details == {"field": "legal_rep_id_number"}
    assert MerchantApplication.objects.count() == 0


def test_another_persons_application_is_not_found():
    draft = draft_for(consumer_new())
    with pytest.raises(NotFound):
        application_update(user=consumer_new(), public_id=draft.public_id, data=application_data())
    with pytest.raises(NotFound):
        application_submit(user=consumer_new(), public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)


def test_a_scan_of_another_person_is_refused():
    other = draft_for(consumer_new())
    scan_id = other.qualifications.get(kind="food_business").scan_id
    with pytest.raises(InvalidInput) as refused:
        services.application_create(user=consumer_new(), data=application_data(scan_id=scan_id))
    assert refused.value.code == services.SCAN_INVALID


def test_submitting_stores_every_check_and_waits_for_a_reviewer():
    user = consumer_new()
    application = submitted_for(user)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    checks = list(ApplicationCheck.objects.filter(application=application).values_list("rule", "outcome"))
    assert ("uscc.checksum", "pass") in checks
    assert AuditEntry.objects.filter(action="application.submit", target_id=str(application.pk)).count() == 1


def test_a_failing_check_refuses_submission_with_what_to_fix_and_nothing_changes():
    # given a USCC whose check character is wrong
    user = consumer_new()
    draft = draft_for(user, uscc="91530102MA0000001X")
    # when
    with pytest.raises(InvalidInput) as refused:
        application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)
    # then
    assert refused.value.code == services.CHECKS_FAILED
    assert {"rule": "uscc.checksum", "outcome": "fail"}.items() <= refused.value.details["checks"][0].items()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT and not ApplicationCheck.objects.exists()


def test_the_id_number_given_at_submission_must_match_the_stored_hash():
    user = consumer_new()
    draft = draft_for(user)
    with pytest.raises(InvalidInput) as refused:
        application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=id_number("11010519491231002"))
    assert refused.value.code == services.ID_NUMBER_MISMATCH


def test_a_blacklist_hit_refuses_with_a_neutral_message(monkeypatch):
    # given the screen intercepts
    seen = {}

    def screen(*, stage, entities, subject=""):  # type: ignore[no-untyped-def]
        seen.update(stage=stage, entities=dict(entities))
        return blacklist.ScreenResult(intercepted=True, reasons=("listed",))

    monkeypatch.setattr(blacklist, "screen", screen)
    user = consumer_new()
    draft = draft_for(user)
    # when
    with pytest.raises(PermissionDenied) as refused:
        application_submit(user=user, public_id=draft.public_id, legal_rep_id_number=ID_NUMBER)
    # then
    assert refused.value.code == services.UNAVAILABLE
    assert str(refused.value.message) == "申请暂时无法提交，请联系平台"
    assert "listed" not in str(refused.value.details)
    assert seen == {
        "stage": "application",
        "entities": {"uscc": draft.uscc, "id_number": ID_NUMBER, "phone": "13800001111"},
    }
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_approval_creates_the_merchant_its_owner_and_credentials_signed_with_reasons(platform):
    # given
    user = consumer_new()
    application = submitted_for(user)
    reviewer = actor_for(platform, Role.STAFF)
    # when
    decision = application_decide(
        actor=reviewer,
        public_id=application.public_id,
        decision="approve",
        reasons=["uscc.checksum", "review.all_checks_passed"],
    )
    # then
    application.refresh_from_db()
    organization = Organization.objects.get(uscc=application.uscc)
    assert application.status == ApplicationStatus.APPROVED and application.organization == organization
    assert (organization.kind, organization.name, organization.region) == (
        OrganizationKind.MERCHANT,
        "昆明滇味茶叶有限公司",
        application.uscc[2:8],
    )
    assert Membership.objects.get(organization=organization).user == user
    assert Membership.objects.get(organization=organization).role == Role.OWNER
    credential = Credential.objects.get(organization=organization, kind="food_business")
    assert (credential.kind, credential.number, credential.status, credential.scope, credential.issuer) == (
        "food_business",
        "JY15301020000001",
        CredentialStatus.VERIFIED,
        ["tea"],
        "昆明市五华区市场监督管理局",
    )
    verified_by = {
        row.data["kind"]: row.data["verified_by"] for row in AuditEntry.objects.filter(action="credential.approve")
    }
    assert verified_by["food_business"] == "reviewer"
    assert decision.reasons == ["uscc.checksum", "review.all_checks_passed"]
    assert len(decision.ledger_leaf_hash) == 64
    entry = PendingEntry.objects.get(statement_type="governance.application.decision")
    assert (bytes(entry.leaf_hash).hex(), entry.subject) == (
        decision.ledger_leaf_hash,
        f"application:{application.public_id}",
    )


def test_request_changes_returns_it_and_resubmitting_works(platform):
    user = consumer_new()
    application = submitted_for(user)
    application_decide(
        actor=actor_for(platform, Role.STAFF),
        public_id=application.public_id,
        decision="request_changes",
        reasons=["review.scan_unreadable"],
        note="营业执照模糊",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    application_update(user=user, public_id=application.public_id, data=application_data(uscc=application.uscc))
    again = application_submit(user=user, public_id=application.public_id, legal_rep_id_number=ID_NUMBER)
    assert again.status == ApplicationStatus.SUBMITTED


def test_a_decision_needs_a_reason_and_a_platform_reviewer(platform, merchant):
    application = submitted_for(consumer_new())
    with pytest.raises(InvalidInput) as refused:
        application_decide(actor=actor_for(platform, Role.STAFF), public_id=application.public_id, decision="reject")
    assert refused.value.code == services.REASON_REQUIRED
    with pytest.raises(InvalidInput):
        application_decide(
            actor=actor_for(platform, Role.STAFF),
            public_id=application.public_id,
            decision="reject",
            reasons=["made.up"],
        )
    with pytest.raises(PermissionDenied):
        application_decide(
            actor=actor_for(platform, Role.VIEWER), public_id=application.public_id, decision="reject", note="资料不实"
        )
    with pytest.raises(PermissionDenied):
        application_decide(
            actor=actor_for(merchant, Role.OWNER), public_id=application.public_id, decision="reject", note="资料不实"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and not ApplicationDecision.objects.exists()


def test_a_free_text_reason_alone_is_signed_as_other(platform):
    application = submitted_for(consumer_new())
    decision = application_decide(
        actor=actor_for(platform, Role.STAFF), public_id=application.public_id, decision="reject", note="经营范围不符"
    )
    assert decision.reasons == ["review.other"] and decision.note == "经营范围不符"


def test_a_decided_application_cannot_be_decided_again(platform):
    application = submitted_for(consumer_new())
    reviewer = actor_for(platform, Role.STAFF)
    application_decide(actor=reviewer, public_id=application.public_id, decision="reject", note="x")
    with pytest.raises(Conflict):
        application_decide(actor=reviewer, public_id=application.public_id, decision="approve", note="y")
    assert Organization.objects.filter(kind=OrganizationKind.MERCHANT).count() == 0


def test_one_person_has_at_most_five_live_applications_and_sixty_scans_a_day():
    from xinren.core.errors import Conflict
    from xinren.governance.models import ApplicationScan
    from xinren.governance.services.applications import MAX_SCANS_PER_DAY, application_create, application_scan_upload

    user = consumer_new()
    for _ in range(5):
        application_create(user=user, data=application_data())
    with pytest.raises(Conflict) as refused:
        application_create(user=user, data=application_data())
    assert refused.value.code == "application.too_many"
    assert MerchantApplication.objects.filter(applicant=user).count() == 5
    scan = ApplicationScan.objects.filter(uploaded_by=user).first()
    assert scan is None
    first = application_scan_upload(user=user, content=png(), filename="a.png")
    ApplicationScan.objects.bulk_create(
        ApplicationScan(uploaded_by=user, media=first.media, filename="a.png") for _ in range(MAX_SCANS_PER_DAY - 1)
    )
    with pytest.raises(Conflict) as limited:
        application_scan_upload(user=user, content=png(), filename="b.png")
    assert limited.value.code == "application.scan_limit"

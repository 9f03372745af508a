"""evidence_attach / evidence_upload / evidence_withdraw: permissions, statements in the log, stale pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from xinren.accounts.choices import Role
from xinren.core.errors import DomainError
from xinren.core.models import AuditEntry, PageRefresh
from xinren.evidence.choices import EvidenceStatus, Purpose
from xinren.evidence.models import Evidence, MediaFile
from xinren.evidence.selectors import evidence_for
from xinren.evidence.services import evidence_attach, evidence_upload, evidence_withdraw
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.trace.services import event_record

from ..factories import BatchFactory, ItemFactory, actor_for
from . import samples

pytestmark = pytest.mark.django_db
TAKEN = dt.datetime(2026, 9, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _statement(leaf_hash: str) -> dict:  # type: ignore[type-arg]
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(leaf_hash))
    return json.loads(parse_envelope(bytes(pending.envelope)).payload)


def _counts() -> tuple[int, int, int, int, int]:
    return (Evidence.objects.count(), MediaFile.objects.count(), PendingEntry.objects.count(),
            PageRefresh.objects.count(), AuditEntry.objects.filter(action__startswith="evidence.").count())


def test_merchant_vouches_for_a_photo_of_its_lot(merchant_actor, batch, photo):
    # when
    evidence = evidence_attach(actor=merchant_actor, media=photo, batch=batch, purpose=Purpose.ORIGIN,
                               caption="  松林  采摘现场 ", taken_at=TAKEN)
    # then
    assert (evidence.organization, evidence.batch, evidence.product, evidence.event) == (
        merchant_actor.organization, batch, None, None)
    assert (evidence.caption, evidence.status, evidence.taken_at) == ("松林 采摘现场", EvidenceStatus.ACTIVE, TAKEN)
    statement = _statement(evidence.leaf_hash)
    assert {k: v for k, v in statement.items() if k != "time"} == {
        "type": "evidence.media",
        "subject": "http://127.0.0.1:8000/01/06901234567892/10/L20260701",
        "sha256": photo.sha256,
        "mediaType": "image/jpeg",
        "size": photo.size,
        "purpose": "origin",
        "caption": "松林 采摘现场",
        "takenAt": "2026-09-01T07:30:00+08:00",
    }
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [(PageRefresh.Kind.BATCH, batch.pk)]
    assert AuditEntry.objects.get(action="evidence.attach").data["sha256"] == photo.sha256


def test_product_evidence_marks_the_product_page_stale(merchant_actor, product, photo):
    evidence = evidence_attach(actor=merchant_actor, media=photo, product=product, purpose=Purpose.CERTIFICATE)
    assert _statement(evidence.leaf_hash)["subject"] == "http://127.0.0.1:8000/01/06901234567892"
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [(PageRefresh.Kind.PRODUCT, product.pk)]


def test_evidence_on_an_event_names_the_event_and_refreshes_its_lot(merchant_actor, batch, photo):
    # given a packing event on the lot
    event = event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="packing",
                         event_time=TAKEN, identifiers=[batch.digital_link.path])
    PageRefresh.objects.all().delete()
    # when
    evidence = evidence_attach(actor=merchant_actor, media=photo, event=event, purpose=Purpose.PACKING)
    # then
    assert _statement(evidence.leaf_hash)["subject"] == event.event_id
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [(PageRefresh.Kind.BATCH, batch.pk)]
    assert list(evidence_for(product=batch.product, batch=batch)) == [evidence]
    assert list(evidence_for(product=batch.product)) == []


def test_a_granted_lab_vouches_for_its_certificate(granted_lab_actor, batch):
    # given
    certificate = evidence_upload(actor=granted_lab_actor, content=samples.pdf_with_metadata(), filename="cert.pdf",
                                  batch_id=batch.pk, purpose=Purpose.CERTIFICATE, caption="有机产品认证证书")
    # then
    assert certificate.organization == granted_lab_actor.organization
    assert certificate.media.kind == "pdf"
    assert _statement(certificate.leaf_hash)["mediaType"] == "application/pdf"


@pytest.mark.parametrize("who", ["other_merchant", "lab_without_grant", "logistics"])
def test_organizations_without_a_grant_are_refused_and_nothing_is_stored(who, batch, other_merchant, lab, logistics,
                                                                          settings):
    # given
    actor = actor_for({"other_merchant": other_merchant, "lab_without_grant": lab, "logistics": logistics}[who])
    before = _counts()
    # when
    with pytest.raises(DomainError) as refused:
        evidence_upload(actor=actor, content=samples.jpeg_with_gps(), filename="x.jpg", batch_id=batch.pk,
                        purpose=Purpose.ORIGIN)
    # then
    assert refused.value.code == "evidence.subject_forbidden"
    assert _counts() == before
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_a_viewer_cannot_attach(merchant, batch, photo):
    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=actor_for(merchant, Role.VIEWER), media=photo, batch=batch, purpose=Purpose.ORIGIN)
    assert refused.value.code == "permission.role"
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "evidence.subject_required"),
        ({"product": "product", "batch": "batch"}, "evidence.subject_required"),
        ({"batch": "batch", "purpose": "selfie"}, "evidence.purpose_invalid"),
        ({"batch": "batch", "caption": "长" * 201}, "evidence.caption_too_long"),
        ({"batch": "batch", "taken_at": dt.datetime(2026, 9, 1, 7, 30)}, "evidence.taken_at_invalid"),
        ({"batch": "batch", "taken_at": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)}, "evidence.taken_at_invalid"),
    ],
)
def test_invalid_fields_are_refused(merchant_actor, product, batch, photo, fields, code):
    # given
    objects = {"product": product, "batch": batch}
    arguments = {"purpose": Purpose.ORIGIN, **{k: objects.get(v, v) if isinstance(v, str) else v
                                               for k, v in fields.items()}}
    before = _counts()
    # when
    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=merchant_actor, media=photo, **arguments)
    # then
    assert refused.value.code == code
    assert _counts() == before


def test_upload_of_an_unknown_subject_is_not_found(merchant_actor):
    with pytest.raises(DomainError) as refused:
        evidence_upload(actor=merchant_actor, content=samples.jpeg_with_gps(), filename="a.jpg", batch_id=999_999,
                        purpose=Purpose.ORIGIN)
    assert (refused.value.code, refused.value.status) == ("evidence.subject_not_found", 404)


def test_upload_refusal_of_the_file_rolls_back_everything(merchant_actor, batch, settings):
    before = _counts()
    with pytest.raises(DomainError) as refused:
        evidence_upload(actor=merchant_actor, content=samples.image_bytes("PNG"), filename="a.jpg",
                        batch_id=batch.pk, purpose=Purpose.ORIGIN)
    assert refused.value.code == "evidence.type_mismatch"
    assert _counts() == before
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_the_same_file_vouched_twice_is_stored_once(merchant_actor, product, batch):
    first = evidence_upload(actor=merchant_actor, content=samples.jpeg_with_gps(), filename="a.jpg",
                            batch_id=batch.pk, purpose=Purpose.ORIGIN)
    second = evidence_upload(actor=merchant_actor, content=samples.jpeg_with_gps(), filename="b.jpg",
                             product_id=product.pk, purpose=Purpose.ORIGIN)
    assert first.media_id == second.media_id
    assert MediaFile.objects.count() == 1


def test_withdraw_signs_a_statement_pointing_at_the_original(merchant_actor, batch, photo):
    # given
    evidence = evidence_attach(actor=merchant_actor, media=photo, batch=batch, purpose=Purpose.ORIGIN)
    PageRefresh.objects.all().delete()
    # when
    withdrawn = evidence_withdraw(actor=merchant_actor, evidence=evidence, reason=" 拍错了批次 ")
    # then
    assert (withdrawn.status, withdrawn.withdrawn_reason) == (EvidenceStatus.WITHDRAWN, "拍错了批次")
    statement = _statement(withdrawn.withdrawal_leaf_hash)
    assert {k: v for k, v in statement.items() if k != "time"} == {
        "type": "evidence.withdrawal", "subject": "http://127.0.0.1:8000/01/06901234567892/10/L20260701",
        "sha256": photo.sha256, "corrects": evidence.leaf_hash, "reason": "拍错了批次",
    }
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [(PageRefresh.Kind.BATCH, batch.pk)]
    assert MediaFile.objects.filter(pk=photo.pk).exists() and Evidence.objects.filter(pk=evidence.pk).exists()
    assert list(evidence_for(product=batch.product, batch=batch)) == []
    assert list(evidence_for(product=batch.product, batch=batch, active_only=False)) == [evidence]


def test_withdraw_is_final_and_needs_a_reason(merchant_actor, batch, photo):
    evidence = evidence_attach(actor=merchant_actor, media=photo, batch=batch, purpose=Purpose.ORIGIN)
    with pytest.raises(DomainError) as no_reason:
        evidence_withdraw(actor=merchant_actor, evidence=evidence, reason="  ")
    assert no_reason.value.code == "evidence.reason_required"
    evidence_withdraw(actor=merchant_actor, evidence=evidence, reason="重复上传")
    before = _counts()
    with pytest.raises(DomainError) as again:
        evidence_withdraw(actor=merchant_actor, evidence=evidence, reason="再撤一次")
    assert (again.value.code, again.value.status) == ("evidence.transition", 409)
    assert _counts() == before


def test_only_the_vouching_organization_withdraws(merchant_actor, granted_lab_actor, other_actor, batch, photo):
    # given a lab's evidence on the merchant's lot
    evidence = evidence_attach(actor=granted_lab_actor, media=photo, batch=batch, purpose=Purpose.INSPECTION)
    before = _counts()
    # when / then: neither the merchant nor a stranger can withdraw what the lab signed
    for actor in (merchant_actor, other_actor):
        with pytest.raises(DomainError) as refused:
            evidence_withdraw(actor=actor, evidence=evidence, reason="不喜欢")
        assert refused.value.code == "evidence.not_found"
    assert _counts() == before
    assert Evidence.objects.get(pk=evidence.pk).status == EvidenceStatus.ACTIVE


def test_database_refuses_evidence_with_two_subjects(merchant, product, batch, photo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(organization=merchant, media=photo, product=product, batch=batch,
                                purpose=Purpose.ORIGIN, leaf_hash="00" * 32)


def test_evidence_for_a_lot_includes_the_product_not_other_lots(merchant_actor, product, batch, photo):
    # given
    other_lot = BatchFactory(product=product, lot="L20260702")
    on_product = evidence_attach(actor=merchant_actor, media=photo, product=product, purpose=Purpose.ORIGIN)
    on_lot = evidence_attach(actor=merchant_actor, media=photo, batch=batch, purpose=Purpose.PACKING)
    evidence_attach(actor=merchant_actor, media=photo, batch=other_lot, purpose=Purpose.PACKING)
    item = ItemFactory(batch=batch)
    item_event = event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="shipping",
                              event_time=TAKEN, identifiers=[item.digital_link.path])
    evidence_attach(actor=merchant_actor, media=photo, event=item_event, purpose=Purpose.PACKING)
    # then: single items' events are not the lot's
    assert list(evidence_for(product=product, batch=batch)) == [on_product, on_lot]
    assert list(evidence_for(product=product, batch=batch, purposes=[Purpose.PACKING])) == [on_lot]
    assert list(evidence_for(product=product)) == [on_product]


def test_evidence_on_a_partners_event(merchant_admin, merchant_actor, logistics, other_actor, batch, photo):
    # given: a logistics firm the merchant granted records a shipping event on the lot
    from ..factories import legacy_grant

    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    carrier = actor_for(logistics)
    event = event_record(actor=carrier, event_type="ObjectEvent", biz_step="shipping", event_time=TAKEN,
                         identifiers=[batch.digital_link.path])
    # when: the carrier and the merchant both vouch for photos of it
    by_carrier = evidence_attach(actor=carrier, media=photo, event=event, purpose=Purpose.PACKING)
    by_merchant = evidence_attach(actor=merchant_actor, media=photo, event=event, purpose=Purpose.OTHER)
    # then: both are on the lot's album; a stranger is refused
    assert list(evidence_for(product=batch.product, batch=batch)) == [by_carrier, by_merchant]
    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=other_actor, media=photo, event=event, purpose=Purpose.OTHER)
    assert refused.value.code == "evidence.subject_forbidden"


def test_a_revoked_grant_stops_a_partner(merchant_admin, lab, granted_lab_actor, batch, photo):
    from xinren.catalog.grants import partner_revoke

    partner_revoke(actor=merchant_admin, partner_slug=lab.slug)
    with pytest.raises(DomainError) as refused:
        evidence_attach(actor=granted_lab_actor, media=photo, batch=batch, purpose=Purpose.INSPECTION)
    assert refused.value.code == "evidence.subject_forbidden"
    assert Evidence.objects.count() == 0

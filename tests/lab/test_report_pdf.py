"""A lab report with the lab's own PDF: stored through the evidence pipeline, its SHA-256 signed with the report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from xinren.accounts.choices import Role
from xinren.attest import keys
from xinren.core.errors import DomainError, PermissionDenied
from xinren.evidence.media import pdf as pdf_media
from xinren.evidence.models import MediaFile
from xinren.lab.demo import demo_report_pdf
from xinren.lab.models import LabReport
from xinren.lab.originals import PdfUpload, lab_report_pdf_upload
from xinren.lab.services import lab_report_issue, lab_report_submit_signed
from xinren.lab.statements import LAB_REPORT_RECORD, lab_report_matches
from xinren.ledger.dsse import key_id_for, parse_envelope, sign_envelope
from xinren.ledger.store.models import PendingEntry

from ..evidence import samples
from ..factories import BatchFactory, actor_for

pytestmark = pytest.mark.django_db

SAMPLED = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RESULTS = [{"indicator": "lead", "value": "0.05", "unit": "mg/kg"},
           {"indicator": "cadmium", "value": "ND", "unit": "mg/kg", "lod": "0.003"}]


@pytest.fixture
def sampled_batch(product):  # type: ignore[no-untyped-def]
    return BatchFactory(product=product, lot="L20260801")


def _issue(actor, batch, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "actor": actor, "batch_id": batch.pk, "accreditation": "CMA 171512345678", "sample_id": "YN-1",
        "sampled_at": SAMPLED, "method": "GB 5009.12-2017", "measurements": RESULTS,
    }
    return lab_report_issue(**{**fields, **overrides})


def _statement(report: LabReport) -> dict:  # type: ignore[type-arg]
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(report.ledger_leaf_hash))
    return json.loads(parse_envelope(bytes(pending.envelope)).payload)


def _counts() -> tuple[int, int, int]:
    return LabReport.objects.count(), MediaFile.objects.count(), PendingEntry.objects.count()


def _stored(media: MediaFile) -> bytes:
    with default_storage.open(media.original, "rb") as stored:
        return stored.read()


def test_the_pdf_uploaded_with_a_report_is_stored_stripped_and_its_digest_signed(granted_lab_actor, sampled_batch):
    # given a PDF carrying its author's name
    content = samples.pdf_with_metadata(author="Zhang San")
    # when
    report = _issue(granted_lab_actor, sampled_batch, sampled_place="南华县 合作社仓库",
                    pdf=PdfUpload(content=content, filename="report.pdf"))
    # then the stored file is the stripped one, named by its own digest
    assert report.pdf is not None
    stored = _stored(report.pdf)
    assert (report.pdf.kind, report.pdf.mime, report.pdf.pages) == ("pdf", "application/pdf", 1)
    assert report.pdf.sha256 == hashlib.sha256(stored).hexdigest()
    assert b"Zhang San" in content and b"Zhang San" not in stored
    # and the signed statement names that digest and where the sample was taken
    statement = _statement(report)
    assert statement["pdf"] == {"sha256": report.pdf.sha256, "mediaType": "application/pdf", "size": len(stored)}
    assert statement["sampled_place"] == "南华县 合作社仓库"
    assert (report.sampled_place, lab_report_matches(report, statement)) == ("南华县 合作社仓库", True)


def test_a_report_without_pdf_signs_no_pdf(granted_lab_actor, sampled_batch):
    report = _issue(granted_lab_actor, sampled_batch)
    statement = _statement(report)
    assert (report.pdf, report.sampled_place) == (None, "")
    assert "pdf" not in statement and "sampled_place" not in statement
    assert lab_report_matches(report, statement)


def test_a_pdf_uploaded_first_is_named_by_its_digest(granted_lab_actor, sampled_batch):
    # given the lab uploaded its PDF first
    media = lab_report_pdf_upload(actor=granted_lab_actor, content=samples.pdf_with_metadata(), filename="r.pdf")
    # when it issues the report naming the digest
    report = _issue(granted_lab_actor, sampled_batch, pdf=media.sha256)
    # then
    assert report.pdf == media
    assert _statement(report)["pdf"]["sha256"] == media.sha256


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (samples.image_bytes("JPEG"), "report.pdf", "evidence.type_mismatch"),
        (samples.image_bytes("PNG"), "photo.png", "evidence.kind_not_allowed"),
        (b"%PDF-1.7\n not really a pdf", "report.pdf", "evidence.pdf_broken"),
        (b"", "report.pdf", "evidence.empty"),
        (b"MZ\x90\x00 an executable", "report.pdf", "evidence.type_unknown"),
    ],
)
def test_a_bad_file_refuses_the_whole_report_and_nothing_is_stored(granted_lab_actor, sampled_batch, settings,
                                                                     content, filename, code):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as refused:
        _issue(granted_lab_actor, sampled_batch, pdf=PdfUpload(content=content, filename=filename))
    # then
    assert refused.value.code == code
    assert _counts() == before
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_a_pdf_over_the_limit_is_refused(granted_lab_actor, sampled_batch, settings):
    settings.XINREN_EVIDENCE_MAX_PDF_BYTES = 100
    with pytest.raises(DomainError) as refused:
        _issue(granted_lab_actor, sampled_batch, pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="a.pdf"))
    assert refused.value.code == "evidence.too_large"
    assert _counts() == (0, 0, 0)


def test_an_unknown_digest_is_refused(granted_lab_actor, sampled_batch):
    # given a photo stored by digest (not a PDF) and a digest nothing has
    photo = MediaFile.objects.create(sha256="a" * 64, kind="image", mime="image/jpeg", size=1, original="x.jpg",
                                     thumbnail="x-thumb.jpg")
    for digest in ("b" * 64, photo.sha256, "not-a-digest"):
        # when / then
        with pytest.raises(DomainError) as refused:
            _issue(granted_lab_actor, sampled_batch, pdf=digest)
        assert refused.value.code == "lab_report.pdf_unknown"
    assert LabReport.objects.count() == 0


def test_a_refused_report_stores_no_file(granted_lab_actor, sampled_batch, settings):
    # the fields are checked before the file is processed
    with pytest.raises(DomainError) as refused:
        _issue(granted_lab_actor, sampled_batch, accreditation="ISO 9001",
               pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="a.pdf"))
    assert refused.value.code == "lab_report.accreditation_invalid"
    assert _counts() == (0, 0, 0)
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_only_lab_staff_may_upload_a_report_pdf(lab, merchant_actor):
    content = samples.pdf_with_metadata()
    for actor in (merchant_actor, actor_for(lab, Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            lab_report_pdf_upload(actor=actor, content=content, filename="a.pdf")
    assert MediaFile.objects.count() == 0


def test_only_the_lab_may_issue_a_report_with_a_pdf(merchant_actor, sampled_batch):
    with pytest.raises(PermissionDenied):
        _issue(merchant_actor, sampled_batch, pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="a.pdf"))
    assert _counts() == (0, 0, 0)


def test_the_pdf_and_place_are_signed_columns(granted_lab_actor, sampled_batch):
    # given a signed report with a PDF
    report = _issue(granted_lab_actor, sampled_batch, sampled_place="仓库",
                    pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="a.pdf"))
    other = lab_report_pdf_upload(actor=granted_lab_actor, content=samples.pdf_with_metadata(author="Li"),
                                  filename="b.pdf")
    # when / then the database refuses to swap the file or move the place
    for change in ({"pdf": other}, {"sampled_place": "别处"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LabReport.objects.filter(pk=report.pk).update(**change)
    # and a row that says another file than the statement does not match it
    statement = _statement(report)
    report.pdf = other
    assert not lab_report_matches(report, statement)
    assert "pdf" in LAB_REPORT_RECORD.protected


def _signed_by_lab(lab, batch, **extra):  # type: ignore[no-untyped-def]
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    keys.signing_key_register(actor=actor_for(lab, Role.ADMIN), public_key=public, label="LIMS")
    statement = {
        "type": "lab.report", "subject": f"https://lims.example/01/{batch.product.gtin}/10/{batch.lot}",
        "report_id": "6f1c1d2e-7b0a-4b8e-9a44-6a4c1f0a9b21", "lab": f"org:{lab.pk}",
        "accreditation": "CNAS L1234", "gtin": batch.product.gtin, "lot": batch.lot, "sample_id": "S-1",
        "sampled_at": "2026-08-20T09:30:00+08:00", "method": "GB 5009.12-2017", "table_version": "2026.1",
        "measurements": [{"indicator": "lead", "value": "0.05", "unit": "mg/kg"}], **extra,
    }
    return sign_envelope(json.dumps(statement).encode(), key=private, keyid=key_id_for(public)).to_json()


def test_a_self_signed_report_names_a_pdf_uploaded_first(lab, granted_lab_actor, sampled_batch):
    # given
    media = lab_report_pdf_upload(actor=granted_lab_actor, content=samples.pdf_with_metadata(), filename="r.pdf")
    envelope = _signed_by_lab(lab, sampled_batch, sampled_place="仓库",
                              pdf={"sha256": media.sha256, "mediaType": "application/pdf", "size": media.size})
    # when
    report = lab_report_submit_signed(actor=granted_lab_actor, envelope_bytes=envelope)
    # then
    assert (report.pdf, report.sampled_place, report.self_signed) == (media, "仓库", True)
    assert lab_report_matches(report, _statement(report))


def test_a_self_signed_report_naming_an_unknown_pdf_is_refused(lab, granted_lab_actor, sampled_batch):
    media = lab_report_pdf_upload(actor=granted_lab_actor, content=samples.pdf_with_metadata(), filename="r.pdf")
    for pdf in ({"sha256": "c" * 64, "mediaType": "application/pdf"},
                {"sha256": media.sha256, "mediaType": "application/pdf", "size": media.size + 1}):
        with pytest.raises(DomainError) as refused:
            lab_report_submit_signed(actor=granted_lab_actor,
                                     envelope_bytes=_signed_by_lab(lab, sampled_batch, pdf=pdf))
        assert refused.value.code == "lab_report.pdf_unknown"
    assert LabReport.objects.count() == 0


def test_the_demo_report_pdf_is_a_valid_pdf():
    content = demo_report_pdf(lab="云测", accreditation="CMA 261512340217", product="牛肝菌", lot="L1", sample_id="S",
                              sampled_at=SAMPLED, place="仓库", method="GB 5009.12-2017",
                              measurements=[("lead", "0.08", "mg/kg"), ("total_mercury", "ND", "mg/kg")])
    stripped, info = pdf_media.strip(content)
    assert content.startswith(b"%PDF-") and stripped.startswith(b"%PDF-")
    assert info.pages == 1

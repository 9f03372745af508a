"""A lab report's readable page, the scan page's link to it, the lab's console form and the PDF upload route."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ninja.testing import TestClient

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductCategory, ProductStatus
from xinren.core import clock
from xinren.evidence.models import MediaFile
from xinren.lab.api import router as lab_router
from xinren.lab.models import LabReport
from xinren.lab.originals import PdfUpload
from xinren.lab.services import lab_report_issue
from xinren.web.public.evidence_sections import scorecard_for

from ..evidence import samples
from ..factories import BatchFactory, actor_for
from ..fixtures.api import bearer, key_for

pytestmark = pytest.mark.django_db

SAMPLED = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RESULTS = [{"indicator": "lead", "value": "0.05", "unit": "mg/kg"},
           {"indicator": "cadmium", "value": "ND", "unit": "mg/kg", "lod": "0.003"},
           {"indicator": "total_mercury", "value": "0.2", "unit": "mg/kg"}]
BUDGET = 150 * 1024


def _issue(actor, batch, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "actor": actor, "batch_id": batch.pk, "accreditation": "CMA 171512345678", "sample_id": "YN-<b>1</b>",
        "sampled_at": SAMPLED, "method": "GB 5009.12-2017 <script>alert(1)</script>", "measurements": RESULTS,
        "sampled_place": "南华县 合作社仓库",
    }
    return lab_report_issue(**{**fields, **overrides})


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_report_page_shows_lab_sample_method_every_indicator_pdf_and_proof(granted_lab_actor, batch):
    # given a report with the lab's PDF
    report = _issue(granted_lab_actor, batch, pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="r.pdf"))
    assert report.pdf is not None
    # when
    response = Client().get(f"/lab-reports/{report.report_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    category = ProductCategory.WILD_MUSHROOM.label
    for fact in (granted_lab_actor.organization.name, "CMA 171512345678", "楚雄野生牛肝菌 500g",
                 "L20260701", "2026-08-20 09:30", "南华县 合作社仓库", "限值表版本 2026.1", f"限值表品类 {category}",
                 "铅（以 Pb 计）", "镉（以 Cd 计）", "总汞（以 Hg 计）", "检测值 0.05 mg/kg", "未检出（< 0.003 mg/kg）",
                 "限量 ≤ 0.1 mg/kg", "GB 2762-2022", report.pdf.sha256, "签名与证明"):
        assert fact in text, fact
    # total mercury 0.2 > 0.1: it exceeds, and the page says so
    assert "有指标超出国家标准限量" in text and "超标" in text
    assert f'href="{report.pdf.url}"' in html
    assert f'href="/api/v1/lab-reports/{report.pk}"' in html and "机器可读数据" in text
    assert f'href="/log/entry/{report.ledger_leaf_hash}"' in html
    assert f'href="{batch.digital_link.path}"' in html
    # what the lab typed is escaped
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "YN-&lt;b&gt;1&lt;/b&gt;" in html
    # and the page stays within the consumer page budget
    assert len(response.content) <= BUDGET


def test_a_report_without_pdf_says_so(granted_lab_actor, batch):
    report = _issue(granted_lab_actor, batch)
    text = _text(Client().get(f"/lab-reports/{report.report_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "未附原件" in text and "下载报告原件" not in text


def test_reports_on_drafts_and_unknown_numbers_are_404(granted_lab_actor, merchant):
    # given a report on a draft product
    draft = BatchFactory(product__merchant=merchant, product__status=ProductStatus.DRAFT)
    report = _issue(granted_lab_actor, draft)
    # when / then
    assert Client().get(f"/lab-reports/{report.report_id}/").status_code == 404
    assert Client().get("/lab-reports/6f1c1d2e-7b0a-4b8e-9a44-6a4c1f0a9b21/").status_code == 404
    assert Client().get("/lab-reports/not-a-uuid/").status_code == 404


def test_the_scan_page_section_links_the_report_page_and_the_json(granted_lab_actor, batch):
    report = _issue(granted_lab_actor, batch, pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="r.pdf"))
    card = scorecard_for(product=batch.product, batch=batch)
    assert card is not None
    assert (card["page_url"], card["report_url"]) == (f"/lab-reports/{report.report_id}/",
                                                      f"/api/v1/lab-reports/{report.pk}")
    assert card["pdf"] is not None and card["pdf"]["sha256"] == report.pdf.sha256  # type: ignore[union-attr]
    page = Client().get(batch.digital_link.path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'href="/lab-reports/{report.report_id}/"' in page and "机器可读数据" in page


def test_the_json_carries_the_place_and_the_pdf(granted_lab_actor, batch):
    report = _issue(granted_lab_actor, batch, pdf=PdfUpload(content=samples.pdf_with_metadata(), filename="r.pdf"))
    card = TestClient(lab_router).get(f"/lab-reports/{report.pk}").json()
    assert card["sampled_place"] == "南华县 合作社仓库"
    assert card["pdf"] == {"sha256": report.pdf.sha256, "size": report.pdf.size, "pages": 1,  # type: ignore[union-attr]
                           "url": report.pdf.url}  # type: ignore[union-attr]


def test_api_upload_then_issue_with_the_digest(client, lab, granted_lab_actor, batch):
    # given
    key = key_for(lab)
    # when the lab uploads its PDF, then names it in the report
    uploaded = client.post("/api/v1/lab-reports/pdf",
                           data={"file": SimpleUploadedFile("r.pdf", samples.pdf_with_metadata())}, headers=bearer(key))
    assert uploaded.status_code == 201, uploaded.content
    digest = uploaded.json()["sha256"]
    created = client.post("/api/v1/lab-reports", data={
        "batch_id": batch.pk, "accreditation": "CNAS L1234", "sample_id": "T-1", "sampled_at": SAMPLED.isoformat(),
        "method": "GB 5009.12-2017", "sampled_place": "仓库", "pdf_sha256": digest,
        "measurements": [{"indicator": "lead", "value": "0.05", "unit": "mg/kg"}],
    }, content_type="application/json", headers=bearer(key))
    # then
    assert created.status_code == 201, created.content
    assert created.json()["pdf"]["sha256"] == digest
    assert LabReport.objects.get().pdf == MediaFile.objects.get(sha256=digest)


def test_api_upload_refuses_other_kinds_and_other_organizations(client, lab, merchant):
    photo = client.post("/api/v1/lab-reports/pdf",
                        data={"file": SimpleUploadedFile("a.jpg", samples.image_bytes("JPEG"))},
                        headers=bearer(key_for(lab)))
    by_merchant = client.post("/api/v1/lab-reports/pdf",
                              data={"file": SimpleUploadedFile("r.pdf", samples.pdf_with_metadata())},
                              headers=bearer(key_for(merchant)))
    assert (photo.status_code, photo.json()["code"]) == (422, "evidence.kind_not_allowed")
    assert by_merchant.status_code == 403
    assert MediaFile.objects.count() == 0


def _console(actor) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actor.user)
    return client


def _form(batch, pdf: bytes | None = None, name: str = "report.pdf", **fields):  # type: ignore[no-untyped-def]
    data = {"batch": batch.pk, "accreditation": "CMA 171512345678", "sample_id": "C-1",
            "sampled_at": "2026-08-20T09:30", "sampled_place": "仓库", "method": "GB 5009.12-2017",
            "measurements": "lead 0.05 mg/kg\ncadmium ND mg/kg 0.003\n", **fields}
    if pdf is not None:
        data["pdf"] = SimpleUploadedFile(name, pdf)
    return data


def test_the_lab_issues_a_report_with_its_pdf_from_the_console(granted_lab_actor, batch):
    # given
    browser = _console(granted_lab_actor)
    assert "签名出具" in browser.get("/merchant/lab-reports/").content.decode()
    # when
    response = browser.post("/merchant/lab-reports/", _form(batch, samples.pdf_with_metadata()))
    # then
    assert response.status_code == 302 and response["Location"] == "/merchant/lab-reports/"
    report = LabReport.objects.get()
    assert (report.sample_id, report.sampled_place, report.pdf is not None) == ("C-1", "仓库", True)
    assert [(m.indicator, m.not_detected) for m in report.measurements.order_by("position")] == [
        ("lead", False), ("cadmium", True)]
    page = browser.get("/merchant/lab-reports/").content.decode()
    assert f"/lab-reports/{report.report_id}/" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pdf": samples.image_bytes("PNG"), "name": "report.pdf"}, "与文件名所示类型不符"),
        ({"pdf": b"%PDF-1.7\n broken", "name": "report.pdf"}, "PDF 文件已损坏或无法读取"),
        ({"measurements": "lead 0.05"}, "第 1 行格式错误"),
        ({"measurements": "arsenic_x 1 mg/kg"}, "该品类的限值表中没有这个检测指标"),
    ],
)
def test_a_refused_console_report_shows_why_and_stores_nothing(granted_lab_actor, batch, settings, fields, message):
    pdf, name = fields.pop("pdf", samples.pdf_with_metadata()), fields.pop("name", "report.pdf")
    response = _console(granted_lab_actor).post("/merchant/lab-reports/", _form(batch, pdf, name, **fields),
                                                HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert (LabReport.objects.count(), MediaFile.objects.count()) == (0, 0)


def test_only_labs_see_the_console_page_and_viewers_cannot_issue(lab, merchant_actor, batch, merchant_admin):
    from xinren.catalog.grants import partner_grant

    partner_grant(actor=merchant_admin, partner=lab.slug, batch_ids=[batch.pk],
                  ends_on=clock.now().date() + dt.timedelta(days=365))
    assert _console(merchant_actor).get("/merchant/lab-reports/").status_code == 403
    viewer = _console(actor_for(lab, Role.VIEWER))
    assert "签名出具" not in viewer.get("/merchant/lab-reports/").content.decode()
    assert viewer.post("/merchant/lab-reports/", _form(batch, samples.pdf_with_metadata())).status_code == 403
    assert LabReport.objects.count() == 0

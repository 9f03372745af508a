"""The evidence API: upload with a key, list scoped to the caller, withdraw, and the error shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.evidence.models import Evidence, MediaFile

from ..factories import ProductFactory
from ..fixtures.api import bearer, key_for
from . import samples

pytestmark = pytest.mark.django_db
URL = "/api/v1/evidence"


def _upload(client, key, *, content=None, name="forest.jpg", **fields):  # type: ignore[no-untyped-def]
    data = {"purpose": "origin", **fields, "file": SimpleUploadedFile(name, content or samples.jpeg_with_gps())}
    return client.post(URL, data=data, headers=bearer(key))


def test_upload_list_and_withdraw(client, merchant, batch):
    # given
    key = key_for(merchant)
    # when
    created = _upload(client, key, batch_id=batch.pk, caption="松林<b>采摘</b>", taken_at="2026-09-01T07:30:00+08:00")
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    media = MediaFile.objects.get()
    assert (body["status"], body["purpose"], body["caption"], body["batch_id"], body["organization"]) == (
        "active", "origin", "松林<b>采摘</b>", batch.pk, merchant.name)
    assert body["media"]["sha256"] == media.sha256
    assert body["media"]["url"] == f"/media/{media.original}"
    assert body["leaf_hash"] == Evidence.objects.get().leaf_hash
    # and it is listed, then withdrawn with a reason
    listed = client.get(URL, {"product": batch.product_id, "batch": batch.pk}, headers=bearer(key))
    assert [e["id"] for e in listed.json()] == [body["id"]]
    withdrawn = client.post(f"{URL}/{body['id']}/withdraw", data={"reason": "批次错了"},
                            content_type="application/json", headers=bearer(key))
    assert withdrawn.status_code == 200, withdrawn.content
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawn_reason"]) == ("withdrawn", "批次错了")


def test_a_file_that_is_not_what_it_claims_is_refused_with_the_error_shape(client, merchant, batch, settings):
    response = _upload(client, key_for(merchant), content=samples.image_bytes("PNG"), name="photo.jpg",
                       batch_id=batch.pk)
    assert response.status_code == 422
    assert response.json()["code"] == "evidence.type_mismatch"
    assert response.json()["details"] == {"filename": "photo.jpg", "detected": "image/png"}
    assert (Evidence.objects.count(), MediaFile.objects.count()) == (0, 0)
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_too_large_is_refused_before_reading(client, merchant, batch, settings):
    settings.XINREN_EVIDENCE_MAX_IMAGE_BYTES = settings.XINREN_EVIDENCE_MAX_VIDEO_BYTES = 100
    settings.XINREN_EVIDENCE_MAX_PDF_BYTES = 100
    response = _upload(client, key_for(merchant), batch_id=batch.pk)
    assert (response.status_code, response.json()["code"]) == (422, "evidence.too_large")
    assert MediaFile.objects.count() == 0


def test_other_merchant_can_neither_attach_nor_withdraw(client, merchant, other_merchant, batch):
    # given
    mine = _upload(client, key_for(merchant), batch_id=batch.pk).json()
    other = key_for(other_merchant)
    # when
    attach = _upload(client, other, content=samples.image_bytes("JPEG"), batch_id=batch.pk)
    withdraw = client.post(f"{URL}/{mine['id']}/withdraw", data={"reason": "x"}, content_type="application/json",
                           headers=bearer(other))
    # then
    assert (attach.status_code, attach.json()["code"]) == (403, "evidence.subject_forbidden")
    assert (withdraw.status_code, withdraw.json()["code"]) == (404, "evidence.not_found")
    assert Evidence.objects.get().status == "active"


def test_list_hides_other_merchants_drafts_and_withdrawals(client, merchant, other_merchant):
    # given: a draft product with evidence, and a published one with one active and one withdrawn piece
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    published = ProductFactory(merchant=merchant)
    key = key_for(merchant)
    _upload(client, key, product_id=draft.pk)
    kept = _upload(client, key, content=samples.image_bytes("PNG"), name="a.png", product_id=published.pk).json()
    gone = _upload(client, key, content=samples.image_bytes("WEBP"), name="b.webp", product_id=published.pk).json()
    client.post(f"{URL}/{gone['id']}/withdraw", data={"reason": "拍糊了"}, content_type="application/json",
                headers=bearer(key))
    other = key_for(other_merchant)
    # when
    draft_list = client.get(URL, {"product": draft.pk}, headers=bearer(other))
    public_list = client.get(URL, {"product": published.pk}, headers=bearer(other))
    own_list = client.get(URL, {"product": published.pk}, headers=bearer(key))
    # then
    assert (draft_list.status_code, draft_list.json()["code"]) == (404, "evidence.subject_not_found")
    assert [e["id"] for e in public_list.json()] == [kept["id"]]
    assert sorted(e["id"] for e in own_list.json()) == sorted([kept["id"], gone["id"]])


def test_a_viewer_key_cannot_upload(client, merchant, batch):
    response = _upload(client, key_for(merchant, Role.VIEWER), batch_id=batch.pk)
    assert (response.status_code, response.json()["code"]) == (403, "permission.role")
    assert MediaFile.objects.count() == 0


def test_without_a_key_nothing_is_accepted(client, batch):
    response = client.post(URL, data={"purpose": "origin", "batch_id": batch.pk,
                                      "file": SimpleUploadedFile("a.jpg", samples.jpeg_with_gps())})
    assert response.status_code == 401

"""The console album pages: upload with CSRF, list, withdraw, and what other organizations get."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinren.accounts.choices import Role
from xinren.evidence.choices import EvidenceStatus
from xinren.evidence.models import Evidence, MediaFile

from ..factories import actor_for
from . import samples

pytestmark = pytest.mark.django_db


def _browser(actor, *, csrf: bool = False) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(actor.user)
    return client


def _form(content: bytes | None = None, name: str = "forest.jpg", **fields):  # type: ignore[no-untyped-def]
    return {"purpose": "origin", "caption": "松林", **fields,
            "file": SimpleUploadedFile(name, content or samples.jpeg_with_gps())}


def test_merchant_uploads_lists_and_withdraws_on_the_lot_album(merchant_actor, batch):
    # given
    browser = _browser(merchant_actor)
    url = f"/merchant/batches/{batch.pk}/album/"
    # when
    uploaded = browser.post(url, _form(taken_at="2026-09-01T07:30"))
    # then
    assert uploaded.status_code == 302 and uploaded["Location"] == url
    evidence = Evidence.objects.get()
    assert (evidence.batch, evidence.caption, evidence.taken_at) == (
        batch, "松林", dt.datetime(2026, 9, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    page = browser.get(url).content.decode()
    assert "松林" in page and evidence.media.thumbnail_url in page and f"/evidence/{evidence.pk}/withdraw/" in page
    # and when it is withdrawn
    withdrawn = browser.post(f"/merchant/evidence/{evidence.pk}/withdraw/", {"reason": "拍错了"})
    assert withdrawn.status_code == 302 and withdrawn["Location"] == url
    evidence.refresh_from_db()
    assert (evidence.status, evidence.withdrawn_reason) == (EvidenceStatus.WITHDRAWN, "拍错了")


def test_the_product_and_batch_pages_link_to_their_albums(merchant_actor, batch):
    browser = _browser(merchant_actor)
    assert f"/merchant/products/{batch.product_id}/album/" in browser.get(
        f"/merchant/products/{batch.product_id}/").content.decode()
    assert f"/merchant/batches/{batch.pk}/album/" in browser.get(f"/merchant/batches/{batch.pk}/").content.decode()


def test_a_refused_file_is_shown_in_the_form_and_nothing_is_stored(merchant_actor, product, settings):
    response = _browser(merchant_actor).post(f"/merchant/products/{product.pk}/album/",
                                             _form(samples.image_bytes("PNG"), name="photo.jpg"))
    assert response.status_code == 422
    assert "与文件名所示类型不符" in response.content.decode()
    assert (Evidence.objects.count(), MediaFile.objects.count()) == (0, 0)
    assert not (settings.MEDIA_ROOT / "evidence").exists()


def test_upload_needs_the_csrf_token(merchant_actor, product):
    response = _browser(merchant_actor, csrf=True).post(f"/merchant/products/{product.pk}/album/", _form())
    assert response.status_code == 403
    assert Evidence.objects.count() == 0


def test_other_merchants_get_404_and_viewers_cannot_upload(other_actor, merchant, product):
    # other merchant
    assert _browser(other_actor).get(f"/merchant/products/{product.pk}/album/").status_code == 404
    assert _browser(other_actor).post(f"/merchant/products/{product.pk}/album/", _form()).status_code == 404
    # a viewer of the merchant sees the page without the form, and a post is refused
    viewer = _browser(actor_for(merchant, Role.VIEWER))
    page = viewer.get(f"/merchant/products/{product.pk}/album/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' not in page.content.decode()
    assert viewer.post(f"/merchant/products/{product.pk}/album/", _form()).status_code == 403
    assert Evidence.objects.count() == 0


def test_another_organization_cannot_withdraw(merchant_actor, other_actor, product):
    _browser(merchant_actor).post(f"/merchant/products/{product.pk}/album/", _form())
    evidence = Evidence.objects.get()
    response = _browser(other_actor).post(f"/merchant/evidence/{evidence.pk}/withdraw/", {"reason": "x"})
    assert response.status_code == 404
    assert Evidence.objects.get().status == EvidenceStatus.ACTIVE


def test_operators_read_evidence_in_the_admin(merchant_actor, product):
    # given
    from ..factories import UserFactory

    _browser(merchant_actor).post(f"/merchant/products/{product.pk}/album/", _form())
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    # when / then
    for path in ("/admin/evidence/evidence/", "/admin/evidence/mediafile/",
                 f"/admin/evidence/evidence/{Evidence.objects.get().pk}/change/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/evidence/evidence/add/").status_code == 403

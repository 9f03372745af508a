"""The album section of the consumer page: what it shows, what it hides, and how the page draws it."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from tests.fixtures.immutable import tampering
from xinren.attest.proofs import logged_statements
from xinren.catalog.models import ProductImage
from xinren.catalog.services import product_image_add
from xinren.evidence.choices import Purpose
from xinren.evidence.models import Evidence
from xinren.evidence.selectors import album_for
from xinren.evidence.services import evidence_upload, evidence_withdraw
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.web.public.sections import sections_for

from . import samples

pytestmark = pytest.mark.django_db


def _upload(actor, *, content=None, name="forest.jpg", **fields):  # type: ignore[no-untyped-def]
    return evidence_upload(actor=actor, content=content or samples.jpeg_with_gps(), filename=name, **fields)


def test_no_album_without_evidence(batch):
    assert album_for(product=batch.product, batch=batch) is None
    assert "album" not in sections_for(product=batch.product, batch=batch)


def test_album_groups_certificates_apart_and_marks_each_proof(merchant_actor, granted_lab_actor, batch, settings):
    # given
    settings.XINREN_LOG_INTEGRATE_ON_COMMIT = False
    photo = _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.ORIGIN, caption="松林")
    video = _upload(merchant_actor, content=samples.mp4_with_location(), name="pack.mp4", batch_id=batch.pk,
                    purpose=Purpose.PACKING)
    certificate = _upload(granted_lab_actor, content=samples.pdf_with_metadata(), name="cert.pdf",
                          product_id=batch.product_id, purpose=Purpose.CERTIFICATE, caption="有机产品认证证书")
    # when: before and after the log integrates the statements
    pending = album_for(product=batch.product, batch=batch)
    log_integrate_all()
    album = album_for(product=batch.product, batch=batch)
    # then
    assert pending is not None and album is not None
    assert {i["proof"]["state"] for i in pending["photos"] + pending["certificates"]} == {"pending"}
    assert [(i["id"], i["kind"], i["purpose_label"]) for i in album["photos"]] == [
        (photo.pk, "image", "产地实拍"), (video.pk, "video", "包装")]
    assert [(i["id"], i["kind"], i["vouched_by"], i["pages"]) for i in album["certificates"]] == [
        (certificate.pk, "pdf", granted_lab_actor.organization.name, 1)]
    first = album["photos"][0]
    assert first["thumb_url"] == f"/media/{photo.media.thumbnail}"
    assert first["full_url"] == f"/media/{photo.media.display}"
    assert (first["thumb_width"], first["thumb_height"], first["sha256"]) == (64, 48, photo.media.sha256)
    assert album["photos"][1]["duration"] == "0:42"
    assert album["photos"][1]["full_url"] == f"/media/{video.media.original}"
    assert first["proof"]["state"] == "verified" and first["proof"]["bundle"].startswith("/log/bundle/")
    assert (album["count"], album["hidden"], album["cover"]) == (3, 0, None)
    json.dumps(album)


def test_withdrawn_and_tampered_evidence_disappear(merchant_actor, batch):
    # given
    kept = _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.ORIGIN, caption="原样")
    withdrawn = _upload(merchant_actor, content=samples.image_bytes("PNG"), name="a.png", batch_id=batch.pk,
                        purpose=Purpose.PRODUCTION)
    tampered = _upload(merchant_actor, content=samples.image_bytes("WEBP"), name="b.webp", batch_id=batch.pk,
                       purpose=Purpose.PACKING, caption="签名时的说明")
    evidence_withdraw(actor=merchant_actor, evidence=withdrawn, reason="拍错了")
    with tampering():
        Evidence.objects.filter(pk=tampered.pk).update(caption="事后改过的说明")
    # when
    album = album_for(product=batch.product, batch=batch)
    # then
    assert album is not None
    assert [i["id"] for i in album["photos"]] == [kept.pk]
    assert (album["count"], album["hidden"]) == (1, 1)


def test_cover_is_the_first_product_photo_from_its_responsive_variants(merchant_actor, batch):
    # given
    image = product_image_add(actor=merchant_actor, product_id=batch.product_id,
                              data=samples.image_bytes("PNG", size=(2000, 1500)))
    _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.ORIGIN)
    # when
    album = album_for(product=batch.product, batch=batch)
    # then
    assert album is not None and album["cover"] == {
        "url": f"/media/products/variants/{image.sha256}-1280w.jpg",
        "thumb_url": f"/media/products/variants/{image.sha256}-320w.jpg",
        "width": 1280, "height": 960, "sha256": image.sha256,
        "photo": {"prefix": "products/variants", "sha256": image.sha256, "width": 2000, "height": 1500},
    }
    assert default_storage.exists(f"products/variants/{image.sha256}-1280w.jpg")


def test_cover_of_a_photo_without_variants_gets_its_display_size_on_first_use(merchant_actor, batch):
    # given a photo stored before responsive variants existed (no size recorded)
    image = product_image_add(actor=merchant_actor, product_id=batch.product_id,
                              data=samples.image_bytes("PNG", size=(2000, 1500)))
    ProductImage.objects.filter(pk=image.pk).update(width=None, height=None)
    _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.ORIGIN)
    # when
    album = album_for(product=batch.product, batch=batch)
    # then
    assert album is not None and album["cover"] == {
        "url": f"/media/products/variants/{image.sha256}-1280.jpg",
        "thumb_url": f"/media/products/variants/{image.sha256}-320.jpg",
        "width": 1280, "height": 960, "sha256": image.sha256, "photo": None,
    }
    assert default_storage.exists(f"products/variants/{image.sha256}-320.jpg")


def test_album_reads_a_few_queries_whatever_its_size(merchant_actor, batch, django_assert_max_num_queries):
    for n in range(6):
        _upload(merchant_actor, content=samples.image_bytes("PNG", size=(10 + n, 10)), name=f"{n}.png",
                batch_id=batch.pk, purpose=Purpose.PRODUCTION)
    with django_assert_max_num_queries(6):
        album = album_for(product=batch.product, batch=batch)
    assert album is not None and album["count"] == 6


def test_lot_page_shows_the_album_with_captions_escaped(merchant_actor, batch):
    # given
    _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.ORIGIN, caption='<script>alert("x")</script>松林')
    _upload(merchant_actor, content=samples.pdf_with_metadata(), name="c.pdf", batch_id=batch.pk,
            purpose=Purpose.CERTIFICATE, caption="证书 <b>1</b>")
    log_integrate_all()
    path = f"/01/{batch.product.gtin}/10/{batch.lot}"
    # when
    page = Client().get(path + "?lang=zh-hans")
    album_page = Client().get(path + "/album?lang=zh-hans")
    data = Client().get(path, HTTP_ACCEPT="application/json").json()
    # then the lot page shows the album's card, which links to the album on a page of its own (fetched on demand)
    card = page.content.decode()
    assert page.status_code == 200 and album_page.status_code == 200
    assert "溯源相册" in card and f'<a href="{path}/album" data-part="album">打开溯源相册 ›</a>' in card
    assert "证书与认证文件" not in card and "松林" not in card
    html = album_page.content.decode()
    assert 'id="album"' in html and "证书与认证文件" in html and "产地实拍" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;松林" in html and "<script>alert" not in html
    assert "证书 &lt;b&gt;1&lt;/b&gt;" in html
    assert 'loading="lazy"' in html and "✓" in html
    assert len(page.content) <= 150 * 1024 and len(album_page.content) <= 150 * 1024
    assert data["sections"]["album"]["photos"][0]["caption"] == '<script>alert("x")</script>松林'


def test_variants_command_backfills_product_photos(merchant_actor, product, capsys):
    # given a photo whose variants were never made
    from django.core.management import call_command

    image = product_image_add(actor=merchant_actor, product_id=product.pk, data=samples.image_bytes("JPEG"))
    # when
    call_command("evidence_variants")
    # then
    assert default_storage.exists(f"products/variants/{image.sha256}-1280.jpg")
    assert default_storage.exists(f"products/variants/{image.sha256}-320.jpg")
    assert capsys.readouterr().out.strip() == "1 photos have their variants, 0 could not be read"


def test_a_large_album_keeps_the_page_small(merchant_actor, batch, settings):
    # given: 30 photos with long captions
    from xinren.evidence import selectors

    settings.XINREN_LOG_INTEGRATE_ON_COMMIT = False
    for n in range(30):
        _upload(merchant_actor, content=samples.image_bytes("PNG", size=(10 + n, 10)), name=f"{n}.png",
                batch_id=batch.pk, purpose=Purpose.PRODUCTION, caption="生产线监控截图，" * 20)
    log_integrate_all()
    # when
    album = album_for(product=batch.product, batch=batch)
    page = Client().get(f"/01/{batch.product.gtin}/10/{batch.lot}?lang=zh-hans")
    album_page = Client().get(f"/01/{batch.product.gtin}/10/{batch.lot}/album?lang=zh-hans")
    # then
    assert album is not None
    assert (len(album["photos"]), album["more"], album["count"]) == (selectors.ALBUM_MAX_PHOTOS, 6, 30)
    assert "另有 6 项照片和视频未在此页显示" in album_page.content.decode()
    assert len(page.content) <= 150 * 1024 and len(album_page.content) <= 150 * 1024


def test_each_album_item_links_the_original_whose_digest_the_statement_signs(merchant_actor, granted_lab_actor,
                                                                             batch):
    # given: a photo (resized for display), a video and a certificate, logged
    rows = [
        _upload(merchant_actor, content=samples.image_bytes("PNG", size=(2000, 1500)), name="big.png",
                batch_id=batch.pk, purpose=Purpose.ORIGIN),
        _upload(merchant_actor, batch_id=batch.pk, purpose=Purpose.PRODUCTION),
        _upload(merchant_actor, content=samples.mp4_with_location(), name="pack.mp4", batch_id=batch.pk,
                purpose=Purpose.PACKING),
        _upload(granted_lab_actor, content=samples.pdf_with_metadata(), name="cert.pdf",
                product_id=batch.product_id, purpose=Purpose.CERTIFICATE),
    ]
    log_integrate_all()
    logged = logged_statements(bytes.fromhex(row.leaf_hash) for row in rows)
    signed = sorted(logged[bytes.fromhex(row.leaf_hash)][1]["sha256"] for row in rows)  # type: ignore[index]
    # when: a consumer follows each "original file" link of the page and hashes what it downloads
    html = Client().get(f"/01/{batch.product.gtin}/10/{batch.lot}/album?lang=zh-hans").content.decode()
    album = html[html.index('id="album"') :]
    links = re.findall(r'<a href="/media/([^"]+)" download>原文件</a>', album)
    links += re.findall(r'<a href="/media/([^"]+)" download>下载原文件</a>', album)
    fingerprints = []
    for name in links:
        with default_storage.open(name, "rb") as downloaded:
            fingerprints.append(hashlib.sha256(downloaded.read()).hexdigest())
    # then: one link per item, and "compute the fingerprint and compare" works as written
    assert len(links) == 4
    assert sorted(fingerprints) == signed

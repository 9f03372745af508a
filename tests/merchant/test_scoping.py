"""Another organization's ids are 404 on every page and change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinren.accounts.models import ApiKey
from xinren.accounts.services import api_key_create
from xinren.catalog.models import Batch, Item, PartnerGrant, ProductImage
from xinren.core.models import AuditEntry

from ..factories import actor_for

PRODUCT_FORM = {"name": "改名", "category": "tea", "origin_region": "别处", "description": ""}

GETS = [
    "/merchant/products/{product}/",
    "/merchant/products/{product}/edit/",
    "/merchant/products/{product}/batches/new/",
    "/merchant/batches/{batch}/",
    "/merchant/batches/{batch}/labels.svg",
    "/merchant/batches/{batch}/labels.pdf",
]
POSTS = [
    ("/merchant/products/{product}/edit/", PRODUCT_FORM),
    ("/merchant/products/{product}/status/", {"status": "delisted"}),
    ("/merchant/products/{product}/batches/new/", {"lot": "X1", "production_date": "2026-01-01", "quantity": "5"}),
    ("/merchant/batches/{batch}/items/", {"count": "1"}),
]


def _snapshot(batch: Batch) -> tuple[object, ...]:
    product = batch.product
    product.refresh_from_db()
    return (
        product.name,
        product.status,
        Batch.objects.filter(product=product).count(),
        Item.objects.filter(product=product).count(),
        ProductImage.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("url", GETS)
def test_foreign_ids_are_not_found_on_pages(admin: Client, other_batch, url):
    # when
    response = admin.get(url.format(product=other_batch.product_id, batch=other_batch.pk))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(("url", "data"), POSTS)
def test_foreign_ids_are_not_found_on_writes(admin: Client, other_batch, url, data):
    # given
    before = _snapshot(other_batch)
    # when
    response = admin.post(url.format(product=other_batch.product_id, batch=other_batch.pk), data)
    # then
    assert response.status_code == 404
    assert _snapshot(other_batch) == before


def test_foreign_product_image_upload_is_not_found(admin: Client, other_batch):
    # given
    before = _snapshot(other_batch)
    upload = SimpleUploadedFile("a.png", b"\x89PNG\r\n", content_type="image/png")
    # when
    response = admin.post(f"/merchant/products/{other_batch.product_id}/images/", {"image": upload})
    # then
    assert response.status_code == 404
    assert _snapshot(other_batch) == before


def test_foreign_api_key_cannot_be_revoked(admin: Client, other_merchant):
    # given
    key, _ = api_key_create(actor=actor_for(other_merchant, "admin"), name="ERP")
    # when
    response = admin.post(f"/merchant/api-keys/{key.pk}/revoke/")
    # then
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_foreign_grant_cannot_be_revoked(admin: Client, other_merchant, logistics):
    # given
    grant = PartnerGrant.objects.create(owner=other_merchant, partner=logistics, legacy_all_products=True)
    # when
    response = admin.post(f"/merchant/partners/{logistics.slug}/revoke/")
    # then
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_lists_do_not_show_foreign_batches(admin: Client, batch, other_batch):
    # when
    html = admin.get("/merchant/batches/").content.decode()
    # then
    assert f"/merchant/batches/{batch.pk}/" in html
    assert f"/merchant/batches/{other_batch.pk}/" not in html

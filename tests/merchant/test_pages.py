"""Every console page renders for the roles and organization kinds that may see it."""

from __future__ import annotations

import pytest
from django.test import Client

from ..factories import ItemFactory

CATALOG_PAGES = [
    "/merchant/products/",
    "/merchant/products/new/",
    "/merchant/products/{product}/",
    "/merchant/products/{product}/edit/",
    "/merchant/products/{product}/batches/new/",
    "/merchant/batches/",
    "/merchant/batches/{batch}/",
    "/merchant/partners/",
]
TRACE_PAGES = ["/merchant/", "/merchant/events/", "/merchant/events/new/", "/merchant/places/"]


@pytest.mark.parametrize("url", CATALOG_PAGES + TRACE_PAGES + ["/merchant/api-keys/"])
def test_admin_sees_every_page(admin: Client, batch, url):
    # given
    ItemFactory(batch=batch)
    # when
    response = admin.get(url.format(product=batch.product_id, batch=batch.pk))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("url", TRACE_PAGES)
def test_logistics_sees_trace_pages(logistics_staff: Client, url):
    # when / then
    assert logistics_staff.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/merchant/products/", "/merchant/batches/", "/merchant/partners/"])
def test_logistics_is_refused_catalog_pages(logistics_staff: Client, url):
    # when
    response = logistics_staff.get(url)
    # then
    assert response.status_code == 403
    assert "此类组织不能进行此操作" in response.content.decode()


@pytest.mark.parametrize("url", ["/merchant/products/new/", "/merchant/events/new/", "/merchant/api-keys/"])
def test_viewer_is_refused_write_pages(viewer: Client, url):
    # when / then
    assert viewer.get(url).status_code == 403

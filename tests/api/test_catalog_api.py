"""Products, batches, items, label sheets and partner grants through /api/v1/."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.catalog.grants import grant_today
from xinren.catalog.models import Batch, Item, PartnerGrant, Product, ProductImage
from xinren.core.models import AuditEntry

from ..factories import BatchFactory, ItemFactory, ProductFactory, make_gtin
from ..fixtures.api import assert_error, call, key_for, member

pytestmark = pytest.mark.django_db

PRODUCT = {
    "gtin": "6901234567892",
    "name": "松茸 特级",
    "category": "wild_mushroom",
    "origin_region": "云南省迪庆州香格里拉市",
    "origin_latitude": "27.8",
    "origin_longitude": "99.7",
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# --- products ---------------------------------------------------------------------------------------------


def test_product_register_returns_the_product(client, merchant, merchant_key):
    # when
    response = call(client, "POST", "/products", key=merchant_key, body=PRODUCT)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get()
    assert product.merchant == merchant
    assert body == {
        "id": product.pk,
        "gtin": "06901234567892",
        "name": "松茸 特级",
        "category": "wild_mushroom",
        "origin_region": "云南省迪庆州香格里拉市",
        "origin_latitude": "27.800000",
        "origin_longitude": "99.700000",
        "description": "",
        "origin_place": "",
        "net_content_amount": None,
        "net_content_unit": "",
        "shelf_life_days": None,
        "ingredients": "",
        "status": "draft",
        "digital_link": f"{settings.XINREN_RESOLVER}/01/06901234567892",
        "facts_version": None,  # a draft's facts are signed when it is published
        "facts_leaf_hash": None,
        "images": [],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert AuditEntry.objects.filter(action="product.register", target_id=str(product.pk)).count() == 1


def test_product_list_shows_only_own_products(client, merchant, other_merchant, merchant_key):
    # given
    own = ProductFactory(merchant=merchant, name="A 松茸")
    ProductFactory(merchant=other_merchant, name="B 普洱")
    # when
    response = call(client, "GET", "/products", key=merchant_key)
    # then
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [own.pk]
    assert response.json()[0]["gtin"] == own.gtin


def test_products_need_authentication(client, merchant):
    # when
    response = call(client, "GET", "/products")
    # then
    assert_error(response, 401, "auth.required")


def test_product_register_refused_for_viewer_key(client, viewer_key):
    # when
    response = call(client, "POST", "/products", key=viewer_key, body=PRODUCT)
    # then
    body = assert_error(response, 403, "permission.role")
    assert body["details"] == {"required_role": "staff"}
    assert Product.objects.count() == 0


def test_product_register_refused_for_logistics_key(client, logistics_key):
    response = call(client, "POST", "/products", key=logistics_key, body=PRODUCT)
    assert_error(response, 403, "permission.organization_kind")
    assert Product.objects.count() == 0


def test_product_register_validation_error_shape(client, merchant_key):
    # when: no GTIN, a category that does not exist, a latitude that is not a number
    response = call(
        client,
        "POST",
        "/products",
        key=merchant_key,
        body={"name": "松茸", "category": "spaceship", "origin_region": "云南", "origin_latitude": "north"},
    )
    # then
    body = assert_error(response, 422, "validation")
    assert body["message"] == "请求数据无效"
    errors = {tuple(e["loc"]): e["type"] for e in body["details"]["errors"]}
    assert errors == {
        ("body", "payload", "gtin"): "missing",
        ("body", "payload", "category"): "enum",
        ("body", "payload", "origin_latitude"): "decimal_parsing",
    }
    assert all(set(e) == {"loc", "type", "msg"} for e in body["details"]["errors"])
    assert Product.objects.count() == 0


def test_product_register_bad_check_digit_is_domain_error(client, merchant_key):
    response = call(client, "POST", "/products", key=merchant_key, body={**PRODUCT, "gtin": "6901234567891"})
    body = assert_error(response, 422, "gtin.check_digit")
    assert body["message"] == "GTIN 校验位错误"
    assert Product.objects.count() == 0


def test_product_register_duplicate_gtin_is_conflict(client, merchant_key, other_merchant):
    # given
    ProductFactory(merchant=other_merchant, gtin="06901234567892")
    # when
    response = call(client, "POST", "/products", key=merchant_key, body=PRODUCT)
    # then
    body = assert_error(response, 409, "product.gtin_taken")
    assert body["details"] == {"gtin": "06901234567892"}
    assert Product.objects.count() == 1


def test_malformed_json_is_a_400_in_the_error_shape(client, merchant_key):
    response = call(client, "POST", "/products", key=merchant_key, body="{not json")
    assert_error(response, 400, "request.malformed")
    assert Product.objects.count() == 0


def test_product_get_and_update(client, merchant, merchant_key):
    # given
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    # when
    fetched = call(client, "GET", f"/products/{product.pk}", key=merchant_key)
    updated = call(
        client,
        "PUT",
        f"/products/{product.pk}",
        key=merchant_key,
        body={
            "name": "牛肝菌 精选",
            "category": "wild_mushroom",
            "origin_region": "云南省楚雄州",
            "description": "手工采摘",
        },
    )
    # then
    assert fetched.status_code == 200
    assert fetched.json()["gtin"] == product.gtin
    assert updated.status_code == 200, updated.content
    product.refresh_from_db()
    assert (product.name, product.origin_region, product.description) == ("牛肝菌 精选", "云南省楚雄州", "手工采摘")
    assert updated.json()["name"] == "牛肝菌 精选"
    assert updated.json()["origin_latitude"] is None


def test_other_organizations_product_is_not_found_and_unchanged(client, other_merchant, merchant_key):
    # given
    product = ProductFactory(merchant=other_merchant, name="普洱 古树", status=ProductStatus.DRAFT)
    update = {"name": "被改了", "category": "tea", "origin_region": "别处"}
    # when
    responses = [
        call(client, "GET", f"/products/{product.pk}", key=merchant_key),
        call(client, "PUT", f"/products/{product.pk}", key=merchant_key, body=update),
        call(client, "POST", f"/products/{product.pk}/status", key=merchant_key, body={"status": "active"}),
        call(client, "GET", f"/products/{product.pk}/batches", key=merchant_key),
        call(
            client,
            "POST",
            f"/products/{product.pk}/batches",
            key=merchant_key,
            body={"lot": "L1", "production_date": "2026-01-01", "quantity": 5},
        ),
    ]
    # then
    for response in responses:
        assert_error(response, 404, "product.not_found")
    product.refresh_from_db()
    assert (product.name, product.status) == ("普洱 古树", ProductStatus.DRAFT)
    assert Batch.objects.count() == 0


def test_product_update_refused_for_viewer_key(client, merchant, viewer_key):
    product = ProductFactory(merchant=merchant, name="原名")
    response = call(
        client,
        "PUT",
        f"/products/{product.pk}",
        key=viewer_key,
        body={"name": "新名", "category": "tea", "origin_region": "云南"},
    )
    assert_error(response, 403, "permission.role")
    product.refresh_from_db()
    assert product.name == "原名"


def test_unknown_product_id_is_not_found(client, merchant_key):
    assert_error(call(client, "GET", "/products/999999", key=merchant_key), 404, "product.not_found")


def test_product_status_transitions(client, merchant, merchant_key):
    # given
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    # when
    published = call(client, "POST", f"/products/{product.pk}/status", key=merchant_key, body={"status": "active"})
    back_to_draft = call(client, "POST", f"/products/{product.pk}/status", key=merchant_key, body={"status": "draft"})
    # then
    assert published.status_code == 200
    assert published.json()["status"] == "active"
    body = assert_error(back_to_draft, 409, "product.transition_invalid")
    assert body["details"] == {"from": "active", "to": "draft"}
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE


def test_product_status_unknown_value_is_validation_error(client, merchant, merchant_key):
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    response = call(client, "POST", f"/products/{product.pk}/status", key=merchant_key, body={"status": "gone"})
    body = assert_error(response, 422, "validation")
    assert [e["loc"] for e in body["details"]["errors"]] == [["body", "payload", "status"]]


def test_product_image_upload(client, merchant, merchant_key):
    # given
    product = ProductFactory(merchant=merchant)
    # when
    response = client.post(
        f"/api/v1/products/{product.pk}/images",
        data={"image": io.BytesIO(_png())},
        headers={"Authorization": f"Bearer {merchant_key}"},
    )
    # then
    assert response.status_code == 201, response.content
    image = ProductImage.objects.get(product=product)
    assert response.json() == {"id": image.pk, "url": image.image.url, "sha256": image.sha256, "position": 0}
    listed = call(client, "GET", f"/products/{product.pk}", key=merchant_key).json()
    assert [i["id"] for i in listed["images"]] == [image.pk]


def test_product_image_upload_refuses_non_images(client, merchant, merchant_key):
    product = ProductFactory(merchant=merchant)
    response = client.post(
        f"/api/v1/products/{product.pk}/images",
        data={"image": io.BytesIO(b"%PDF-1.4 not an image")},
        headers={"Authorization": f"Bearer {merchant_key}"},
    )
    assert_error(response, 422, "image.invalid")
    assert ProductImage.objects.count() == 0


def test_product_image_upload_to_other_organization_is_not_found(client, other_merchant, merchant_key):
    product = ProductFactory(merchant=other_merchant)
    response = client.post(
        f"/api/v1/products/{product.pk}/images",
        data={"image": io.BytesIO(_png())},
        headers={"Authorization": f"Bearer {merchant_key}"},
    )
    assert_error(response, 404, "product.not_found")
    assert ProductImage.objects.count() == 0


def test_product_image_upload_without_file_is_validation_error(client, merchant, merchant_key):
    product = ProductFactory(merchant=merchant)
    response = client.post(
        f"/api/v1/products/{product.pk}/images", data={}, headers={"Authorization": f"Bearer {merchant_key}"}
    )
    body = assert_error(response, 422, "validation")
    assert [(e["loc"], e["type"]) for e in body["details"]["errors"]] == [(["file", "image"], "missing")]


# --- batches and items -----------------------------------------------------------------------------------


def test_batch_create_list_and_get(client, merchant, merchant_key):
    # given
    product = ProductFactory(merchant=merchant)
    # when
    created = call(
        client,
        "POST",
        f"/products/{product.pk}/batches",
        key=merchant_key,
        body={"lot": "L20260701", "production_date": "2026-07-01", "expiry_date": "2026-12-31", "quantity": 50},
    )
    # then
    assert created.status_code == 201, created.content
    batch = Batch.objects.get()
    expected = {
        "id": batch.pk,
        "product_id": product.pk,
        "gtin": product.gtin,
        "lot": "L20260701",
        "production_date": "2026-07-01",
        "expiry_date": "2026-12-31",
        "quantity": 50,
        "digital_link": f"{settings.XINREN_RESOLVER}/01/{product.gtin}/10/L20260701",
    }
    assert created.json() == expected
    assert call(client, "GET", f"/products/{product.pk}/batches", key=merchant_key).json() == [expected]
    assert call(client, "GET", f"/batches/{batch.pk}", key=merchant_key).json() == expected


def test_batch_create_with_expiry_before_production_is_refused(client, merchant, merchant_key):
    product = ProductFactory(merchant=merchant)
    response = call(
        client,
        "POST",
        f"/products/{product.pk}/batches",
        key=merchant_key,
        body={"lot": "L1", "production_date": "2026-07-01", "expiry_date": "2026-06-01", "quantity": 5},
    )
    assert_error(response, 422, "batch.dates_invalid")
    assert Batch.objects.count() == 0


def test_batch_create_with_bad_date_is_validation_error(client, merchant, merchant_key):
    product = ProductFactory(merchant=merchant)
    response = call(
        client,
        "POST",
        f"/products/{product.pk}/batches",
        key=merchant_key,
        body={"lot": "L1", "production_date": "2026-13-45", "quantity": "many"},
    )
    body = assert_error(response, 422, "validation")
    assert sorted(tuple(e["loc"]) for e in body["details"]["errors"]) == [
        ("body", "payload", "production_date"),
        ("body", "payload", "quantity"),
    ]


def test_batch_create_refused_for_viewer_key(client, merchant, viewer_key):
    product = ProductFactory(merchant=merchant)
    response = call(
        client,
        "POST",
        f"/products/{product.pk}/batches",
        key=viewer_key,
        body={"lot": "L1", "production_date": "2026-07-01", "quantity": 5},
    )
    assert_error(response, 403, "permission.role")
    assert Batch.objects.count() == 0


def test_items_generate_and_page(client, merchant, merchant_key):
    # given
    batch = BatchFactory(product=ProductFactory(merchant=merchant), quantity=10)
    # when
    created = call(client, "POST", f"/batches/{batch.pk}/items", key=merchant_key, body={"count": 3})
    first = call(client, "GET", f"/batches/{batch.pk}/items?limit=2", key=merchant_key)
    second = call(client, "GET", f"/batches/{batch.pk}/items?limit=2&offset=2", key=merchant_key)
    # then
    assert created.status_code == 201, created.content
    items = list(Item.objects.filter(batch=batch).order_by("id"))
    assert len(items) == 3
    expected = [
        {
            "id": item.pk,
            "serial": item.serial,
            "digital_link": f"{settings.XINREN_RESOLVER}/01/{batch.product.gtin}/10/{batch.lot}/21/{item.serial}",
        }
        for item in items
    ]
    assert created.json() == expected
    assert first.json() == {"count": 3, "limit": 2, "offset": 0, "items": expected[:2]}
    assert second.json() == {"count": 3, "limit": 2, "offset": 2, "items": expected[2:]}


def test_items_generate_beyond_quantity_is_refused(client, merchant, merchant_key):
    batch = BatchFactory(product=ProductFactory(merchant=merchant), quantity=2)
    response = call(client, "POST", f"/batches/{batch.pk}/items", key=merchant_key, body={"count": 3})
    body = assert_error(response, 422, "items.count_invalid")
    assert body["details"] == {"count": 3, "existing": 0, "quantity": 2}
    assert Item.objects.count() == 0


def test_items_generate_refused_for_viewer_key(client, merchant, viewer_key):
    batch = BatchFactory(product=ProductFactory(merchant=merchant))
    response = call(client, "POST", f"/batches/{batch.pk}/items", key=viewer_key, body={"count": 1})
    assert_error(response, 403, "permission.role")
    assert Item.objects.count() == 0


def test_items_page_size_is_capped(client, merchant, merchant_key):
    batch = BatchFactory(product=ProductFactory(merchant=merchant))
    response = call(client, "GET", f"/batches/{batch.pk}/items?limit=100000", key=merchant_key)
    body = assert_error(response, 422, "validation")
    assert [e["loc"] for e in body["details"]["errors"]] == [["query", "limit"]]


def test_other_organizations_batch_is_not_found(client, other_merchant, merchant_key):
    # given
    batch = BatchFactory(product=ProductFactory(merchant=other_merchant), quantity=10)
    ItemFactory(batch=batch)
    # when
    responses = [
        call(client, "GET", f"/batches/{batch.pk}", key=merchant_key),
        call(client, "POST", f"/batches/{batch.pk}/items", key=merchant_key, body={"count": 1}),
        call(client, "GET", f"/batches/{batch.pk}/items", key=merchant_key),
        call(client, "GET", f"/batches/{batch.pk}/labels.svg", key=merchant_key),
        call(client, "GET", f"/batches/{batch.pk}/labels.pdf", key=merchant_key),
    ]
    # then
    for response in responses:
        assert_error(response, 404, "batch.not_found")
    assert Item.objects.count() == 1


def test_label_sheets(client, merchant, merchant_key):
    # given
    batch = BatchFactory(product=ProductFactory(merchant=merchant))
    ItemFactory(batch=batch, serial="ABC123")
    # when
    svg = call(client, "GET", f"/batches/{batch.pk}/labels.svg", key=merchant_key)
    pdf = call(client, "GET", f"/batches/{batch.pk}/labels.pdf", key=merchant_key)
    # then
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "<svg" in svg.content.decode()
    assert "ABC123" in svg.content.decode()
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="labels-{batch.product.gtin}-{batch.lot}.pdf"'


def test_label_sheets_need_authentication(client, merchant):
    batch = BatchFactory(product=ProductFactory(merchant=merchant))
    assert_error(call(client, "GET", f"/batches/{batch.pk}/labels.svg"), 401, "auth.required")


# --- partner grants ---------------------------------------------------------------------------------------


@pytest.fixture
def merchant_admin_client(client, merchant):  # type: ignore[no-untyped-def]
    client.force_login(member(merchant, Role.ADMIN))
    return client


def _ends(days: int = 30) -> str:
    return (grant_today() + dt.timedelta(days=days)).isoformat()


def test_partner_grant_and_revoke_by_admin_session(merchant_admin_client, merchant, logistics, product):
    # when
    granted = call(
        merchant_admin_client, "POST", f"/partners/{logistics.slug}/grant",
        body={"product_ids": [product.pk], "ends_on": _ends()},
    )
    # then
    assert granted.status_code == 201, granted.content
    grant = PartnerGrant.objects.get()
    assert (grant.owner, grant.partner, grant.product, grant.revoked_at) == (merchant, logistics, product, None)
    assert granted.json() == [{
        "id": grant.pk,
        "owner": "shanye",
        "owner_name": "昆明山野菌菇店",
        "partner": "dianleng",
        "partner_name": "滇冷链物流",
        "scope": "product",
        "gtin": product.gtin,
        "lot": None,
        "ends_on": _ends(),
        "granted_at": granted.json()[0]["granted_at"],
        "state": "active",
        "active": True,
    }]
    # when
    revoked = call(merchant_admin_client, "DELETE", f"/partners/{logistics.slug}/grant")
    # then
    assert revoked.status_code == 204
    assert revoked.content == b""
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_partner_lists_what_it_received_and_finds_by_search(
    merchant_admin_client, logistics, logistics_key, batch
):
    # given
    call(merchant_admin_client, "POST", f"/partners/{logistics.uscc}/grant",
         body={"batch_ids": [batch.pk], "ends_on": _ends(7)})
    # when
    received = call(Client(), "GET", "/grants/received", key=logistics_key)
    found = call(merchant_admin_client, "GET", f"/partners/search?q={quote('冷链')}")
    short = call(merchant_admin_client, "GET", f"/partners/search?q={quote('冷')}")
    # then
    assert [(g["owner"], g["scope"], g["lot"], g["ends_on"]) for g in received.json()] == [
        ("shanye", "lot", "L20260701", _ends(7))
    ]
    assert [o["slug"] for o in found.json()] == ["dianleng"]
    assert_error(short, 422, "grant.search_invalid")


def test_partner_grant_refused_for_staff_key(client, logistics, merchant_key, product):
    # API keys are staff at most, and granting is an admin's act.
    response = call(client, "POST", f"/partners/{logistics.slug}/grant", key=merchant_key,
                    body={"product_ids": [product.pk], "ends_on": _ends()})
    assert_error(response, 403, "permission.role")
    assert PartnerGrant.objects.count() == 0


def test_partner_grant_unknown_partner_is_not_found(merchant_admin_client, product):
    response = call(merchant_admin_client, "POST", "/partners/nobody/grant",
                    body={"product_ids": [product.pk], "ends_on": _ends()})
    body = assert_error(response, 404, "partner.not_found")
    assert body["details"] == {"field": "partner", "partner": "nobody"}
    assert PartnerGrant.objects.count() == 0


def test_partner_grant_with_a_past_end_date_is_refused(merchant_admin_client, logistics, product):
    response = call(merchant_admin_client, "POST", f"/partners/{logistics.slug}/grant",
                    body={"product_ids": [product.pk], "ends_on": _ends(-1)})
    assert_error(response, 422, "grant.ends_on_invalid")
    assert PartnerGrant.objects.count() == 0


def test_partner_revoke_of_another_owners_grant_is_not_found(merchant_admin_client, other_merchant, logistics):
    # given: the other merchant trusts the logistics firm
    PartnerGrant.objects.create(owner=other_merchant, partner=logistics, legacy_all_products=True)
    # when
    response = call(merchant_admin_client, "DELETE", f"/partners/{logistics.slug}/grant")
    # then
    assert_error(response, 404, "partner.not_found")
    assert PartnerGrant.objects.get().revoked_at is None


def test_partner_grant_needs_authentication(client, logistics, product):
    response = call(client, "POST", f"/partners/{logistics.slug}/grant",
                    body={"product_ids": [product.pk], "ends_on": _ends()})
    assert_error(response, 401, "auth.required")
    assert PartnerGrant.objects.count() == 0


def test_key_of_one_organization_never_sees_anothers_gtin(client, merchant, other_merchant):
    # given
    ProductFactory(merchant=other_merchant, gtin=make_gtin())
    key = key_for(merchant)
    # when
    response = call(client, "GET", "/products", key=key)
    # then
    assert response.json() == []

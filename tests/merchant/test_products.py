"""Registering, editing, publishing products and uploading their photos."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from xinren.catalog.models import Product, ProductImage
from xinren.core.models import AuditEntry

from ..factories import make_gtin

FORM = {
    "gtin": "6901234567892",
    "name": "野生牛肝菌（干）",
    "category": "wild_mushroom",
    "origin_region": "云南省楚雄州南华县",
    "origin_latitude": "25.192300",
    "origin_longitude": "101.273400",
    "description": "手工挑选，日晒干制。",
}


def test_register_product(staff: Client, merchant):
    # when
    response = staff.post("/merchant/products/new/", FORM)
    # then
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/products/{product.pk}/"
    assert product.merchant == merchant
    assert product.gtin == "06901234567892"
    assert product.name == "野生牛肝菌（干）"
    assert str(product.origin_latitude) == "25.192300"
    assert product.status == "draft"
    assert "商品已登记" in staff.get(response["Location"]).content.decode()


def test_register_product_with_bad_check_digit_shows_the_error(staff: Client):
    # when
    response = staff.post("/merchant/products/new/", {**FORM, "gtin": "6901234567891"})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"gtin": ["GTIN 校验位错误"]}
    assert "GTIN 校验位错误" in response.content.decode()
    assert Product.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_register_product_with_taken_gtin_is_refused(staff: Client, draft_product):
    # when
    response = staff.post("/merchant/products/new/", {**FORM, "gtin": draft_product.gtin})
    # then
    assert response.status_code == 409
    assert response.context["form"].errors == {"gtin": ["该 GTIN 已登记"]}
    assert Product.objects.count() == 1


def test_product_list_shows_only_own_products(staff: Client, draft_product, other_batch):
    # when
    html = staff.get("/merchant/products/").content.decode()
    # then
    assert draft_product.name in html
    assert other_batch.product.name not in html


def test_edit_product(staff: Client, draft_product):
    # given
    form = {**FORM, "name": "野生牛肝菌 500g", "gtin": "ignored"}
    # when
    response = staff.post(f"/merchant/products/{draft_product.pk}/edit/", form)
    # then
    assert response.status_code == 302
    draft_product.refresh_from_db()
    assert draft_product.name == "野生牛肝菌 500g"
    assert draft_product.description == "手工挑选，日晒干制。"
    assert draft_product.gtin != "06901234567892"  # the GTIN never changes


def test_edit_form_is_prefilled(staff: Client, draft_product):
    # when
    response = staff.get(f"/merchant/products/{draft_product.pk}/edit/")
    # then
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == draft_product.name


def test_publish_then_delist(staff: Client, draft_product):
    # when
    published = staff.post(f"/merchant/products/{draft_product.pk}/status/", {"status": "active"})
    draft_product.refresh_from_db()
    status_after_publish = draft_product.status
    delisted = staff.post(f"/merchant/products/{draft_product.pk}/status/", {"status": "delisted"})
    # then
    assert published.status_code == delisted.status_code == 302
    assert status_after_publish == "active"
    draft_product.refresh_from_db()
    assert draft_product.status == "delisted"


def test_illegal_transition_shows_a_message_and_changes_nothing(staff: Client, draft_product):
    # when a draft is delisted without ever being published
    response = staff.post(f"/merchant/products/{draft_product.pk}/status/", {"status": "delisted"}, follow=True)
    # then
    assert "商品状态不能这样变更" in response.content.decode()
    draft_product.refresh_from_db()
    assert draft_product.status == "draft"


def _png_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (25.0, 11.0, 30.0), 3: "E", 4: (101.0, 16.0, 20.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    return out.getvalue()


def test_image_upload_strips_exif(staff: Client, draft_product):
    # given
    data = _png_with_gps()
    assert Image.open(io.BytesIO(data)).getexif()  # the upload does carry metadata
    upload = SimpleUploadedFile("field.png", data, content_type="image/png")
    # when
    response = staff.post(f"/merchant/products/{draft_product.pk}/images/", {"image": upload})
    # then
    assert response.status_code == 302
    stored = ProductImage.objects.get(product=draft_product)
    with stored.image.open("rb") as handle:
        saved = Image.open(io.BytesIO(handle.read()))
        assert saved.format == "PNG"
        assert saved.size == (32, 24)
        assert not saved.getexif()
        assert "exif" not in saved.info


def test_text_file_named_jpg_is_refused(staff: Client, draft_product):
    # given
    upload = SimpleUploadedFile("photo.jpg", "不是图片".encode(), content_type="image/jpeg")
    # when
    response = staff.post(f"/merchant/products/{draft_product.pk}/images/", {"image": upload})
    # then
    assert response.status_code == 422
    assert response.context["image_form"].errors == {"image": ["文件不是有效的图片"]}
    assert ProductImage.objects.count() == 0


def test_viewer_cannot_write(viewer: Client, draft_product):
    # when
    register = viewer.post("/merchant/products/new/", {**FORM, "gtin": make_gtin()})
    publish = viewer.post(f"/merchant/products/{draft_product.pk}/status/", {"status": "active"})
    edit = viewer.post(f"/merchant/products/{draft_product.pk}/edit/", {**FORM, "name": "改名"})
    # then
    assert register.status_code == publish.status_code == edit.status_code == 403
    assert "你的角色无权进行此操作" in register.content.decode()
    assert Product.objects.count() == 1
    draft_product.refresh_from_db()
    assert (draft_product.status, draft_product.name) == ("draft", "野生牛肝菌")
    assert AuditEntry.objects.count() == 0


def test_viewer_sees_products_without_write_buttons(viewer: Client, draft_product):
    # when
    response = viewer.get(f"/merchant/products/{draft_product.pk}/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert draft_product.name in html
    assert f"/merchant/products/{draft_product.pk}/edit/" not in html
    assert 'enctype="multipart/form-data"' not in html


def test_logistics_cannot_register_products(logistics_staff: Client):
    # when
    page = logistics_staff.get("/merchant/products/new/")
    post = logistics_staff.post("/merchant/products/new/", FORM)
    # then
    assert page.status_code == post.status_code == 403
    assert "此类组织不能进行此操作" in post.content.decode()
    assert Product.objects.count() == 0

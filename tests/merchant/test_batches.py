"""Creating batches, generating items and downloading label sheets from the console."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from xinren.catalog.models import Batch, Item

from ..factories import ItemFactory


def test_create_batch(staff: Client, draft_product):
    # when
    response = staff.post(
        f"/merchant/products/{draft_product.pk}/batches/new/",
        {"lot": "L2026-07A", "production_date": "2026-01-05", "expiry_date": "2026-12-31", "quantity": "200"},
    )
    # then
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/merchant/batches/{batch.pk}/"
    assert (batch.product, batch.lot, batch.quantity) == (draft_product, "L2026-07A", 200)
    assert (batch.production_date, batch.expiry_date) == (dt.date(2026, 1, 5), dt.date(2026, 12, 31))


def test_expiry_before_production_is_refused(staff: Client, draft_product):
    # when
    response = staff.post(
        f"/merchant/products/{draft_product.pk}/batches/new/",
        {"lot": "L1", "production_date": "2026-01-05", "expiry_date": "2025-12-31", "quantity": "10"},
    )
    # then
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["保质期不能早于生产日期"]
    assert Batch.objects.count() == 0


def test_production_in_the_future_is_refused(staff: Client, draft_product):
    # when
    response = staff.post(
        f"/merchant/products/{draft_product.pk}/batches/new/",
        {"lot": "L1", "production_date": "2999-01-01", "quantity": "10"},
    )
    # then
    assert response.status_code == 422
    assert "生产日期不能在未来" in response.content.decode()
    assert Batch.objects.count() == 0


def test_bad_lot_characters_are_shown_on_the_lot_field(staff: Client, draft_product):
    # when
    response = staff.post(
        f"/merchant/products/{draft_product.pk}/batches/new/",
        {"lot": "批号一", "production_date": "2026-01-05", "quantity": "10"},
    )
    # then
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["lot"]
    assert Batch.objects.count() == 0


def test_generate_items(staff: Client, batch):
    # when
    response = staff.post(f"/merchant/batches/{batch.pk}/items/", {"count": "12"})
    # then
    assert response.status_code == 302
    assert Item.objects.filter(batch=batch).count() == 12


def test_batch_detail_links_each_item_to_its_consumer_page(staff: Client, batch):
    # given
    item = ItemFactory(batch=batch, serial="ABC123")
    # when
    html = staff.get(f"/merchant/batches/{batch.pk}/").content.decode()
    # then
    assert f'href="/01/{batch.product.gtin}/10/L20260701/21/ABC123"' in html
    assert item.serial in html


def test_generating_more_items_than_the_batch_holds_is_refused(staff: Client, batch):
    # when
    response = staff.post(f"/merchant/batches/{batch.pk}/items/", {"count": "101"})
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {"count": ["生成数量无效：每次 1–5000 个，且总数不超过批次数量"]}
    assert Item.objects.count() == 0


def test_viewer_cannot_generate_items(viewer: Client, batch):
    # when
    response = viewer.post(f"/merchant/batches/{batch.pk}/items/", {"count": "5"})
    # then
    assert response.status_code == 403
    assert Item.objects.count() == 0


def test_download_svg_labels(staff: Client, batch):
    # given
    ItemFactory.create_batch(3, batch=batch)
    # when
    response = staff.get(f"/merchant/batches/{batch.pk}/labels.svg")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="labels-{batch.product.gtin}-L20260701.svg"'
    assert response.content.decode().count('class="qr"') == 3


def test_download_pdf_labels(staff: Client, batch):
    # given
    ItemFactory.create_batch(3, batch=batch)
    batch.lot = "L/07"  # GS1 allows '/', a file name does not
    batch.save()
    # when
    response = staff.get(f"/merchant/batches/{batch.pk}/labels.pdf")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="labels-{batch.product.gtin}-L_07.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_labels_of_a_batch_without_items_explain_why(staff: Client, batch):
    # when
    response = staff.get(f"/merchant/batches/{batch.pk}/labels.pdf", follow=True)
    # then
    assert response.redirect_chain == [(f"/merchant/batches/{batch.pk}/", 302)]
    assert "该批次还没有生成单品，无法打印标签" in response.content.decode()

"""Products, batches, items, images and partner grants (more on grants: test_grants.py)."""

import datetime as dt
import io

import pytest
from PIL import Image

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.catalog.grants import grant_today, partner_grant, partner_revoke
from xinren.catalog.models import Batch, Item, PartnerGrant, Product, ProductImage
from xinren.catalog.selectors import owners_trusting, product_list
from xinren.catalog.services import (
    batch_create,
    items_generate,
    product_image_add,
    product_register,
    product_set_status,
    product_update,
)
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh

from ..factories import BatchFactory, ProductFactory, actor_for, make_gtin

pytestmark = pytest.mark.django_db


def _register(actor, **overrides):
    fields = {
        "gtin": make_gtin(),
        "name": "松茸 特级",
        "category": "wild_mushroom",
        "origin_region": "云南省迪庆州香格里拉市",
        "origin_latitude": "27.8",
        "origin_longitude": "99.7",
    }
    fields.update(overrides)
    return product_register(actor=actor, **fields)


def test_product_register_normalises_gtin_13(merchant_actor):
    product = _register(merchant_actor, gtin="6901234567892")
    assert product.gtin == "06901234567892"
    assert product.status == ProductStatus.DRAFT
    assert product.merchant == merchant_actor.organization


def test_product_register_refuses_bad_check_digit(merchant_actor):
    with pytest.raises(InvalidInput) as exc:
        _register(merchant_actor, gtin="6901234567891")
    assert exc.value.code == "gtin.check_digit"
    assert Product.objects.count() == 0


def test_product_register_refuses_duplicate_gtin(merchant_actor, other_actor):
    product = _register(merchant_actor)
    with pytest.raises(Conflict):
        _register(other_actor, gtin=product.gtin)
    assert Product.objects.count() == 1


def test_logistics_cannot_register_products(logistics_actor):
    with pytest.raises(PermissionDenied) as exc:
        _register(logistics_actor)
    assert exc.value.code == "permission.organization_kind"


def test_viewer_cannot_register_products(merchant):
    viewer = actor_for(merchant, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        _register(viewer)
    assert Product.objects.count() == 0


def test_product_update_and_status_transitions(merchant_actor):
    product = _register(merchant_actor)
    product_update(
        actor=merchant_actor, product_id=product.pk, name="松茸 一级", category="wild_mushroom",
        origin_region="云南省迪庆州", description="当天采摘",
    )
    product.refresh_from_db()
    assert product.name == "松茸 一级"
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    with pytest.raises(Conflict):
        product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.DRAFT)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE
    assert PageRefresh.objects.filter(kind="product", object_id=product.pk).count() == 2


def test_other_merchant_cannot_touch_product(merchant_actor, other_actor):
    product = _register(merchant_actor)
    with pytest.raises(NotFound):
        product_update(
            actor=other_actor, product_id=product.pk, name="篡改", category="tea", origin_region="x", description="",
        )
    with pytest.raises(NotFound):
        product_set_status(actor=other_actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    with pytest.raises(NotFound):
        batch_create(
            actor=other_actor, product_id=product.pk, lot="X1", production_date=dt.date(2026, 1, 1), quantity=5
        )
    product.refresh_from_db()
    assert (product.name, product.status) == ("松茸 特级", ProductStatus.DRAFT)
    assert not product_list(actor=other_actor).exists()


def test_coordinates_out_of_range_refused(merchant_actor):
    with pytest.raises(InvalidInput):
        _register(merchant_actor, origin_latitude="95")
    assert Product.objects.count() == 0


def test_batch_create_and_refusals(merchant_actor):
    product = _register(merchant_actor)
    batch = batch_create(
        actor=merchant_actor, product_id=product.pk, lot="2026-08-A", production_date=dt.date(2026, 8, 1),
        expiry_date=dt.date(2026, 8, 15), quantity=50,
    )
    assert batch.lot == "2026-08-A"
    with pytest.raises(Conflict):
        batch_create(actor=merchant_actor, product_id=product.pk, lot="2026-08-A",
                     production_date=dt.date(2026, 8, 1), quantity=5)
    with pytest.raises(InvalidInput):
        batch_create(actor=merchant_actor, product_id=product.pk, lot="B", production_date=dt.date(2026, 8, 2),
                     expiry_date=dt.date(2026, 8, 1), quantity=5)
    with pytest.raises(InvalidInput):
        batch_create(actor=merchant_actor, product_id=product.pk, lot="带中文", production_date=dt.date(2026, 8, 1),
                     quantity=5)
    with pytest.raises(InvalidInput):
        batch_create(actor=merchant_actor, product_id=product.pk, lot="C", production_date=dt.date(2026, 8, 1),
                     quantity=0)
    assert Batch.objects.count() == 1


def test_items_generate_random_unique_serials(merchant_actor):
    batch = BatchFactory(product=ProductFactory(merchant=merchant_actor.organization), quantity=300)
    items = items_generate(actor=merchant_actor, batch_id=batch.pk, count=250)
    serials = [i.serial for i in items]
    assert len(set(serials)) == 250
    assert all(len(s) == 10 and not set(s) & set("01ILO") for s in serials)
    with pytest.raises(InvalidInput) as exc:
        items_generate(actor=merchant_actor, batch_id=batch.pk, count=51)
    assert exc.value.details == {"count": 51, "existing": 250, "quantity": 300}
    assert Item.objects.filter(batch=batch).count() == 250


def test_items_generate_refused_for_other_merchant(merchant_actor, other_actor):
    batch = BatchFactory(product=ProductFactory(merchant=merchant_actor.organization))
    with pytest.raises(NotFound):
        items_generate(actor=other_actor, batch_id=batch.pk, count=1)
    assert Item.objects.count() == 0


def _png_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (25.0, 2.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_product_image_is_stripped_of_metadata(merchant_actor):
    product = _register(merchant_actor)
    data = _png_with_exif()
    assert b"SecretCam" in data
    image = product_image_add(actor=merchant_actor, product_id=product.pk, data=data)
    stored = image.image.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as reopened:
        assert dict(reopened.getexif()) == {}
        assert reopened.size == (40, 30)


def test_product_image_refuses_non_images(merchant_actor):
    product = _register(merchant_actor)
    with pytest.raises(InvalidInput) as exc:
        product_image_add(actor=merchant_actor, product_id=product.pk, data=b"<html>not an image</html>")
    assert exc.value.code == "image.invalid"
    assert ProductImage.objects.count() == 0


def test_product_image_refuses_a_small_40_megapixel_png(merchant_actor):
    # given: 8,000 × 5,000 pixels in a few kilobytes
    product = _register(merchant_actor)
    out = io.BytesIO()
    Image.new("1", (8_000, 5_000)).save(out, format="PNG")
    # when
    with pytest.raises(InvalidInput) as exc:
        product_image_add(actor=merchant_actor, product_id=product.pk, data=out.getvalue())
    # then
    assert exc.value.code == "image.too_many_pixels"
    assert exc.value.details == {"width": 8_000, "height": 5_000, "max_pixels": 24_000_000}
    assert ProductImage.objects.count() == 0


def test_partner_grant_lets_logistics_record(merchant_admin, logistics, product):
    assert merchant_admin.organization not in owners_trusting(partner=logistics)
    partner_grant(
        actor=merchant_admin, partner=logistics.slug, product_ids=[product.pk],
        ends_on=grant_today() + dt.timedelta(days=30),
    )
    assert merchant_admin.organization in owners_trusting(partner=logistics)
    partner_revoke(actor=merchant_admin, partner_slug=logistics.slug)
    assert merchant_admin.organization not in owners_trusting(partner=logistics)
    assert PartnerGrant.objects.count() == 1


def test_partner_grant_needs_admin(merchant_actor, logistics, product):
    with pytest.raises(PermissionDenied):
        partner_grant(
            actor=merchant_actor, partner=logistics.slug, product_ids=[product.pk],
            ends_on=grant_today() + dt.timedelta(days=30),
        )
    assert PartnerGrant.objects.count() == 0

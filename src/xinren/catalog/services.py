"""Writes for products, batches and items (partner grants: grants.py)."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import interceptions_kept, screen_require
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_check

from . import errors
from .choices import PRODUCT_TRANSITIONS, ProductStatus
from .facts import facts_clean, facts_signable, product_facts_sign
from .gs1 import ai_value_validate, gtin_normalize
from .images import image_clean, product_photo_make
from .listing_limits import listing_allowed_check
from .models import Batch, Item, Product, ProductImage

MAX_ITEMS_PER_CALL = 5000
# Serial alphabet: no 0/O, 1/I/L, so that a code read aloud or retyped is unambiguous.
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SERIAL_LENGTH = 10


def _coordinate(value: Decimal | float | str | None, *, limit: int, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    if not -limit <= number <= limit:
        raise InvalidInput(f"product.{field}_invalid", _("坐标超出范围"), details={field: str(value)})
    return number.quantize(Decimal("0.000001"))


@transaction.atomic
def product_register(
    *,
    actor: Actor,
    gtin: str,
    name: str,
    category: str,
    origin_region: str,
    description: str = "",
    origin_latitude: Decimal | float | str | None = None,
    origin_longitude: Decimal | float | str | None = None,
    origin_place: str = "",
    net_content_amount: Decimal | float | str | None = None,
    net_content_unit: str = "",
    shelf_life_days: int | None = None,
    ingredients: str = "",
) -> Product:
    """Register a product (a draft) under the actor's organization (a merchant or supplier).

    Its facts are checked now and signed when it is published (catalog/facts.py)."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    gtin14 = gtin_normalize(gtin)
    facts = facts_clean(
        name=name, category=category, origin_region=origin_region, origin_place=origin_place,
        net_content_amount=net_content_amount, net_content_unit=net_content_unit, shelf_life_days=shelf_life_days,
        ingredients=ingredients, description=description, merchant_id=actor.organization.pk,
    )
    latitude = _coordinate(origin_latitude, limit=90, field="latitude")
    longitude = _coordinate(origin_longitude, limit=180, field="longitude")
    if Product.objects.filter(gtin=gtin14).exists():
        raise Conflict(errors.PRODUCT_GTIN_TAKEN, _("该 GTIN 已登记"), details={"gtin": gtin14})
    product = Product.objects.create(
        merchant=actor.organization, gtin=gtin14, origin_latitude=latitude, origin_longitude=longitude,
        **facts.as_fields(),
    )
    audit_record(
        actor=actor.user, organization=actor.organization, action="product.register", target=product,
        data={"gtin": gtin14},
    )
    return product


def _owned_product(*, actor: Actor, product_id: int, lock: bool = False) -> Product:
    products = Product.objects.filter(merchant=actor.organization, pk=product_id)
    product = (products.select_for_update() if lock else products).first()
    if product is None:
        raise NotFound(errors.PRODUCT_NOT_FOUND, _("找不到该商品"))
    return product


@transaction.atomic
def product_update(
    *,
    actor: Actor,
    product_id: int,
    name: str,
    category: str,
    origin_region: str,
    description: str,
    origin_latitude: Decimal | float | str | None = None,
    origin_longitude: Decimal | float | str | None = None,
    origin_place: str = "",
    net_content_amount: Decimal | float | str | None = None,
    net_content_unit: str = "",
    shelf_life_days: int | None = None,
    ingredients: str = "",
) -> Product:
    """Change a product's facts (the GTIN never changes); on a published product the change is signed at once."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _owned_product(actor=actor, product_id=product_id, lock=True)
    facts = facts_clean(
        name=name, category=category, origin_region=origin_region, origin_place=origin_place,
        net_content_amount=net_content_amount, net_content_unit=net_content_unit, shelf_life_days=shelf_life_days,
        ingredients=ingredients, description=description, merchant_id=product.merchant_id,
    )
    product.origin_latitude = _coordinate(origin_latitude, limit=90, field="latitude")
    product.origin_longitude = _coordinate(origin_longitude, limit=180, field="longitude")
    for field, value in facts.as_fields().items():
        setattr(product, field, value)
    product.save()
    signed = product_facts_sign(actor=actor, product=product) if facts_signable(product) else None
    audit_record(
        actor=actor.user, organization=actor.organization, action="product.update", target=product,
        data={"facts_version": signed.version} if signed else None,
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    return product


@interceptions_kept
@transaction.atomic
def product_set_status(*, actor: Actor, product_id: int, status: str) -> Product:
    """Publish, delist or relist a product along the allowed transitions. Going on sale screens the
    merchant's USCC against the blacklist (`Intercepted`)."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _owned_product(actor=actor, product_id=product_id, lock=True)
    transition_check(
        PRODUCT_TRANSITIONS, product.status, status, code=errors.PRODUCT_TRANSITION, message=_("商品状态不能这样变更")
    )
    if status == ProductStatus.ACTIVE:
        screen_require(stage="listing", entities={"uscc": actor.organization.uscc or ""}, subject=product.gtin)
    previous = product.status
    if status == ProductStatus.ACTIVE:
        listing_allowed_check(product=product, previous=previous)
    product.status = ProductStatus(status)
    product.save(update_fields=["status", "updated_at"])
    if product.status == ProductStatus.ACTIVE:
        product_facts_sign(actor=actor, product=product)  # what the page will show is signed before it shows
    audit_record(
        actor=actor.user, organization=actor.organization, action="product.status", target=product,
        data={"from": previous, "to": status},
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    return product


@transaction.atomic
def product_image_add(*, actor: Actor, product_id: int, data: bytes) -> ProductImage:
    """Attach a photo to a product after validating it and stripping its metadata."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _owned_product(actor=actor, product_id=product_id)
    clean_file, digest = image_clean(data=data)
    position = product.images.count()
    image = ProductImage(product=product, sha256=digest, position=position)
    image.image.save(clean_file.name or f"{digest}", clean_file, save=False)
    image.width, image.height = product_photo_make(image)
    image.save()
    audit_record(
        actor=actor.user, organization=actor.organization, action="product.image_add", target=image,
        data={"sha256": digest},
    )
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    return image


@transaction.atomic
def batch_create(
    *,
    actor: Actor,
    product_id: int,
    lot: str,
    production_date: date,
    quantity: int,
    expiry_date: date | None = None,
) -> Batch:
    """Create a lot of one of the actor's products."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _owned_product(actor=actor, product_id=product_id)
    lot = ai_value_validate(lot.strip(), field="lot")
    if quantity <= 0:
        raise InvalidInput("batch.quantity_invalid", _("数量必须大于零"), details={"quantity": quantity})
    if expiry_date is not None and expiry_date < production_date:
        raise InvalidInput(errors.BATCH_DATES, _("保质期不能早于生产日期"))
    if production_date > clock.now().date():
        raise InvalidInput(errors.BATCH_DATES, _("生产日期不能在未来"))
    if Batch.objects.filter(product=product, lot=lot).exists():
        raise Conflict(errors.BATCH_LOT_TAKEN, _("该批号已存在"), details={"lot": lot})
    batch = Batch.objects.create(
        product=product, lot=lot, production_date=production_date, expiry_date=expiry_date, quantity=quantity
    )
    audit_record(
        actor=actor.user, organization=actor.organization, action="batch.create", target=batch,
        data={"lot": lot, "quantity": quantity},
    )
    return batch


def _random_serial() -> str:
    return "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))


@transaction.atomic
def items_generate(*, actor: Actor, batch_id: int, count: int) -> list[Item]:
    """Mint `count` serialized items in a batch, never more than the batch's quantity."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(product__merchant=actor.organization, pk=batch_id)
        .first()
    )
    if batch is None:
        raise NotFound(errors.BATCH_NOT_FOUND, _("找不到该批次"))
    existing = batch.items.count()
    if count <= 0 or count > MAX_ITEMS_PER_CALL or existing + count > batch.quantity:
        raise InvalidInput(
            errors.ITEMS_COUNT,
            _("生成数量无效：每次 1–5000 个，且总数不超过批次数量"),
            details={"count": count, "existing": existing, "quantity": batch.quantity},
        )
    serials: set[str] = set()
    while len(serials) < count:
        serials.add(_random_serial())
    taken = set(Item.objects.filter(product=batch.product, serial__in=serials).values_list("serial", flat=True))
    serials -= taken
    while len(serials) < count:
        candidate = _random_serial()
        if not Item.objects.filter(product=batch.product, serial=candidate).exists():
            serials.add(candidate)
    try:
        Item.objects.bulk_create(
            [Item(batch=batch, product=batch.product, serial=s) for s in sorted(serials)]
        )
    except IntegrityError as exc:  # a concurrent call drew the same serial: astronomically rare
        raise Conflict("items.serial_collision", _("序列号冲突，请重试")) from exc
    audit_record(
        actor=actor.user, organization=actor.organization, action="items.generate", target=batch,
        data={"count": count},
    )
    pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=[batch.pk])
    # New items can put a product back on sale: its page's offer (JSON-LD availability) is drawn again.
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT_PAGE, object_ids=[batch.product_id])
    return list(Item.objects.filter(batch=batch, serial__in=serials).order_by("id"))

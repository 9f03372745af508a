"""Reads for the catalog, each scoped to what the actor may see."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import TRACE_KINDS
from xinren.accounts.models import Organization
from xinren.core import plausible
from xinren.core.errors import NotFound

from . import errors
from .choices import ProductStatus
from .gs1 import DigitalLink
from .models import Batch, Item, PartnerGrant, Product


def product_list(*, actor: Actor) -> QuerySet[Product]:
    """The actor's own products."""
    return Product.objects.filter(merchant=actor.organization).order_by("name")


def product_get(*, actor: Actor, product_id: int) -> Product:
    product = product_list(actor=actor).filter(pk=product_id).first()
    if product is None:
        raise NotFound(errors.PRODUCT_NOT_FOUND, _("找不到该商品"))
    return product


def batch_list(*, actor: Actor, product_id: int | None = None) -> QuerySet[Batch]:
    batches = Batch.objects.filter(product__merchant=actor.organization).select_related("product")
    if product_id is not None:
        batches = batches.filter(product_id=product_id)
    return batches


def batch_get(*, actor: Actor, batch_id: int) -> Batch:
    batch = batch_list(actor=actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(errors.BATCH_NOT_FOUND, _("找不到该批次"))
    return batch


def item_list(*, actor: Actor, batch_id: int) -> QuerySet[Item]:
    return Item.objects.filter(batch_id=batch_id, product__merchant=actor.organization).order_by("id")


def owners_trusting(*, partner: Organization) -> QuerySet[Organization]:
    """Organizations whose products `partner` may record events about: itself and those that granted it."""
    return Organization.objects.filter(
        Q(pk=partner.pk) | Q(grants_given__partner=partner, grants_given__revoked_at__isnull=True)
    ).distinct()


def public_product_for_link(*, link: DigitalLink) -> Product | None:
    """The published product a Digital Link names, or None (drafts are never public)."""
    return (
        Product.objects.select_related("merchant")
        .filter(gtin=link.gtin, status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED])
        .first()
    )


def draft_registered_for_link(*, link: DigitalLink) -> bool:
    """Whether a Digital Link names a registered product (and its lot and item) that is not published yet.

    Its page then says so honestly (此商品已登记，尚未上架) instead of calling the code unknown: a label printed for a
    draft is a genuine product, not a counterfeit. Nothing else about a draft is shown.
    """
    product = Product.objects.filter(gtin=link.gtin, status=ProductStatus.DRAFT).first()
    if product is None:
        return False
    if link.serial is not None:
        items = Item.objects.filter(product=product, serial=link.serial)
        return (items.filter(batch__lot=link.lot) if link.lot is not None else items).exists()
    if link.lot is not None:
        return Batch.objects.filter(product=product, lot=link.lot).exists()
    return True


def partner_grant_list(*, actor: Actor) -> QuerySet[PartnerGrant]:
    """The grants the actor's organization gave, active ones first."""
    return (
        PartnerGrant.objects.filter(owner=actor.organization)
        .select_related("partner")
        .order_by(F("revoked_at").asc(nulls_first=True), "partner__name")
    )


def partner_candidate_list(*, actor: Actor) -> QuerySet[Organization]:
    """Organizations that could be granted the right to record events about the actor's products."""
    return Organization.objects.filter(kind__in=TRACE_KINDS).exclude(pk=actor.organization.pk).order_by("name")


def batch_list_recordable(*, actor: Actor) -> QuerySet[Batch]:
    """Lots the actor may record events about: its own and those of organizations that granted it."""
    return (
        Batch.objects.filter(product__merchant__in=owners_trusting(partner=actor.organization))
        .select_related("product", "product__merchant")
        .order_by("product__name", "-production_date", "lot")
    )


def lot_existed_from(batch: Batch) -> datetime:
    """The earliest time a fact about the lot (or one of its items) may carry (ADR 0015): the start of its
    production date anywhere on Earth, less the lead time for harvesting, drying or curing before the date printed
    on the pack (`XINREN_PLAUSIBLE_LEAD_DAYS`, 30)."""
    lead = timedelta(days=getattr(settings, "XINREN_PLAUSIBLE_LEAD_DAYS", 30))
    return plausible.day_began(batch.production_date) - lead

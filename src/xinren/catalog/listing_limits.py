"""What governance's restrictions allow a merchant to put on sale (accounts/restrictions.py, ADR 0044).

Read when a product goes on sale: `no_new_listings` refuses publishing a draft (relisting a delisted product is
not new); `listing_limit` caps the products on sale at once. The merchant's organization row is locked first so
that two publications racing for the last slot cannot both pass.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.accounts.restrictions import limits_for
from xinren.core.errors import Conflict

from . import errors
from .choices import ProductStatus
from .models import Product


def listing_allowed_check(*, product: Product, previous: str) -> None:
    """Refuse (Conflict) putting `product` on sale when a restriction in force forbids it. Call in the transaction
    of the status change, before saving."""
    merchant = product.merchant
    limits = limits_for(merchant)
    if not limits.any:
        return
    if limits.no_new_listings and previous == ProductStatus.DRAFT:
        raise Conflict(
            errors.PRODUCT_NO_NEW_LISTINGS,
            _("平台已暂停本店上新：%(reason)s。已上架过的商品仍可重新上架。")
            % {"reason": limits.reasons["no_new_listings"]},
            details={"reason": limits.reasons["no_new_listings"]},
        )
    if limits.listing_limit is not None:
        Organization.objects.select_for_update().filter(pk=merchant.pk).first()
        on_sale = Product.objects.filter(merchant=merchant, status=ProductStatus.ACTIVE).exclude(pk=product.pk).count()
        if on_sale >= limits.listing_limit:
            raise Conflict(
                errors.PRODUCT_LISTING_LIMIT,
                _("在售商品已达上限 %(limit)s 个（%(reason)s）：请先下架一个商品再上架。")
                % {"limit": limits.listing_limit, "reason": limits.reasons["listing_limit"]},
                details={"limit": limits.listing_limit, "on_sale": on_sale},
            )

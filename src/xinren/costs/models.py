"""Published cost breakdowns of a product's price (成本透明): each publication a new, signed version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xinren.attest.fields import LeafHashField
from xinren.core.models import TimeStampedModel
from xinren.core.money import FenField

COST_LINES = ("raw_material", "processing", "packaging", "logistics", "platform_fees", "profit")


class CostBreakdown(TimeStampedModel):
    """How a product's price splits into cost lines, in fen; the lines always add up to the price.

    Since ADR 0035 the price is the offer's price when the breakdown was published (`offer_id`), and each new
    version names the one it supersedes. Rows from before carry neither: their price is their lines' total, and
    pages compare it with the current price just the same.
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="cost_breakdowns")
    version = models.PositiveIntegerField(_("版本"))
    price_fen = FenField(_("售价（分）"))
    # The orders.Offer whose price this breakdown was published against. A plain id, not a foreign key: costs sits
    # below orders (ADR 0001), so the interface reads the offer and passes its id and price in (ADR 0035).
    offer_id = models.PositiveBigIntegerField(_("报价"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
        verbose_name=_("取代的版本"),
    )
    raw_material = FenField(_("原料"))
    processing = FenField(_("加工"))
    packaging = FenField(_("包装"))
    logistics = FenField(_("物流"))
    platform_fees = FenField(_("平台费用"))
    profit = FenField(_("利润"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger_leaf_hash = LeafHashField(db_index=True)

    class Meta:
        # Created by the catalog app before costs became a context of its own (ADR 0014): the table keeps its name.
        db_table = "catalog_costbreakdown"
        verbose_name = _("成本构成")
        verbose_name_plural = _("成本构成")
        ordering = ["product", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="cost_breakdown_unique_version"),
            models.CheckConstraint(
                condition=Q(price_fen__gt=0)
                & Q(raw_material__gte=0)
                & Q(processing__gte=0)
                & Q(packaging__gte=0)
                & Q(logistics__gte=0)
                & Q(platform_fees__gte=0)
                & Q(profit__gte=0),
                name="cost_breakdown_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    price_fen=F("raw_material") + F("processing") + F("packaging") + F("logistics")
                    + F("platform_fees") + F("profit")
                ),
                name="cost_breakdown_sums_to_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} v{self.version}"

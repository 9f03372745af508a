"""`manage.py product_facts_backfill`: sign the facts of products published before facts were signed (ADR 0034).

Each listed or delisted product without a signed version gets version 1, signed with its merchant's key (the
merchant's own statement of what its product page already says, recorded without a person: `signed_by` empty).
A product whose stored text no longer passes the facts rules is listed with the reason and left for its merchant
to correct: nothing implausible is signed. Safe to run again (a product with signed facts is skipped) and beside a
running server (each product in its own transaction, its row locked).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductStatus
from xinren.catalog.facts import product_facts_sign
from xinren.catalog.models import Product
from xinren.core.errors import DomainError


class Command(BaseCommand):
    help = "Sign the facts of published products that have no signed facts yet."

    def handle(self, *args: Any, **options: Any) -> None:
        signed = refused = 0
        unsigned = Product.objects.exclude(status=ProductStatus.DRAFT).filter(facts_versions__isnull=True)
        for pk in unsigned.order_by("pk").values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    product = Product.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=pk)
                    actor = Actor(organization=product.merchant, role=Role.ADMIN)
                    signed += int(product_facts_sign(actor=actor, product=product) is not None)
            except DomainError as exc:
                refused += 1
                self.stderr.write(f"product {pk}: {exc.code}: {exc.message}")
        self.stdout.write(f"signed {signed}, left for the merchant {refused}")

"""`manage.py evidence_variants`: make the display size and thumbnail of product photos that lack them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xinren.catalog.images import product_image_variants
from xinren.catalog.models import ProductImage
from xinren.core.errors import DomainError


class Command(BaseCommand):
    help = "Make the 1280 px display size and 320 px thumbnail of every product photo that lacks them."

    def handle(self, *args: Any, **options: Any) -> None:
        done = failed = 0
        for image in ProductImage.objects.order_by("pk").iterator():
            try:
                product_image_variants(image)
            except (OSError, DomainError) as exc:
                failed += 1
                self.stderr.write(f"{image.pk} {image.image.name}: {exc}")
            else:
                done += 1
        self.stdout.write(f"{done} photos have their variants, {failed} could not be read")

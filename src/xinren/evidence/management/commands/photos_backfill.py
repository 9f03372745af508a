"""`manage.py photos_backfill`: make the responsive variants (AVIF, WebP, JPEG at 160-1280 px, catalog/images.py)
of product photos and evidence photos stored before they existed, and record that they exist.

Safe to run again and beside a running server: variants are content-addressed files, and a photo's row is marked
only once its variants are stored, so a page shows the old single image until then. Pages already published keep
the old markup until they are published again (`manage.py publish_pages --all`).
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from xinren.catalog.images import image_open, image_pixels, photo_variants_make, product_photo_make
from xinren.catalog.models import ProductImage
from xinren.core.errors import DomainError
from xinren.evidence.choices import MediaKind
from xinren.evidence.models import EVIDENCE_VARIANTS, MediaFile

_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


class Command(BaseCommand):
    help = "Make the responsive variants of product and evidence photos that lack them."

    def handle(self, *args: Any, **options: Any) -> None:
        done = failed = 0
        for image in ProductImage.objects.filter(width__isnull=True).order_by("pk").iterator():
            try:
                width, height = product_photo_make(image)
            except (OSError, DomainError) as exc:
                failed += 1
                self.stderr.write(f"product photo {image.pk} {image.image.name}: {exc}")
                continue
            ProductImage.objects.filter(pk=image.pk).update(width=width, height=height)
            done += 1
        for media in MediaFile.objects.filter(kind=MediaKind.IMAGE, variants=False).order_by("pk").iterator():
            try:
                with default_storage.open(media.original, "rb") as stored:
                    source, _fmt = image_open(data=stored.read(), formats=_IMAGE_FORMATS)
                photo_variants_make(image_pixels(source), prefix=EVIDENCE_VARIANTS, sha256=media.sha256)
            except (OSError, DomainError) as exc:
                failed += 1
                self.stderr.write(f"evidence photo {media.pk} {media.original}: {exc}")
                continue
            MediaFile.objects.filter(pk=media.pk).update(variants=True)
            done += 1
        self.stdout.write(f"{done} photos got their responsive variants, {failed} could not be read")
